//! Proeve: an OKE-conformant server for MBO practical exams. See DESIGN.md for the picture;
//! `startup` wires the parts together.

pub mod api;
pub mod assessment;
pub mod auth;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod delivery;
pub mod demo;
pub mod demo_sis;
pub mod error;
pub mod intake;
pub mod ooapi;
pub mod planning;
pub mod pull;
pub mod report;
pub mod sis;
pub mod startup;
pub mod telemetry;
pub mod web;
