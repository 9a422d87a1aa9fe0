//! What the SIS sends through flow 1 (offerings, associations, persons, groups) and the
//! result documents served back. Every table is keyed by tenant first.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn stamps(t: &mut TableCreateStatement) -> &mut TableCreateStatement {
    t.col(timestamp_with_time_zone("created_at"))
        .col(timestamp_with_time_zone("updated_at"))
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut offering = Table::create();
        offering
            .table("offering")
            .col(string("tenant"))
            .col(uuid("offering_id"))
            .col(string("offering_type"))
            .col(string("state"))
            .col(text("name"))
            .col(text("code"))
            .col(timestamp_with_time_zone_null("start_at"))
            .col(timestamp_with_time_zone_null("end_at"))
            .col(boolean("result_expected"))
            .col(string_null("result_value_type"))
            .col(boolean("final_results_allowed"))
            .col(uuid_null("component_id"))
            .col(text("document"))
            .col(text("raw"));
        offering.col(big_integer("revision"));
        stamps(&mut offering)
            .col(timestamp_with_time_zone_null("canceled_at"))
            .primary_key(Index::create().col("tenant").col("offering_id"));
        manager.create_table(offering).await?;

        let mut association = Table::create();
        association
            .table("association")
            .col(string("tenant"))
            .col(uuid("association_id"))
            .col(string("association_type"))
            .col(string("role"))
            .col(string("state"))
            .col(uuid("person_id"))
            .col(uuid("offering_id"))
            .col(integer_null("attempt"))
            .col(integer_null("attempt_left"))
            .col(text("document"))
            .col(text("raw"));
        association.col(big_integer("revision"));
        stamps(&mut association)
            .col(timestamp_with_time_zone_null("canceled_at"))
            .col(timestamp_with_time_zone_null("exam_taken_at"))
            .primary_key(Index::create().col("tenant").col("association_id"));
        manager.create_table(association).await?;
        manager
            .create_index(
                Index::create()
                    .name("association_by_offering")
                    .table("association")
                    .col("tenant")
                    .col("offering_id")
                    .col("association_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("association_by_person")
                    .table("association")
                    .col("tenant")
                    .col("person_id")
                    .to_owned(),
            )
            .await?;

        let mut person = Table::create();
        person
            .table("person")
            .col(string("tenant"))
            .col(uuid("person_id"))
            .col(text_null("display_name"))
            .col(text_null("primary_code"))
            .col(text_null("mail"))
            .col(text_null("document"))
            .col(text_null("raw"));
        person.col(big_integer("revision"));
        stamps(&mut person)
            .col(timestamp_with_time_zone_null("purged_at"))
            .primary_key(Index::create().col("tenant").col("person_id"));
        manager.create_table(person).await?;

        let mut group = Table::create();
        group
            .table("sis_group")
            .col(string("tenant"))
            .col(uuid("group_id"))
            .col(text("name"))
            .col(text("document"))
            .col(text("raw"));
        stamps(&mut group).primary_key(Index::create().col("tenant").col("group_id"));
        manager.create_table(group).await?;

        let mut member = Table::create();
        member
            .table("group_member")
            .col(string("tenant"))
            .col(uuid("group_id"))
            .col(uuid("person_id"))
            .col(string("state"))
            .col(text("document"))
            .col(text("raw"));
        stamps(&mut member).primary_key(
            Index::create()
                .col("tenant")
                .col("group_id")
                .col("person_id"),
        );
        manager.create_table(member).await?;
        manager
            .create_index(
                Index::create()
                    .name("group_member_by_person")
                    .table("group_member")
                    .col("tenant")
                    .col("person_id")
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("document")
                    .col(string("tenant"))
                    .col(uuid("document_id"))
                    .col(string("document_type"))
                    .col(text("file_name"))
                    .col(string("content_type"))
                    .col(string("sha256"))
                    .col(big_integer("size"))
                    .col(blob("content"))
                    .col(timestamp_with_time_zone("created_at"))
                    .primary_key(Index::create().col("tenant").col("document_id"))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "document",
            "group_member",
            "sis_group",
            "person",
            "association",
            "offering",
        ] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        Ok(())
    }
}
