//! Evidence on the exam record: photos, clips and files an assessor adds to an exam, on a
//! criterion, a section or the exam as a whole. `evidence` is what the assessor declared (the
//! phone's SHA-256 and size, where it belongs, who and when) and how far its bytes arrived;
//! the bytes are stored once per school by their SHA-256 (`evidence_blob`), in chunks
//! (`evidence_chunk`, keyed by the upload while it arrives, then by the hash).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("evidence")
                    .col(string("tenant"))
                    .col(uuid("evidence_id"))
                    .col(uuid("case_id"))
                    .col(uuid("author"))
                    // Where it belongs: a criterion's or a section's code, or neither (the exam).
                    .col(string_null("criterion"))
                    .col(string_null("section"))
                    // photo | video | audio | file
                    .col(string("kind"))
                    .col(string("file_name"))
                    .col(big_integer("size"))
                    .col(string("sha256"))
                    .col(integer_null("duration_ms"))
                    // The type its bytes turned out to be (set when they all arrived).
                    .col(string_null("content_type"))
                    .col(big_integer("received"))
                    // uploading | received | refused | deleted
                    .col(string("state"))
                    .col(text_null("refusal"))
                    // When the phone captured it (the server's clock as the app measured it).
                    .col(timestamp_with_time_zone("captured_at"))
                    .col(timestamp_with_time_zone("declared_at"))
                    .col(timestamp_with_time_zone_null("received_at"))
                    .col(timestamp_with_time_zone_null("deleted_at"))
                    .primary_key(Index::create().col("tenant").col("evidence_id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("evidence_case")
                    .table("evidence")
                    .col("tenant")
                    .col("case_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("evidence_blob")
                    .col(string("tenant"))
                    .col(string("sha256"))
                    .col(string("content_type"))
                    .col(big_integer("size"))
                    .col(timestamp_with_time_zone("created_at"))
                    .primary_key(Index::create().col("tenant").col("sha256"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("evidence_chunk")
                    .col(string("tenant"))
                    // `upload:<evidence id>` while it arrives, then `sha256:<hex>`.
                    .col(string("owner"))
                    // Where the chunk begins in the file.
                    .col(big_integer("position"))
                    .col(blob("bytes"))
                    .primary_key(Index::create().col("tenant").col("owner").col("position"))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in ["evidence_chunk", "evidence_blob", "evidence"] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        Ok(())
    }
}
