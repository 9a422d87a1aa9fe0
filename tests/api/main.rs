//! Black-box tests of the OKE front door: the real server, real HTTP, a real database.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod app_api;
mod auth;
mod cancel;
mod delivery;
mod demo;
mod documents;
mod errors;
mod fixtures;
mod flow0;
mod flow1;
mod helpers;
mod isolation;
mod planning;
mod scoring;
mod signin_link;
mod signin_school;
mod sis_standin;
mod vectors;
