//! The OKE/OOAPI wire format. Nothing outside this module knows the standard's JSON field
//! names: bodies are parsed and validated here into typed records (with the normalised OKE
//! document kept for read-back), and everything Proeve serves is built here.

pub mod association;
pub mod component;
pub mod group;
pub mod merge;
pub mod offering;
pub mod page;
pub mod person;
pub mod read;
pub mod service;
pub mod time;

/// The consumer key of the OKE data inside `consumers` arrays.
pub const CONSUMER_KEY: &str = "nl-test-admin";
/// The OKE version we implement.
pub const OKE_VERSION: &str = "1.0.1";

/// Why an inbound document cannot be accepted: the field (as a JSON path) and the rule it broke.
pub use crate::error::ApiError;
pub type Parsed<T> = Result<T, ApiError>;
