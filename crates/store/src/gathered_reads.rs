//! PostgreSQL's reads by id, gathered: the reads of concurrent requests share one statement,
//! `id = ANY($2)` (one prepared statement for any number of ids), on a connection of its own,
//! typed (`PgPool`: no conversion through sqlx's `Any` rows).
//!
//! Every statement costs a round trip, and waking the socket's task and the requester's on the
//! way back. Under the bench's load those wake-ups were the largest part of an audited read's
//! server CPU. Here a busy server pays one round trip for many reads.
//!
//! No read waits for company: while the statement slot is free, a read goes at once, alone.
//! Reads that arrive while it is busy go together in the next statement (at most [`BATCH`]).
//! One slot measured best (5000 patients, 32 connections, `GET Patient/{id}` with its audit):
//! about 8100 reads/s at 87 µs of server CPU each, against 6100–6500 at 117–140 µs with two or
//! four slots, whose statements were smaller and wake-ups more.
//!
//! Each read is as fresh as a read of its own: the statement that answers it starts after it was
//! asked for, so it sees every write acknowledged before, by this process or any other.

use std::{
    collections::{BTreeMap, HashMap},
    sync::Arc,
    time::Duration,
};

use fhir::ResourceType;
use sqlx::{Executor as _, PgPool, postgres::PgPoolOptions};
use tokio::sync::{Semaphore, mpsc, oneshot};

use crate::error::StoreError;

/// The most reads answered by one statement.
const BATCH: usize = 64;
/// Statements in flight at once (the module's notes say why one).
const IN_FLIGHT: usize = 1;

/// A resource's current row: `version_id`, `last_updated`, `deleted` (0 or 1), `content`.
pub(crate) type CurrentRow = (i64, String, i64, String);

/// A read waiting for its statement, with the way back to the request.
struct Pending {
    resource_type: ResourceType,
    id: String,
    answer: oneshot::Sender<Result<Option<CurrentRow>, StoreError>>,
}

/// The sending end, held by every clone of the database handle; the gathering task stops when
/// the last one is dropped.
#[derive(Clone, Debug)]
pub(crate) struct GatheredReads(mpsc::Sender<Pending>);

impl GatheredReads {
    /// Connects to the PostgreSQL database at `url` ([`IN_FLIGHT`] connections) and starts the
    /// gathering task on the current Tokio runtime.
    pub(crate) async fn connect(url: &str) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(IN_FLIGHT as u32)
            .acquire_timeout(Duration::from_secs(5))
            // A connection that failed is found by its next statement failing; a ping on every
            // acquire would be one more round trip per statement.
            .test_before_acquire(false)
            .after_connect(|connection, _| {
                Box::pin(async move {
                    // PostgreSQL plans a prepared statement afresh for its first five runs and
                    // then keeps planning it for each run if that plan looks cheaper than the
                    // generic one, as it does for `= ANY($2)`: planning then cost as much as
                    // running (pg_stat_statements: 62 µs of 129 per statement). The generic plan
                    // is the same primary-key scan.
                    connection
                        .execute("SET plan_cache_mode = force_generic_plan")
                        .await?;
                    Ok(())
                })
            })
            .connect(url)
            .await?;
        let (sender, receiver) = mpsc::channel(4 * BATCH);
        tokio::spawn(gather(pool, receiver));
        Ok(Self(sender))
    }

    /// The current row of `resource_type/id`, deleted or not; `None` if there never was one.
    pub(crate) async fn current(
        &self,
        resource_type: ResourceType,
        id: &str,
    ) -> Result<Option<CurrentRow>, StoreError> {
        let (answer, answered) = oneshot::channel();
        self.0
            .send(Pending {
                resource_type,
                id: id.to_owned(),
                answer,
            })
            .await
            .map_err(|_| StoreError::ReaderStopped)?;
        answered.await.map_err(|_| StoreError::ReaderStopped)?
    }
}

async fn gather(pool: PgPool, mut queue: mpsc::Receiver<Pending>) {
    let slots = Arc::new(Semaphore::new(IN_FLIGHT));
    loop {
        // A free slot first, then whatever has arrived: reads that came while every slot was
        // busy are all in the queue by now.
        let Ok(slot) = Arc::clone(&slots).acquire_owned().await else {
            return;
        };
        let mut batch = Vec::with_capacity(BATCH);
        if queue.recv_many(&mut batch, BATCH).await == 0 {
            return;
        }
        let pool = pool.clone();
        tokio::spawn(async move {
            answer(&pool, batch).await;
            drop(slot);
        });
    }
}

/// Answers every read of `batch`: one statement per resource type in it.
async fn answer(pool: &PgPool, batch: Vec<Pending>) {
    let mut by_type: BTreeMap<ResourceType, Vec<Pending>> = BTreeMap::new();
    for pending in batch {
        by_type
            .entry(pending.resource_type)
            .or_default()
            .push(pending);
    }
    for (resource_type, reads) in by_type {
        let ids: Vec<&str> = reads.iter().map(|read| read.id.as_str()).collect();
        match current_rows(pool, resource_type, &ids).await {
            Ok(mut rows) => {
                // How many reads want each row: the last one takes it, the others a copy.
                let mut wanted: HashMap<String, usize> = HashMap::new();
                for read in &reads {
                    *wanted.entry(read.id.clone()).or_default() += 1;
                }
                for read in reads {
                    let row = match wanted.get_mut(&read.id) {
                        Some(left) if *left > 1 => {
                            *left -= 1;
                            rows.get(&read.id).cloned()
                        }
                        _ => rows.remove(&read.id),
                    };
                    // The requester may have gone (a closed connection): nothing to tell.
                    let _ = read.answer.send(Ok(row));
                }
            }
            // Each read on its own then, so that each requester hears its own outcome.
            Err(_) => {
                for read in reads {
                    let outcome = current_rows(pool, resource_type, &[read.id.as_str()])
                        .await
                        .map(|mut rows| rows.remove(&read.id));
                    let _ = read.answer.send(outcome);
                }
            }
        }
    }
}

/// The current rows of the `ids` of `resource_type` that exist, by id.
async fn current_rows(
    pool: &PgPool,
    resource_type: ResourceType,
    ids: &[&str],
) -> Result<HashMap<String, CurrentRow>, StoreError> {
    Ok(sqlx::query_as::<_, (String, i64, String, i64, String)>(
        "SELECT id, version_id, last_updated, deleted, content FROM resources \
         WHERE resource_type = $1 AND id = ANY($2)",
    )
    .bind(resource_type.as_str())
    .bind(ids)
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|(id, version_id, last_updated, deleted, content)| {
        (id, (version_id, last_updated, deleted, content))
    })
    .collect())
}
