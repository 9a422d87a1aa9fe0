//! The order of the people's case lists (oldest first, then by id), as an index: a page is
//! read from it, not sorted from the whole school.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("exam_case_list_order")
                    .table("exam_case")
                    .col("tenant")
                    .col("created_at")
                    .col("case_id")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("exam_case_list_order")
                    .table("exam_case")
                    .to_owned(),
            )
            .await
    }
}
