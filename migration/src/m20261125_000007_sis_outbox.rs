//! The outbox of messages to the SIS (flow 5): written in the same transaction as the state
//! change that owes the SIS a message, delivered in order per enrolment by the workers.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("sis_message")
                    .col(string("tenant"))
                    .col(uuid("message_id"))
                    .col(uuid("case_id"))
                    // The association whose result this is (the path of the PATCH or PUT).
                    .col(uuid("association_id"))
                    // Order of the messages of one association: 1, 2, 3, ...
                    .col(integer("position"))
                    // attendance | signed | finalised | corrected
                    .col(string("reason"))
                    .col(string("method"))
                    // The body, fixed when it is first sent, so a retry sends the same bytes.
                    .col(text_null("body"))
                    // waiting | sending | delivered | parked
                    .col(string("state"))
                    .col(integer("attempts"))
                    .col(timestamp_with_time_zone("next_attempt_at"))
                    .col(timestamp_with_time_zone_null("lease_until"))
                    .col(integer_null("last_status"))
                    .col(text_null("last_error"))
                    .col(text_null("last_response"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .col(timestamp_with_time_zone_null("delivered_at"))
                    .primary_key(Index::create().col("tenant").col("message_id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("sis_message_order")
                    .table("sis_message")
                    .col("tenant")
                    .col("association_id")
                    .col("position")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("sis_message_due")
                    .table("sis_message")
                    .col("state")
                    .col("next_attempt_at")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("sis_message_case")
                    .table("sis_message")
                    .col("tenant")
                    .col("case_id")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("sis_message").to_owned())
            .await
    }
}
