//! Database migrations, run at start-up by `proeve` and by every test.

pub use sea_orm_migration::prelude::*;

mod m20261123_000001_flow1;
mod m20261123_000002_assessment_model;
mod m20261123_000003_exam_case;
mod m20261123_000004_session;
mod m20261125_000005_roles_and_corrections;
mod m20261125_000006_documents;
mod m20261125_000007_sis_outbox;
mod m20261125_000008_extra_attempts;
mod m20261201_000009_signature_drawn_at;
mod m20261201_000010_correction_authority;
mod m20261201_000011_sheet_motivation;
mod m20261201_000012_times_reason_and_leader;
mod m20261201_000013_sheet_finished;
mod m20261201_000014_sign_in_code;
mod m20261202_000015_mail_queue;
mod m20261202_000016_server_key;
mod m20261202_000017_case_list_order;
mod m20261202_000018_case_list_filters;
mod m20261202_000019_exam_approval;
mod m20261202_000020_case_enrolment;
mod m20261202_000021_case_list_by_moment;
mod m20261202_000022_offering_unit;
mod m20261202_000023_part_sittings;
mod m20261202_000024_evidence;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_flow1::Migration),
            Box::new(m20261123_000002_assessment_model::Migration),
            Box::new(m20261123_000003_exam_case::Migration),
            Box::new(m20261123_000004_session::Migration),
            Box::new(m20261125_000005_roles_and_corrections::Migration),
            Box::new(m20261125_000006_documents::Migration),
            Box::new(m20261125_000007_sis_outbox::Migration),
            Box::new(m20261125_000008_extra_attempts::Migration),
            Box::new(m20261201_000009_signature_drawn_at::Migration),
            Box::new(m20261201_000010_correction_authority::Migration),
            Box::new(m20261201_000011_sheet_motivation::Migration),
            Box::new(m20261201_000012_times_reason_and_leader::Migration),
            Box::new(m20261201_000013_sheet_finished::Migration),
            Box::new(m20261201_000014_sign_in_code::Migration),
            Box::new(m20261202_000015_mail_queue::Migration),
            Box::new(m20261202_000016_server_key::Migration),
            Box::new(m20261202_000017_case_list_order::Migration),
            Box::new(m20261202_000018_case_list_filters::Migration),
            Box::new(m20261202_000019_exam_approval::Migration),
            Box::new(m20261202_000020_case_enrolment::Migration),
            Box::new(m20261202_000021_case_list_by_moment::Migration),
            Box::new(m20261202_000022_offering_unit::Migration),
            Box::new(m20261202_000023_part_sittings::Migration),
            Box::new(m20261202_000024_evidence::Migration),
        ]
    }
}
