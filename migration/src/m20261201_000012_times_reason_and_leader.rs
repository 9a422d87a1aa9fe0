//! Why an exam's true begin or end lies far from its plan (per sheet, said by the assessor),
//! and the examenleider the exam office names for an exam (none: its lead assessor).

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
                    .add_column(text_null("times_reason"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("exam_case")
                    .add_column(uuid_null("exam_leader"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("exam_case")
                    .drop_column(Alias::new("exam_leader"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("assessment_sheet")
                    .drop_column(Alias::new("times_reason"))
                    .to_owned(),
            )
            .await
    }
}
