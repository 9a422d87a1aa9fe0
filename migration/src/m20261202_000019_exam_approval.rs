//! The school's exam committee approves (*vaststellen*) the exams it may use: each decision is
//! kept (who, when, approved or withdrawn, why), the latest one stands. Flow 0 shows it and
//! filters on it (NED-OOAPI issue 142).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("exam_approval")
                    .col(string("tenant"))
                    .col(uuid("decision_id"))
                    .col(uuid("component_id"))
                    .col(boolean("approved"))
                    .col(uuid("decided_by"))
                    .col(text_null("reason"))
                    .col(timestamp_with_time_zone("decided_at"))
                    .primary_key(Index::create().col("tenant").col("decision_id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("exam_approval_by_exam")
                    .table("exam_approval")
                    .col("tenant")
                    .col("component_id")
                    .col("decided_at")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("exam_approval").to_owned())
            .await
    }
}
