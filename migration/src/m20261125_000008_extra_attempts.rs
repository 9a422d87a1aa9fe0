//! Extra attempts Proeve plans itself: their result goes to the SIS as a new association
//! (flow 5.2), whose id Proeve mints and keeps with the exam case.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("exam_case")
                    .add_column(uuid_null("result_association_id"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("exam_case")
                    .drop_column(Alias::new("result_association_id"))
                    .to_owned(),
            )
            .await
    }
}
