//! The database: connecting with the settings Proeve relies on, and write transactions.
//! Every write of Proeve goes through [`begin`]; reads use the connection as it is.

use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbErr,
    EntityTrait, SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use std::time::Duration;

/// Connections per process: SQLite has one writer anyway; PostgreSQL serves many readers.
pub const SQLITE_CONNECTIONS: u32 = 8;
pub const POSTGRES_CONNECTIONS: u32 = 16;

/// Whether an error says the database cannot store anything now: its disk is full, or it
/// is read-only (SQLite's `SQLITE_FULL` and `SQLITE_READONLY`, PostgreSQL's `53100`
/// disk_full and `25006` read_only_sql_transaction, by their messages, which every layer
/// between keeps). Nothing was written then; the caller may try again later.
pub fn cannot_write(e: &DbErr) -> bool {
    let text = e.to_string().to_ascii_lowercase();
    [
        "database or disk is full",
        "readonly database",
        "read-only transaction",
        "no space left on device",
        "could not extend file",
        "disk full",
    ]
    .iter()
    .any(|p| text.contains(p))
}

/// Whether the database takes a write now: a row of `server_key` written and committed
/// (so SQLite's journal and PostgreSQL's WAL are written too).
pub async fn writable(db: &DatabaseConnection) -> Result<(), DbErr> {
    let now = chrono::Utc::now();
    let txn = begin(db).await?;
    entity::server_key::Entity::insert(entity::server_key::ActiveModel {
        name: sea_orm::Set("readiness-probe".into()),
        secret: sea_orm::Set(String::new()),
        created_at: sea_orm::Set(now),
    })
    .on_conflict(
        sea_orm::sea_query::OnConflict::column(entity::server_key::Column::Name)
            .update_column(entity::server_key::Column::CreatedAt)
            .to_owned(),
    )
    .exec(&txn)
    .await?;
    txn.commit().await
}

/// Connects with the settings Proeve relies on: for SQLite, WAL with full sync (an answered
/// PUT survives a power cut), foreign keys and a busy timeout so writers queue instead of
/// failing.
pub async fn connect(url: &str) -> anyhow::Result<DatabaseConnection> {
    let mut opts = ConnectOptions::new(url.to_string());
    opts.sqlx_logging(false)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(30));
    if url.starts_with("sqlite:") {
        opts.max_connections(SQLITE_CONNECTIONS)
            .map_sqlx_sqlite_opts(|o| {
                o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                    .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Full)
                    .busy_timeout(Duration::from_secs(30))
                    .foreign_keys(true)
            })
            .map_sqlx_sqlite_pool_opts(|pool| {
                pool.after_connect(|conn, _| Box::pin(async move { stable_plans(conn).await }))
            });
    } else {
        opts.max_connections(POSTGRES_CONNECTIONS);
    }
    let db = Database::connect(opts).await?;
    db.execute_unprepared("SELECT 1").await?;
    Ok(db)
}

/// Turns on SQLite's query planner stability guarantee for a new connection. Without it, a
/// statement with a bound `LIMIT ?` (every `.one()` sea-orm runs, every page of a list)
/// is marked as depending on its parameter values, so each execution re-binds, expires
/// and re-parses it: a profile of ingest found a tenth of all CPU in `sqlite3Reprepare`.
/// With the guarantee the plan is made once per connection and kept (Proeve keeps no
/// `sqlite_stat4` statistics whose samples could have changed it anyway).
async fn stable_plans(
    conn: &mut sea_orm::sqlx::SqliteConnection,
) -> Result<(), sea_orm::sqlx::Error> {
    let mut handle = conn.lock_handle().await?;
    let db = handle.as_raw_handle().as_ptr();
    let mut now_on: std::ffi::c_int = 0;
    // SAFETY: `lock_handle` keeps sqlx's worker thread off this connection while the handle
    // lives; `SQLITE_DBCONFIG_ENABLE_QPSG` takes an int (1: on) and an int* for the setting
    // now, which points at a live local.
    let rc = unsafe {
        libsqlite3_sys::sqlite3_db_config(
            db,
            libsqlite3_sys::SQLITE_DBCONFIG_ENABLE_QPSG,
            1 as std::ffi::c_int,
            &mut now_on as *mut std::ffi::c_int,
        )
    };
    if rc != libsqlite3_sys::SQLITE_OK || now_on != 1 {
        return Err(sea_orm::sqlx::Error::Configuration(
            format!("SQLite refused the query planner stability guarantee (code {rc})").into(),
        ));
    }
    Ok(())
}

/// A write transaction. On SQLite, which has one writer at a time, writers queue in
/// process for their turn (first come, first served) before they begin, instead of in
/// SQLite's busy handler, which lets a waiting writer sleep up to 100 ms between looks
/// (measured: 200 assessors saving at once had a p50 of 880 ms); the transaction then
/// starts `IMMEDIATE`, so a read-then-write never fails halfway.
pub async fn begin(db: &DatabaseConnection) -> Result<WriteTxn, DbErr> {
    let turn = if db.get_database_backend() == sea_orm::DbBackend::Sqlite {
        Some(
            sqlite_writers()
                .clone()
                .acquire_owned()
                .await
                .map_err(|_| DbErr::Custom("the SQLite write queue is closed".into()))?,
        )
    } else {
        None
    };
    let txn = db
        .begin_with_options(TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..Default::default()
        })
        .await?;
    Ok(WriteTxn { txn, _turn: turn })
}

/// Whether PostgreSQL aborted the transaction to break a deadlock (`40P01`) or a
/// serialization failure (`40001`): nothing of it was stored, and it may simply go again.
pub fn deadlocked(e: &DbErr) -> bool {
    let text = e.to_string();
    text.contains("deadlock detected") || text.contains("40P01") || text.contains("40001")
}

/// Serialises, until the transaction ends, the writers that name the same `key` (e.g. all
/// changes to one student's enrolments, which decide together whether two enrolments are one
/// performance). PostgreSQL takes a transaction-scoped advisory lock on the key's hash; on
/// SQLite, writers take turns anyway ([`begin`]).
pub async fn serialise<C: ConnectionTrait>(txn: &C, key: &str) -> Result<(), DbErr> {
    if txn.get_database_backend() != sea_orm::DbBackend::Postgres {
        return Ok(());
    }
    txn.query_one_raw(sea_orm::Statement::from_sql_and_values(
        sea_orm::DbBackend::Postgres,
        "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
        [key.into()],
    ))
    .await?;
    Ok(())
}

fn sqlite_writers() -> &'static std::sync::Arc<tokio::sync::Semaphore> {
    static WRITERS: std::sync::OnceLock<std::sync::Arc<tokio::sync::Semaphore>> =
        std::sync::OnceLock::new();
    WRITERS.get_or_init(|| std::sync::Arc::new(tokio::sync::Semaphore::new(1)))
}

/// A write transaction from [`begin`], holding its writer's turn until it ends.
pub struct WriteTxn {
    txn: DatabaseTransaction,
    _turn: Option<tokio::sync::OwnedSemaphorePermit>,
}

impl WriteTxn {
    pub async fn commit(self) -> Result<(), DbErr> {
        self.txn.commit().await
    }

    pub async fn rollback(self) -> Result<(), DbErr> {
        self.txn.rollback().await
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for WriteTxn {
    fn get_database_backend(&self) -> sea_orm::DbBackend {
        self.txn.get_database_backend()
    }

    async fn execute_raw(&self, stmt: sea_orm::Statement) -> Result<sea_orm::ExecResult, DbErr> {
        self.txn.execute_raw(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<sea_orm::ExecResult, DbErr> {
        self.txn.execute_unprepared(sql).await
    }

    async fn query_one_raw(
        &self,
        stmt: sea_orm::Statement,
    ) -> Result<Option<sea_orm::QueryResult>, DbErr> {
        self.txn.query_one_raw(stmt).await
    }

    async fn query_all_raw(
        &self,
        stmt: sea_orm::Statement,
    ) -> Result<Vec<sea_orm::QueryResult>, DbErr> {
        self.txn.query_all_raw(stmt).await
    }

    fn support_returning(&self) -> bool {
        self.txn.support_returning()
    }
}

impl std::ops::Deref for WriteTxn {
    type Target = DatabaseTransaction;

    fn deref(&self) -> &DatabaseTransaction {
        &self.txn
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// How often SQLite re-parsed the statements this connection holds prepared.
    async fn reprepared(conn: &mut sea_orm::sqlx::SqliteConnection) -> i64 {
        let mut handle = conn.lock_handle().await.unwrap();
        let db = handle.as_raw_handle().as_ptr();
        let mut total = 0;
        // SAFETY: the handle is locked out from sqlx's worker; statements are only read.
        unsafe {
            let mut stmt = libsqlite3_sys::sqlite3_next_stmt(db, std::ptr::null_mut());
            while !stmt.is_null() {
                total += i64::from(libsqlite3_sys::sqlite3_stmt_status(
                    stmt,
                    libsqlite3_sys::SQLITE_STMTSTATUS_REPREPARE,
                    0,
                ));
                stmt = libsqlite3_sys::sqlite3_next_stmt(db, stmt);
            }
        }
        total
    }

    #[tokio::test]
    async fn a_statement_with_a_bound_limit_is_parsed_once_however_often_it_runs() {
        let dir = std::env::temp_dir().join(format!("proeve-db-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.join("p.db").display());
        let db = connect(&url).await.unwrap();
        let pool = db.get_sqlite_connection_pool();
        let mut conn = pool.acquire().await.unwrap();
        for limit in [1_i64, 1, 2, 1, 3] {
            sea_orm::sqlx::query("SELECT 1 AS one LIMIT ?")
                .bind(limit)
                .fetch_all(&mut *conn)
                .await
                .unwrap();
        }
        assert_eq!(reprepared(&mut conn).await, 0);
        drop(conn);
        let _ = std::fs::remove_dir_all(dir);
    }
}
