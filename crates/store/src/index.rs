//! The search index, kept in step with every write: each current resource's rows in
//! `search_index` (the values its search parameters take, from `fhir::search::index_entries`),
//! the widest date range each date parameter has indexed (`search_widths`, which bounds a date
//! search's scan), and the rebuild at start-up when `fhir::search::INDEX_VERSION` changed.
//!
//! Rows refer to a resource by its `rid`, not its type and id. Its three value indexes are
//! partial: strings, tokens and references (and quantities' units) in one, dates in another,
//! numbers and quantities in the third. A date parameter has one row per
//! resource (the earliest, should a resource carry two), so a date scan needs no deduplicating.
//! `search_widths` keeps only ranges wider than a parameter's usual (a second for the instants of
//! a Slot's or an Appointment's start, a day otherwise), and a period open at one end as unbounded.

use fhir::{
    ResourceType,
    search::{INDEX_VERSION, IndexEntry, index_entries},
};
use serde_json::Value;

use crate::{
    db::Db,
    error::StoreError,
    transaction::{SqlTransaction, placeholders},
};

/// Replaces the index rows of one resource (`None`: deleted, so none).
pub(crate) async fn reindex(
    tx: &mut SqlTransaction,
    rid: i64,
    resource_type: ResourceType,
    resource: Option<&Value>,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM search_index WHERE rid = $1")
        .bind(rid)
        .execute(&mut **tx)
        .await?;
    let Some(resource) = resource else {
        return Ok(());
    };
    let entries = index_entries(resource_type, resource);
    insert_index(tx, &[(rid, resource_type, entries)]).await
}

/// Adds the index rows of resources that have none (new ones, or ones just cleared), by each
/// resource's `rid`, many rows to a statement: seeding and imports of thousands of resources stay
/// quick.
pub(crate) async fn insert_index(
    tx: &mut SqlTransaction,
    resources: &[(i64, ResourceType, Vec<IndexEntry>)],
) -> Result<(), StoreError> {
    const ROWS_PER_STATEMENT: usize = 500;
    let rows: Vec<(i64, ResourceType, &IndexEntry)> = resources
        .iter()
        .flat_map(|(rid, resource_type, entries)| {
            entries
                .iter()
                .map(move |entry| (*rid, *resource_type, entry))
        })
        .collect();
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO search_index (rid, resource_type, param, system, value, exact, low, high, number_low, number_high, pair_system, pair_code) VALUES {}",
            placeholders(tx, chunk.len(), 12)
        );
        let mut query = sqlx::query(&sql);
        for (rid, resource_type, entry) in chunk {
            query = query
                .bind(*rid)
                .bind(resource_type.as_str())
                .bind(entry.param)
                .bind(entry.system.clone())
                .bind(entry.value.clone())
                .bind(entry.exact.clone())
                .bind(entry.low)
                .bind(entry.high);
            for number in [entry.number_low, entry.number_high] {
                query = match number {
                    Some(number) => query.bind(number),
                    // sqlx 0.8's Any driver declares a missing f64 to PostgreSQL as a `real`
                    // and a present one as a `double precision`, and PostgreSQL refuses the
                    // statement it keeps prepared once a row's number switches between the
                    // two ("incorrect binary data format"). A missing f32 is declared as a
                    // `double precision`: the same type either way.
                    None => query.bind(None::<f32>),
                };
            }
            query = query
                .bind(entry.pair_system.clone())
                .bind(entry.pair_code.clone());
        }
        query.execute(&mut **tx).await?;
    }
    record_wide_dates(tx, &rows).await
}

/// The widest date range a search on `param` of `resource_type` must expect without asking
/// `search_widths`: a second where the parameter reads instants (a Slot's start, an
/// appointment's), so that a day's slots are one day's scan of the index, not two; a day
/// otherwise (a date).
pub(crate) fn widest_unrecorded(resource_type: ResourceType, param: &str) -> i64 {
    fhir::search::params_of(resource_type)
        .iter()
        .find(|def| def.name == param)
        .map_or(86_400, fhir::search::ParamDef::widest_unrecorded)
}

/// The width `search_widths` records for a period open at one end or both.
pub(crate) const UNBOUNDED: i64 = i64::MAX;

/// Keeps `search_widths` (the widest date range per parameter, where wider than
/// [`widest_unrecorded`]) true for `rows`, in their transaction. Only unusually wide ranges write
/// here, and they are rare, so the rows of this table are not a point every writer queues on.
async fn record_wide_dates(
    tx: &mut SqlTransaction,
    rows: &[(i64, ResourceType, &IndexEntry)],
) -> Result<(), StoreError> {
    let mut widest = std::collections::BTreeMap::<(&str, &str), i64>::new();
    for (_, resource_type, entry) in rows {
        // A period open at an end is indexed with the end of time there (`i64::MIN`,
        // `i64::MAX`), so its width can pass the largest BIGINT, which then stands for it
        // (`UNBOUNDED`). It overflowed before: a panic, or unnoted in a release build.
        if let (Some(low), Some(high)) = (entry.low, entry.high)
            && high.saturating_sub(low) > widest_unrecorded(*resource_type, entry.param)
        {
            let width = widest
                .entry((resource_type.as_str(), entry.param))
                .or_default();
            *width = (*width).max(high.saturating_sub(low));
        }
    }
    for ((resource_type, param), width) in widest {
        sqlx::query(
            "INSERT INTO search_widths (resource_type, param, max_width) VALUES ($1, $2, $3) \
             ON CONFLICT (resource_type, param) DO UPDATE SET max_width = excluded.max_width \
             WHERE excluded.max_width > search_widths.max_width",
        )
        .bind(resource_type)
        .bind(param)
        .bind(width)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Rebuilds the whole index when it was built with other definitions (or never). Several
/// processes starting at once queue on the state row; the first rebuilds, the others find it done.
pub async fn ensure_index(db: &Db) -> Result<bool, StoreError> {
    sqlx::query(
        "INSERT INTO search_index_state (singleton, index_version) VALUES (1, 0) \
         ON CONFLICT (singleton) DO NOTHING",
    )
    .execute(db.pool())
    .await?;
    let mut tx = db.pool().begin().await?;
    let (built,): (i64,) = sqlx::query_as(
        "UPDATE search_index_state SET index_version = index_version WHERE singleton = 1 \
         RETURNING index_version",
    )
    .fetch_one(&mut *tx)
    .await?;
    if built == INDEX_VERSION {
        return Ok(false);
    }
    sqlx::query("DELETE FROM search_index")
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM search_widths")
        .execute(&mut *tx)
        .await?;
    // A chunk at a time, by key: a store of millions of resources is never all in memory.
    let mut count = 0;
    let mut after = 0_i64;
    loop {
        let rows: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT rid, resource_type, content FROM resources \
             WHERE deleted = 0 AND rid > $1 ORDER BY rid LIMIT 1000",
        )
        .bind(after)
        .fetch_all(&mut *tx)
        .await?;
        let Some((last, _, _)) = rows.last() else {
            break;
        };
        after = *last;
        count += rows.len();
        let mut entries = Vec::with_capacity(rows.len());
        for (rid, resource_type, content) in &rows {
            let Ok(resource_type) = resource_type.parse::<ResourceType>() else {
                continue;
            };
            let resource: Value =
                serde_json::from_str(content).map_err(StoreError::CorruptResource)?;
            entries.push((*rid, resource_type, index_entries(resource_type, &resource)));
        }
        insert_index(&mut tx, &entries).await?;
    }
    sqlx::query("UPDATE search_index_state SET index_version = $1 WHERE singleton = 1")
        .bind(INDEX_VERSION)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    tracing::info!(
        resources = count,
        version = INDEX_VERSION,
        "search index rebuilt"
    );
    Ok(true)
}
