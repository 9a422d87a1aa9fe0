//! One performance, several SIS enrolments (NED-OOAPI issue 152: PeopleSoft sends two
//! enrolments of one student for one exam under two programmes and expects one planning and
//! two results). An exam case answers its own enrolment (`exam_case.association_id`) and
//! every enrolment linked to it here; each gets the result.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("case_enrolment")
                    .col(string("tenant"))
                    // The SIS's enrolment: answered by one case only.
                    .col(uuid("association_id"))
                    .col(uuid("case_id"))
                    .col(uuid("offering_id"))
                    .col(timestamp_with_time_zone("linked_at"))
                    .primary_key(Index::create().col("tenant").col("association_id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("case_enrolment_by_case")
                    .table("case_enrolment")
                    .col("tenant")
                    .col("case_id")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("case_enrolment").to_owned())
            .await
    }
}
