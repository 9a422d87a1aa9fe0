//! The test harness, one file per kind of helper: `app` (the real server on a random port
//! with a fresh database, calls as a SIS), `tokens` (keys, the identity provider, SIS tokens),
//! `oke` (the official schemas and vectors), `fixtures` (OKE bodies and enrolments), `logs` (Proeve's log, read back), `people`
//! (the people's API: signed-in sessions and one method per endpoint), `sis` (the SIS
//! stand-in that receives flow 5).

#![allow(dead_code)]

pub mod app;
pub mod fixtures;
pub mod logs;
pub mod oke;
pub mod people;
pub mod sis;
pub mod tokens;

pub use app::*;
pub use fixtures::*;
pub use oke::*;
pub use people::*;
pub use tokens::*;
