//! Proeve: an OKE-conformant server for MBO practical exams. DESIGN.md has the picture,
//! docs/ARCHITECTURE.md the floors: a module imports only from its own floor (without a
//! circle) and the floors below it; `scripts/layers.py` checks that in `scripts/test`.

// Base.
/// Typed settings: defaults, file, environment; validated at start-up.
pub mod config;
/// ISO 8601 durations, shared by the catalogue and the wire format.
pub mod iso8601;
/// Structured logs.
pub mod telemetry;

// Foundation: only `config`, the entities and each other.
/// The audit trail of exam cases: every change, who, when, before and after.
pub mod audit;
/// Connecting to the database, and write transactions (`begin`, `WriteTxn`).
pub mod db;
/// The queue of mail to send, and sending one message over SMTP.
pub mod mail;
/// What a change owes the SIS (flow 5 messages), queued in the change's transaction.
pub mod outbox;
/// A school on this server, as the domain sees it.
pub mod tenant;

// The wire format and the domain.
/// Assessment: the scoring engine, score sheets, signing and finalising, corrections.
pub mod assessment;
/// Who is calling: SIS tokens (JWKS), school sign-in, mailed links, sessions.
pub mod auth;
/// The exam case: its states, its error, locking and the one ending of every step.
pub mod case;
/// The exam catalogue and its versioned assessment models.
pub mod catalog;
/// The demo's seed data.
pub mod demo;
/// Evidence on the exam record (photos, clips, files) and where its bytes are kept.
pub mod evidence;
/// What the SIS sent (flow 1), stored per school, with the cancellation cascade.
pub mod intake;
/// The OKE/OOAPI wire format: parsing, validation and everything Proeve serves.
pub mod ooapi;
/// Exam cases and their planning: who, when, where; extra attempts.
pub mod planning;
/// The official documents (assessment form, proces-verbaal) as archival PDFs.
pub mod report;

// Workers.
/// Sends the outbox to the SIS (flow 5): order per enrolment, leases, backoff.
pub mod delivery;
/// Sends the mail queue (sign-in links), with retries.
pub mod mailer;
/// Flow 1 pull, for a SIS that does not push.
pub mod pull;

// HTTP.
/// The people's JSON API (the phone app) under `/api/{slug}`.
pub mod api;
/// The demo's own little SIS, receiving flow 5 (demo mode only).
pub mod demo_sis;
/// The HTTP layer's floor: problem+json errors, the application state, body reading.
pub mod http;
/// The OKE endpoints Proeve serves per school under `/ooapi/{slug}`, and health checks.
pub mod sis;
/// The phone app's files.
pub mod web;

// The composition root: nothing but `main` and the tests imports it.
/// The command line (`demo-token`, `render`).
pub mod cli;
/// Builds the application from settings and runs it with its workers.
pub mod startup;
