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

/// Why an inbound document (or query) cannot be accepted: the field, as a JSON path, and the
/// rule it broke. The HTTP layer answers it as a 400 Problem with exactly this text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    /// A field broke a rule.
    #[error("`{path}`: {rule}")]
    Field { path: String, rule: String },
    /// The document as a whole cannot be read.
    #[error("{0}")]
    Document(String),
}

impl WireError {
    pub fn bad(path: &str, rule: impl std::fmt::Display) -> Self {
        WireError::Field {
            path: path.to_string(),
            rule: rule.to_string(),
        }
    }
}

pub type Parsed<T> = Result<T, WireError>;
