//! On whose authority a correction was made: a decision of the exam committee, or a ruling
//! on appeal (absent for the corrections from before it was recorded).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("correction")
                    .add_column(string_null("authority"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("correction")
                    .drop_column(Alias::new("authority"))
                    .to_owned(),
            )
            .await
    }
}
