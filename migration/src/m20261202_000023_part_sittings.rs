//! Exams taken per part, each part on its own day: an exam case may be the sitting of one
//! part (`part`, empty for the whole exam), a planbare toets of a part says which part it
//! sits (`offering.sitting_part`), and the whole exam's case, once its result is combined
//! from the parts' sittings, names the sittings that counted (`exam_case.sittings`).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters a table one column at a time.
        for (table, column) in [
            ("exam_case", string("part").default("").to_owned()),
            ("exam_case", text_null("sittings")),
            ("offering", string_null("sitting_part")),
        ] {
            manager
                .alter_table(Table::alter().table(table).add_column(column).to_owned())
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, column) in [
            ("exam_case", "part"),
            ("exam_case", "sittings"),
            ("offering", "sitting_part"),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .drop_column(Alias::new(column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
