//! The exam office's planned exams in the order it works through them: by planned moment,
//! soonest first (`GET /cases?state=planned&order=start`), a page at a time at any size.
//! (The list's query says `planned_start IS NOT NULL`, so both planners take this index.)

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Partial: only exams with a moment are in it, so a new enrolment's exam (received,
        // no moment yet) costs no write in it. The same SQL on SQLite and PostgreSQL.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE INDEX exam_case_by_moment ON exam_case \
                 (tenant, state, planned_start, case_id) WHERE planned_start IS NOT NULL",
            )
            .await
            .map(|_| ())
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
