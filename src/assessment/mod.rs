//! Assessment: turning criterion scores into an exam result. `scoring` is the pure engine;
//! planning, scoring sessions, signing and the audit trail will build on it.

pub mod audit;
pub mod scoring;
pub mod sheets;
pub mod signing;
