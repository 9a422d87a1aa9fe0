//! Roles a session got from the school's identity provider, and corrections of signed exams.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("session")
                    .add_column(string_null("roles"))
                    .to_owned(),
            )
            .await?;
        // A correction of a signed exam by the exam office: a new version of the result
        // (its scores are the sheet `correction-{version}`), with the reason; the signed
        // sheets and every earlier version stay as they were.
        manager
            .create_table(
                Table::create()
                    .table("correction")
                    .col(string("tenant"))
                    .col(uuid("case_id"))
                    .col(integer("version"))
                    .col(text("reason"))
                    .col(uuid("corrected_by"))
                    .col(timestamp_with_time_zone("corrected_at"))
                    .col(text("before"))
                    .col(text("after"))
                    .primary_key(Index::create().col("tenant").col("case_id").col("version"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("correction").to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("session")
                    .drop_column("roles")
                    .to_owned(),
            )
            .await
    }
}
