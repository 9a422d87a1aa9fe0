//! Result documents belong to an exam case and a version of its result; assessors' sheets
//! record when the exam actually began and ended.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

// SQLite alters one column per statement.
async fn add(manager: &SchemaManager<'_>, table: &str, column: ColumnDef) -> Result<(), DbErr> {
    manager
        .alter_table(
            Table::alter()
                .table(Alias::new(table))
                .add_column(column)
                .to_owned(),
        )
        .await
}

async fn drop(manager: &SchemaManager<'_>, table: &str, column: &str) -> Result<(), DbErr> {
    manager
        .alter_table(
            Table::alter()
                .table(Alias::new(table))
                .drop_column(Alias::new(column))
                .to_owned(),
        )
        .await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add(manager, "document", uuid_null("case_id")).await?;
        add(manager, "document", integer_null("version")).await?;
        // One document of each type per version of a case's result, whoever renders it.
        manager
            .create_index(
                Index::create()
                    .name("document_case_version_type")
                    .table("document")
                    .col("tenant")
                    .col("case_id")
                    .col("version")
                    .col("document_type")
                    .unique()
                    .to_owned(),
            )
            .await?;
        add(
            manager,
            "assessment_sheet",
            timestamp_with_time_zone_null("started_at"),
        )
        .await?;
        add(
            manager,
            "assessment_sheet",
            timestamp_with_time_zone_null("ended_at"),
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop(manager, "assessment_sheet", "ended_at").await?;
        drop(manager, "assessment_sheet", "started_at").await?;
        manager
            .drop_index(
                Index::drop()
                    .name("document_case_version_type")
                    .table("document")
                    .to_owned(),
            )
            .await?;
        drop(manager, "document", "version").await?;
        drop(manager, "document", "case_id").await
    }
}
