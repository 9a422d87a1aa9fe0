//! The exam office's planned exams in the order it works through them: by planned moment,
//! soonest first (`GET /cases?state=planned&order=start`), a page at a time at any size.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("exam_case_by_moment")
                    .table("exam_case")
                    .col("tenant")
                    .col("state")
                    .col("planned_start")
                    .col("case_id")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("exam_case_by_moment")
                    .table("exam_case")
                    .to_owned(),
            )
            .await
    }
}
