//! Every version of every assessment model the catalogue served, kept for scoring exams
//! planned with it.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("assessment_model")
                    .col(uuid("component_id"))
                    .col(integer("version"))
                    .col(string("exam_code"))
                    .col(text("model"))
                    .col(string("sha256"))
                    .col(timestamp_with_time_zone("created_at"))
                    .primary_key(Index::create().col("component_id").col("version"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("assessment_model").to_owned())
            .await
    }
}
