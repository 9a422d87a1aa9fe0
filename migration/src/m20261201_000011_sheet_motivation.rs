//! The assessors' overall motivation of their judgement and feedback to the candidate, per
//! sheet (the joint sheet's is the one they agreed on).

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
                    .add_column(text_null("motivation"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("assessment_sheet")
                    .drop_column(Alias::new("motivation"))
                    .to_owned(),
            )
            .await
    }
}
