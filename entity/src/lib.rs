//! SeaORM entities: plain data, one file per table. Behaviour lives in the `proeve` crate.
//!
//! Every table carries `tenant` (the school's slug) as the first part of its primary key, so a
//! row can only ever be addressed together with the tenant it belongs to.

pub mod assessment_model;
pub mod assessment_sheet;
pub mod association;
pub mod audit_event;
pub mod case_assessor;
pub mod case_enrolment;
pub mod correction;
pub mod criterion_score;
pub mod document;
pub mod evidence;
pub mod evidence_blob;
pub mod evidence_chunk;
pub mod exam_approval;
pub mod exam_case;
pub mod group;
pub mod group_member;
pub mod mail_job;
pub mod offering;
pub mod person;
pub mod server_key;
pub mod session;
pub mod sign_in_link;
pub mod signature;
pub mod sis_message;
