//! Who is calling. For machines (a school's SIS): OAuth2 bearer JWTs checked against the
//! tenant's JWKS, with the OKE scopes. The demo key for the demo tenant lives in `demo`.

pub mod demo;
pub mod identify;
pub mod jwt;
pub mod keys;
pub mod link;
pub mod oidc;
pub mod session;

pub use jwt::{Caller, JwtVerifier, KeySource};

/// The OAuth2 scopes OKE defines (PDF §5).
pub mod scope {
    pub const FLOW_0: &str = "nl-test-admin-flow-0";
    pub const FLOW_1_5: &str = "nl-test-admin-flow-1-5";
    pub const FLOW_2_3_4: &str = "nl-test-admin-flow-2-3-4";
}
