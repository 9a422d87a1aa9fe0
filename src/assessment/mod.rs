//! Assessment: turning criterion scores into an exam result. `scoring` is the pure engine;
//! around it: score sheets, signing and finalising, corrections of signed exams.

pub mod corrections;
pub mod parts;
pub mod scoring;
pub mod sheets;
pub mod signing;
