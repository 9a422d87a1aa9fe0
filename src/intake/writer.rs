//! Group commit for what the SIS pushes (flow 1 `PUT`s).
//!
//! A `PUT` is answered `201`/`200` only once it is durable, and on SQLite a durable commit
//! (WAL, `synchronous=FULL`) costs an fsync: one commit per request caps ingest at the disk's
//! flush rate, whatever the number of clients. So the writes of concurrent requests are
//! queued to a writer task that runs what has queued up meanwhile in one transaction and
//! commits once; every request in the batch is answered after that commit, never before.
//! Nothing is made less durable: a batch is all or nothing, and an answer means committed.
//!
//! If any write of a batch fails, the whole batch is rolled back and each of its writes runs
//! again in a transaction of its own, so one bad write never costs the others and no
//! database's savepoint rules are relied on. A write that loses a race for a new id with
//! another Proeve instance (PostgreSQL cannot lock a row that does not exist yet) runs once
//! more.
//!
//! SQLite has one writer at a time, so it gets one lane; PostgreSQL gets several, which take
//! batches from the same queue and commit in parallel.

use super::{AssociationWrite, OfferingWrite, PersonWrite, Written};
use crate::ooapi::{association::Association, group, offering::Offering, person::Person};
use sea_orm::{DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, SqlErr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot, Mutex};
use uuid::Uuid;

/// Writes taken into one transaction at most.
const MAX_BATCH: usize = 128;
/// Requests that may wait for the writer before a new one waits for room.
const QUEUE: usize = 4096;

/// One write of flow 1, with everything it needs (parsed and checked by its handler).
pub enum Write {
    Offering {
        parsed: Box<Offering>,
        test: super::Test,
        raw: String,
        tell_pending: bool,
    },
    Association {
        parsed: Box<Association>,
        raw: String,
        /// A person sent inside the enrolment, with its own raw body.
        person: Option<(Box<Person>, String)>,
        tell_pending: bool,
    },
    Person {
        parsed: Box<Person>,
        raw: String,
    },
    Group {
        parsed: Box<group::Group>,
        raw: String,
    },
    Member {
        group_id: Uuid,
        parsed: Box<group::Membership>,
        raw: String,
    },
    /// A write the database refuses, to test what a failure does to a batch.
    #[cfg(test)]
    Refused,
}

impl Write {
    async fn run(&self, txn: &DatabaseTransaction, tenant: &str) -> Result<Written, DbErr> {
        match self {
            Write::Offering {
                parsed,
                test,
                raw,
                tell_pending,
            } => {
                let w = OfferingWrite {
                    parsed,
                    test: test.clone(),
                    raw,
                    tell_pending: *tell_pending,
                };
                super::put_offering(txn, tenant, &w).await
            }
            Write::Association {
                parsed,
                raw,
                person,
                tell_pending,
            } => {
                let w = AssociationWrite {
                    parsed,
                    raw,
                    person: person
                        .as_ref()
                        .map(|(parsed, raw)| PersonWrite { parsed, raw }),
                    tell_pending: *tell_pending,
                };
                super::put_association(txn, tenant, &w).await
            }
            Write::Person { parsed, raw } => {
                super::put_person(txn, tenant, &PersonWrite { parsed, raw }).await
            }
            Write::Group { parsed, raw } => {
                super::groups::put_group(txn, tenant, parsed, raw).await
            }
            Write::Member {
                group_id,
                parsed,
                raw,
            } => super::groups::put_member(txn, tenant, *group_id, parsed, raw).await,
            #[cfg(test)]
            Write::Refused => {
                use sea_orm::ConnectionTrait;
                txn.execute_unprepared("INSERT INTO no_such_table VALUES (1)")
                    .await
                    .map(|_| Written::Created)
            }
        }
    }
}

struct Job {
    tenant: String,
    write: Write,
    done: oneshot::Sender<Result<Written, DbErr>>,
}

/// Counts since start, for `/metrics` and the benchmarks.
#[derive(Default)]
pub struct WriterStats {
    /// Writes committed (or refused by the database).
    pub writes: AtomicU64,
    /// Commits of a batch of writes.
    pub batches: AtomicU64,
    /// Batches rolled back because one write failed, then run write by write.
    pub split: AtomicU64,
}

/// The handle requests hand their writes to.
#[derive(Clone)]
pub struct Writer {
    queue: mpsc::Sender<Job>,
    pub stats: Arc<WriterStats>,
    /// Without group commit: each write commits on its own, in the request's task.
    direct: Option<DatabaseConnection>,
}

impl Writer {
    /// Starts the writer lanes on the current Tokio runtime; they end when the last handle is
    /// dropped. With `group` off, there are none: each write commits on its own.
    pub fn start(db: DatabaseConnection, group: bool) -> Writer {
        if !group {
            let (queue, _) = mpsc::channel(1);
            return Writer {
                queue,
                stats: Arc::new(WriterStats::default()),
                direct: Some(db),
            };
        }
        let lanes = match db.get_database_backend() {
            DbBackend::Sqlite => 1,
            _ => 4,
        };
        let (queue, rx) = mpsc::channel(QUEUE);
        let rx = Arc::new(Mutex::new(rx));
        let stats = Arc::new(WriterStats::default());
        for _ in 0..lanes {
            let (db, rx, stats) = (db.clone(), rx.clone(), stats.clone());
            tokio::spawn(async move {
                while let Some(batch) = next_batch(&rx).await {
                    run_batch(&db, &stats, batch).await;
                }
            });
        }
        Writer {
            queue,
            stats,
            direct: None,
        }
    }

    /// Stores `write` for `tenant`; returns once it is committed.
    pub async fn store(&self, tenant: &str, write: Write) -> Result<Written, DbErr> {
        if let Some(db) = &self.direct {
            let r = alone(db, tenant, &write).await;
            self.stats.batches.fetch_add(1, Ordering::Relaxed);
            self.stats.writes.fetch_add(1, Ordering::Relaxed);
            return r;
        }
        let (done, answer) = oneshot::channel();
        let job = Job {
            tenant: tenant.to_string(),
            write,
            done,
        };
        self.queue
            .send(job)
            .await
            .map_err(|_| DbErr::Custom("the writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| DbErr::Custom("the writer stopped before the write was done".into()))?
    }
}

/// What has queued up: at least one write (waiting for it), then whatever else is there.
async fn next_batch(rx: &Mutex<mpsc::Receiver<Job>>) -> Option<Vec<Job>> {
    let mut rx = rx.lock().await;
    let first = rx.recv().await?;
    let mut batch = vec![first];
    while batch.len() < MAX_BATCH {
        match rx.try_recv() {
            Ok(job) => batch.push(job),
            Err(_) => break,
        }
    }
    Some(batch)
}

async fn run_batch(db: &DatabaseConnection, stats: &WriterStats, batch: Vec<Job>) {
    let n = batch.len() as u64;
    if batch.len() > 1 {
        match all_in_one(db, &batch).await {
            Ok(results) => {
                stats.batches.fetch_add(1, Ordering::Relaxed);
                stats.writes.fetch_add(n, Ordering::Relaxed);
                for (job, r) in batch.into_iter().zip(results) {
                    let _ = job.done.send(Ok(r));
                }
                return;
            }
            Err(e) => {
                stats.split.fetch_add(1, Ordering::Relaxed);
                tracing::info!(writes = n, error = %e, "a write in a batch failed; running them one by one");
            }
        }
    }
    for job in batch {
        let r = alone(db, &job.tenant, &job.write).await;
        stats.batches.fetch_add(1, Ordering::Relaxed);
        stats.writes.fetch_add(1, Ordering::Relaxed);
        let _ = job.done.send(r);
    }
}

/// Every write of the batch in one transaction, committed once; the first failure undoes all.
async fn all_in_one(db: &DatabaseConnection, batch: &[Job]) -> Result<Vec<Written>, DbErr> {
    let txn = crate::db::begin(db).await?;
    let mut results = Vec::with_capacity(batch.len());
    for job in batch {
        match job.write.run(&txn, &job.tenant).await {
            Ok(r) => results.push(r),
            Err(e) => {
                if let Err(r) = txn.rollback().await {
                    tracing::warn!(error = %r, "rolling back a failed batch failed");
                }
                return Err(e);
            }
        }
    }
    txn.commit().await?;
    Ok(results)
}

/// One write in its own transaction, once more if a concurrent insert of the same new id won.
async fn alone(db: &DatabaseConnection, tenant: &str, write: &Write) -> Result<Written, DbErr> {
    let mut tries = 0;
    loop {
        let txn = crate::db::begin(db).await?;
        match write.run(&txn, tenant).await {
            Ok(out) => {
                txn.commit().await?;
                return Ok(out);
            }
            Err(e)
                if tries == 0
                    && matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) =>
            {
                tries += 1;
            }
            // PostgreSQL broke a wait in a circle (two batches taking students' turns in
            // different orders): nothing was stored; the write goes again.
            Err(e) if tries < 3 && crate::db::deadlocked(&e) => {
                tries += 1;
            }
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use migration::MigratorTrait;
    use serde_json::json;

    async fn db() -> (DatabaseConnection, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!("proeve-writer-{}", Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.join("w.db").display());
        let db = crate::db::connect(&url).await.unwrap();
        migration::Migrator::up(&db, None).await.unwrap();
        (db, dir)
    }

    fn person(id: Uuid) -> Write {
        let doc = json!({
            "personId": id, "primaryCode": {"codeType": "studentNumber", "code": "1"},
            "givenName": "Zoë", "surname": "Dijkstra", "displayName": "Dijkstra, Zoë",
            "activeEnrollment": true, "affiliations": ["student"], "mail": "zoe@student.example",
            "consumers": [{"consumerKey": "nl-test-admin", "preferredName": "Zoë", "idCheckName": "Dijkstra, Zoë"}],
        });
        Write::Person {
            parsed: Box::new(crate::ooapi::person::parse(&doc, id).unwrap()),
            raw: doc.to_string(),
        }
    }

    async fn stored(db: &DatabaseConnection, ids: &[Uuid]) -> usize {
        let mut n = 0;
        for id in ids {
            if super::super::find_person(db, "t", *id)
                .await
                .unwrap()
                .is_some()
            {
                n += 1;
            }
        }
        n
    }

    #[tokio::test]
    async fn concurrent_writes_share_commits_and_each_is_stored_when_answered() {
        let (db, dir) = db().await;
        let writer = Writer::start(db.clone(), true);
        let ids: Vec<Uuid> = (0..60).map(|_| Uuid::new_v4()).collect();
        let answers =
            futures_util::future::join_all(ids.iter().map(|id| writer.store("t", person(*id))))
                .await;
        assert!(answers.iter().all(|a| matches!(a, Ok(Written::Created))));
        assert_eq!(stored(&db, &ids).await, 60);
        let batches = writer.stats.batches.load(Ordering::Relaxed);
        assert!(batches < 60, "60 writes in {batches} commits");
        // The same person again replaces.
        assert!(matches!(
            writer.store("t", person(ids[0])).await,
            Ok(Written::Replaced)
        ));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn a_refused_write_fails_alone_and_the_rest_of_its_batch_is_stored() {
        let (db, dir) = db().await;
        let writer = Writer::start(db.clone(), true);
        let ids: Vec<Uuid> = (0..30).map(|_| Uuid::new_v4()).collect();
        let writes = ids.iter().enumerate().map(|(i, id)| {
            let w = if i % 10 == 5 {
                Write::Refused
            } else {
                person(*id)
            };
            writer.store("t", w)
        });
        let answers = futures_util::future::join_all(writes).await;
        for (i, a) in answers.iter().enumerate() {
            assert_eq!(a.is_err(), i % 10 == 5, "write {i}: {a:?}");
        }
        assert_eq!(stored(&db, &ids).await, 27);
        assert!(writer.stats.split.load(Ordering::Relaxed) >= 1);
        let _ = std::fs::remove_dir_all(dir);
    }
}
