//! A planbare toets for a result unit of an exam (a part, a core task) rather than the whole:
//! the exam is planned and scored as ever (`component_id`); the unit says which result the
//! enrolment gets.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("offering")
                    .add_column(uuid_null("unit_id"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("offering")
                    .drop_column(Alias::new("unit_id"))
                    .to_owned(),
            )
            .await
    }
}
