//! The queue of mail to send: a request for a sign-in link is answered at once and written
//! here; a worker looks the address up and sends the mail afterwards, so the answer says
//! nothing about the address, and a restart loses no mail. Notifications will use it too.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("mail_job")
                    .col(string("tenant"))
                    .col(uuid("id"))
                    // sign_in_link
                    .col(string("kind"))
                    // What the kind needs, as JSON (a sign-in link: the address asked for).
                    .col(text("payload"))
                    // waiting | sending (under a worker's lease)
                    .col(string("state"))
                    .col(integer("attempts"))
                    .col(timestamp_with_time_zone("next_attempt_at"))
                    .col(timestamp_with_time_zone_null("lease_until"))
                    .col(text_null("last_error"))
                    .col(timestamp_with_time_zone("created_at"))
                    .primary_key(Index::create().col("tenant").col("id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("mail_job_due")
                    .table("mail_job")
                    .col("state")
                    .col("next_attempt_at")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("mail_job").to_owned())
            .await
    }
}
