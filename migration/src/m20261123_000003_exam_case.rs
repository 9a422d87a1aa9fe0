//! Exam cases (one per student enrolment and attempt), their planned assessors, and the audit
//! trail of every change to a case.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("exam_case")
                    .col(string("tenant"))
                    .col(uuid("case_id"))
                    .col(uuid("association_id"))
                    .col(uuid("offering_id"))
                    .col(uuid("person_id"))
                    .col(integer("attempt"))
                    .col(string("state"))
                    .col(uuid_null("component_id"))
                    .col(integer_null("model_version"))
                    .col(timestamp_with_time_zone_null("planned_start"))
                    .col(timestamp_with_time_zone_null("planned_end"))
                    .col(string_null("place_kind"))
                    .col(text_null("place_name"))
                    .col(text_null("place_address"))
                    .col(big_integer("revision"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .primary_key(Index::create().col("tenant").col("case_id"))
                    .to_owned(),
            )
            .await?;
        // One case per enrolment and attempt.
        manager
            .create_index(
                Index::create()
                    .name("exam_case_by_association")
                    .table("exam_case")
                    .col("tenant")
                    .col("association_id")
                    .col("attempt")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("exam_case_by_offering")
                    .table("exam_case")
                    .col("tenant")
                    .col("offering_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("case_assessor")
                    .col(string("tenant"))
                    .col(uuid("case_id"))
                    .col(uuid("person_id"))
                    .col(integer("position"))
                    .col(string("source"))
                    .col(timestamp_with_time_zone("created_at"))
                    .primary_key(
                        Index::create()
                            .col("tenant")
                            .col("case_id")
                            .col("person_id"),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("audit_event")
                    .col(uuid("event_id"))
                    .col(string("tenant"))
                    .col(uuid("case_id"))
                    .col(timestamp_with_time_zone("at"))
                    .col(string("actor"))
                    .col(string("action"))
                    .col(text_null("before"))
                    .col(text_null("after"))
                    .col(text_null("reason"))
                    .primary_key(Index::create().col("event_id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("audit_event_by_case")
                    .table("audit_event")
                    .col("tenant")
                    .col("case_id")
                    .col("at")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in ["audit_event", "case_assessor", "exam_case"] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        Ok(())
    }
}
