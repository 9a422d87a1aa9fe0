//! The case lists' filters as indexes, so a page costs the same at 50,000 exams as at 50:
//! a candidate's own exams (by person), and exams by state on an offering in list order
//! (the exams to plan; the office's per-state lists and counts); and the assessors the SIS
//! enrolled on an offering, without reading its thousands of student enrolments.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("exam_case_by_person")
                    .table("exam_case")
                    .col("tenant")
                    .col("person_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("exam_case_by_state")
                    .table("exam_case")
                    .col("tenant")
                    .col("state")
                    .col("offering_id")
                    .col("created_at")
                    .col("case_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("association_by_role")
                    .table("association")
                    .col("tenant")
                    .col("role")
                    .col("offering_id")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table) in [
            ("exam_case_by_person", "exam_case"),
            ("exam_case_by_state", "exam_case"),
            ("association_by_role", "association"),
        ] {
            manager
                .drop_index(Index::drop().name(name).table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
