//! Proeve: an OKE-conformant server for MBO practical exams. See DESIGN.md for the picture
//! and docs/ARCHITECTURE.md for the floors; a module imports only from floors below its own
//! (and its own floor, without a circle). `scripts/layers.py` checks it.

// Base
pub mod config;
pub mod telemetry;

// Foundation
pub mod audit;
pub mod db;
pub mod outbox;
pub mod tenant;

// Wire format and domain
pub mod assessment;
pub mod auth;
pub mod case;
pub mod catalog;
pub mod demo;
pub mod intake;
pub mod ooapi;
pub mod planning;
pub mod report;

// Workers
pub mod delivery;
pub mod pull;

// HTTP
pub mod api;
pub mod demo_sis;
pub mod http;
pub mod sis;
pub mod web;

// Composition root
pub mod cli;
pub mod startup;
