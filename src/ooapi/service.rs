//! `GET /`: who we are and which OKE version we speak.

use super::{CONSUMER_KEY, OKE_VERSION};
use serde_json::{json, Value};

pub fn metadata(contact_email: &str, specification: &str, documentation: &str) -> Value {
    json!({
        "contactEmail": contact_email,
        "specification": specification,
        "documentation": documentation,
        "supportedVersions": ["v5"],
        "supportedConsumers": [{"consumerKey": CONSUMER_KEY, "version": OKE_VERSION}],
    })
}
