//! Black-box tests: the real server, real HTTP, a real database; one file per area, the
//! harness in `helpers/`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod auth;
mod cancel;
mod delivery;
mod demo;
mod documents;
mod errors;
mod evidence;
mod flow0;
mod flow1;
mod helpers;
mod isolation;
mod lists;
mod people_api;
mod planning;
mod rights;
mod scoring;
mod sessions;
mod signin_link;
mod signin_school;
mod vectors;
