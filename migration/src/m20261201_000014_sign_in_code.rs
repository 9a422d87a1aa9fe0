//! Sign-in codes beside mailed links: a link opened in the mail app's browser hands the
//! session to the installed app by a short code. `kind` says which a row is; only mailed
//! links count towards the limit of links per person.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("sign_in_link")
                    .add_column(ColumnDef::new("kind").text().not_null().default("mail"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("sign_in_link")
                    .drop_column(Alias::new("kind"))
                    .to_owned(),
            )
            .await
    }
}
