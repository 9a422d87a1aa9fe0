//! When a signature was drawn on the device (by the server's clock, as the app measured it),
//! beside `signed_at`, when the server received it: a phone that was offline sends it later.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("signature")
                    .add_column(timestamp_with_time_zone_null("drawn_at"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("signature")
                    .drop_column(Alias::new("drawn_at"))
                    .to_owned(),
            )
            .await
    }
}
