//! Sessions of signed-in people, and one-time sign-in links.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("session")
                    .col(string("token_hash"))
                    .col(string("tenant"))
                    .col(uuid("person_id"))
                    .col(string("method"))
                    .col(string("csrf_token"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("last_seen_at"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .primary_key(Index::create().col("token_hash"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("sign_in_link")
                    .col(string("token_hash"))
                    .col(string("tenant"))
                    .col(uuid("person_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .col(timestamp_with_time_zone_null("used_at"))
                    .primary_key(Index::create().col("token_hash"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("sign_in_link").to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table("session").to_owned())
            .await
    }
}
