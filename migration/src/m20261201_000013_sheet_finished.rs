//! When an assessor finished their own sheet ("Beoordeling afronden"): the exam is judged once
//! every assessor has, so the first to finish waits for the other instead of being refused.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("assessment_sheet")
                    .add_column(timestamp_with_time_zone_null("finished_at"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("assessment_sheet")
                    .drop_column(Alias::new("finished_at"))
                    .to_owned(),
            )
            .await
    }
}
