//! The FHIR resource store: resources kept as JSON, with every version retained; the FHIR
//! interactions on it (create, read, vread, update, delete, history) and their forms inside a
//! caller's [`Transaction`].
//!
//! `resources` holds each resource's current version (a deleted one as a marker), with a small
//! integer key, `rid`, that the search index refers to (on SQLite taken from a range of the
//! resource's type, so that a type's rows lie together: [`new_rids`]); `resource_versions`
//! holds the versions before it (see [`crate::versions`]).

use fhir::{ResourceType, operation_outcome::Issue};
use jiff::Timestamp;
use serde_json::{Value, json};

use crate::{
    db::Db,
    error::{StoreError, WriteError},
    exclusive, index,
    ledger::{Entry, Logged},
    rule::ExclusiveHold,
    stored::{
        Found, HistoryEntry, Versioned, VersionedJson, instant, new_id, versioned, versioned_json,
        with_version_meta, without_version_meta,
    },
    transaction::{SqlTransaction, Transaction, is_sqlite, placeholders},
    versions::{self, lock_current, supersede},
};

/// Writes a new resource with the id it carries as version 1 (seeding, transactions, and an
/// update that finds no resource).
pub async fn insert_new(
    tx: &mut Transaction,
    resource: Value,
    now: Timestamp,
) -> Result<Versioned, WriteError> {
    let mut written = insert_new_many(tx, vec![resource], now).await?;
    written
        .pop()
        .ok_or_else(|| StoreError::MissingTypeOrId.into())
}

/// Resources to a statement when many are written at once: well inside both databases' limits
/// on bound values (6 a row here, 8 an index row).
const ROWS_PER_STATEMENT: usize = 200;

/// [`insert_new`] for many resources at once (an import, a batch of audit events): the same rows
/// and rules, in a handful of statements instead of several per resource. The rule given to the
/// store (an appointment takes its slot) runs after all are stored, in the order given, so a resource
/// may refer to one written before it in `resources`.
pub async fn insert_new_many(
    tx: &mut Transaction,
    resources: Vec<Value>,
    now: Timestamp,
) -> Result<Vec<Versioned>, WriteError> {
    if resources
        .iter()
        .any(|resource| resource["resourceType"] == ResourceType::AuditEvent.as_str())
    {
        return Err(kept_in_the_ledger());
    }
    for resource in &resources {
        if let Some(resource_type) = resource["resourceType"]
            .as_str()
            .and_then(|t| t.parse::<ResourceType>().ok())
        {
            tx.writes(resource_type);
        }
    }
    let rule = tx.rule;
    let tx = &mut tx.sql;
    let resources = complete_holders(tx, rule, resources).await?;
    struct Row {
        resource_type: ResourceType,
        id: String,
        resource: Value,
        content: String,
    }
    let last_updated = instant(now);
    let mut rows = Vec::with_capacity(resources.len());
    for resource in resources {
        let parsed = resource["resourceType"]
            .as_str()
            .and_then(|t| t.parse::<ResourceType>().ok());
        let (resource_type, id) = match (parsed, resource["id"].as_str()) {
            (Some(t), Some(i)) => (t, i.to_owned()),
            _ => return Err(StoreError::MissingTypeOrId.into()),
        };
        let resource = without_version_meta(resource);
        let content = resource.to_string();
        rows.push(Row {
            resource_type,
            id,
            resource,
            content,
        });
    }
    // SQLite: each row's key from its type's range, in the order given.
    let mut chosen = Vec::with_capacity(rows.len());
    if is_sqlite(tx) {
        let mut next = std::collections::BTreeMap::new();
        for row in &rows {
            *next.entry(row.resource_type).or_insert(0) += 1;
        }
        for (resource_type, count) in next.iter_mut() {
            *count = new_rids(tx, *resource_type, *count).await?;
        }
        for row in &rows {
            let rid = next
                .get_mut(&row.resource_type)
                .ok_or(sqlx::Error::RowNotFound)?;
            chosen.push(*rid);
            *rid += 1;
        }
    }
    let mut rids = std::collections::HashMap::with_capacity(rows.len());
    for (number, chunk) in rows.chunks(ROWS_PER_STATEMENT).enumerate() {
        let chosen = chosen
            .get(number * ROWS_PER_STATEMENT..)
            .unwrap_or_default();
        let columns = if chosen.is_empty() { 6 } else { 7 };
        let sql = format!(
            "INSERT INTO resources ({}resource_type, id, version_id, last_updated, deleted, content) VALUES {} \
             RETURNING resource_type, id, rid",
            if chosen.is_empty() { "" } else { "rid, " },
            placeholders(tx, chunk.len(), columns)
        );
        let mut query = sqlx::query_as::<_, (String, String, i64)>(&sql);
        for (n, row) in chunk.iter().enumerate() {
            if let Some(rid) = chosen.get(n) {
                query = query.bind(*rid);
            }
            query = query
                .bind(row.resource_type.as_str())
                .bind(&row.id)
                .bind(1_i64)
                .bind(&last_updated)
                .bind(0_i64)
                .bind(&row.content);
        }
        // RETURNING gives no promise of order: the rows are matched to the resources by key.
        for (resource_type, id, rid) in query.fetch_all(&mut **tx).await? {
            rids.insert((resource_type, id), rid);
        }
    }
    let index = rows
        .iter()
        .map(|row| {
            let rid = rids
                .get(&(row.resource_type.as_str().to_owned(), row.id.clone()))
                .copied()
                .ok_or(sqlx::Error::RowNotFound)?;
            Ok((
                rid,
                row.resource_type,
                fhir::search::index_entries(row.resource_type, &row.resource),
            ))
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    index::insert_index(tx, &index).await?;
    for row in &rows {
        apply_rules(
            tx,
            rule,
            row.resource_type,
            &row.id,
            Some(&row.resource),
            now,
        )
        .await?;
    }
    Ok(rows
        .into_iter()
        .map(|row| with_version_meta(row.resource, 1, last_updated.clone()))
        .collect())
}

/// How many rids each type's range holds (SQLite; see migration 0014).
const RID_RANGE: i64 = 1 << 40;

/// The first of `count` new, consecutive rids in `resource_type`'s range, on SQLite, which keeps
/// a table in key order: a type's rows then share pages with each other, not with whatever
/// else was written at the time (migration 0014 says why). PostgreSQL keeps rows in the order
/// they arrive whatever their key, so its identity column numbers them.
///
/// The upsert is a write, so it takes SQLite's write lock before it reads the range's last rid:
/// no other writer can be handed the same ones.
async fn new_rids(
    tx: &mut SqlTransaction,
    resource_type: ResourceType,
    count: i64,
) -> Result<i64, StoreError> {
    let range = range_of(resource_type);
    let (last,): (i64,) = sqlx::query_as(
        "INSERT INTO rid_ranges (type_range, last) VALUES ($1, $2) \
         ON CONFLICT (type_range) DO UPDATE SET last = rid_ranges.last + excluded.last \
         RETURNING last",
    )
    .bind(range)
    .bind(count)
    .fetch_one(&mut **tx)
    .await?;
    Ok(range * RID_RANGE + last - count + 1)
}

/// Each type's rid range. Stored rids depend on these numbers: never change one. AuditEvents, one
/// per access for ever, were the rows written most, so theirs is the last range: new ones joined
/// the right-hand end of the table, where SQLite fills a page and starts the next instead of
/// splitting one. They are kept in the audit ledger now (`crate::ledger`); the range stays, as
/// stored rids depend on it. The 22 types stored first keep the numbers they had; every other
/// R4 type (the list is fixed: R4 is published) takes 23 onwards in alphabetical order.
fn range_of(resource_type: ResourceType) -> i64 {
    use ResourceType::*;
    const FIRST: [ResourceType; 22] = [
        AllergyIntolerance,
        Appointment,
        Communication,
        Condition,
        Consent,
        DiagnosticReport,
        DocumentReference,
        Encounter,
        HealthcareService,
        Immunization,
        Location,
        MedicationRequest,
        MedicationStatement,
        Observation,
        Organization,
        Patient,
        Practitioner,
        PractitionerRole,
        Provenance,
        RelatedPerson,
        Schedule,
        Slot,
    ];
    if resource_type == AuditEvent {
        return 1000;
    }
    if let Some(at) = FIRST.iter().position(|t| *t == resource_type) {
        return at as i64 + 1;
    }
    let later = ResourceType::ALL
        .iter()
        .filter(|t| **t != AuditEvent && !FIRST.contains(t))
        .position(|t| *t == resource_type)
        .unwrap_or_default();
    FIRST.len() as i64 + 1 + later as i64
}

/// FHIR create: the server assigns a new id, whatever id the body carried. An AuditEvent is
/// appended to the audit ledger, as it came.
pub async fn create(
    db: &Db,
    resource_type: ResourceType,
    mut resource: Value,
    now: Timestamp,
) -> Result<Versioned, WriteError> {
    resource["resourceType"] = json!(resource_type.as_str());
    if resource_type == ResourceType::AuditEvent {
        if let Some(fields) = resource.as_object_mut() {
            fields.remove("id");
        }
        let entry = Entry::Resource(without_version_meta(resource));
        let appended = db.ledger().append(entry.clone(), now).await?;
        let logged = Logged {
            seq: appended.seq,
            logged: appended.logged,
            entry,
        };
        return Ok(logged.to_versioned());
    }
    let mut tx = db.begin().await?;
    let written = create_in(&mut tx, resource_type, resource, now).await?;
    tx.commit().await?;
    Ok(written)
}

/// [`create`] inside the caller's transaction (a transaction Bundle's entry).
pub async fn create_in(
    tx: &mut Transaction,
    resource_type: ResourceType,
    mut resource: Value,
    now: Timestamp,
) -> Result<Versioned, WriteError> {
    resource["id"] = json!(new_id());
    resource["resourceType"] = json!(resource_type.as_str());
    insert_new(tx, resource, now).await
}

/// FHIR update: a new version of `id`, or version 1 if there is none (update as create).
/// With `if_match`, only when the current version is that one. Returns whether it was created.
pub async fn update(
    db: &Db,
    resource_type: ResourceType,
    id: &str,
    resource: Value,
    if_match: Option<i64>,
    now: Timestamp,
) -> Result<(Versioned, bool), WriteError> {
    let mut tx = db.begin().await?;
    let written = update_in(&mut tx, resource_type, id, resource, if_match, now).await?;
    tx.commit().await?;
    Ok(written)
}

/// [`update`] inside the caller's transaction.
pub async fn update_in(
    tx: &mut Transaction,
    resource_type: ResourceType,
    id: &str,
    mut resource: Value,
    if_match: Option<i64>,
    now: Timestamp,
) -> Result<(Versioned, bool), WriteError> {
    if resource_type == ResourceType::AuditEvent {
        return Err(kept_in_the_ledger());
    }
    resource["id"] = json!(id);
    let Some(current) = lock_current(&mut tx.sql, resource_type, id).await? else {
        if if_match.is_some() {
            return Err(WriteError::NotFound);
        }
        // Update as create. Two clients creating the same id at once: the second meets the
        // unique key (WriteError::Conflict).
        resource["resourceType"] = json!(resource_type.as_str());
        return Ok((insert_new(tx, resource, now).await?, true));
    };
    if if_match.is_some_and(|v| v != current.version_id) {
        return Err(WriteError::VersionMismatch {
            current: current.version_id,
        });
    }
    tx.writes(resource_type);
    let rule = tx.rule;
    let tx = &mut tx.sql;
    if let Some(rule) = rule.filter(|rule| rule.holder == resource_type) {
        exclusive::complete_holder(tx, rule, &mut resource, &[]).await?;
    }
    let last_updated = instant(now);
    let resource = without_version_meta(resource);
    let content = resource.to_string();
    let version_id = current.version_id + 1;
    supersede(tx, resource_type, id, &current).await?;
    sqlx::query(
        "UPDATE resources SET version_id = $1, last_updated = $2, deleted = 0, content = $3 \
         WHERE rid = $4",
    )
    .bind(version_id)
    .bind(&last_updated)
    .bind(&content)
    .bind(current.rid)
    .execute(&mut **tx)
    .await?;
    index::reindex(tx, current.rid, resource_type, Some(&resource)).await?;
    apply_rules(tx, rule, resource_type, id, Some(&resource), now).await?;
    Ok((versioned(&content, version_id, last_updated)?, false))
}

/// FHIR delete: a new, deleted version. Deleting what is already deleted changes nothing.
pub async fn delete(
    db: &Db,
    resource_type: ResourceType,
    id: &str,
    now: Timestamp,
) -> Result<(), WriteError> {
    let mut tx = db.begin().await?;
    delete_in(&mut tx, resource_type, id, now).await?;
    tx.commit().await?;
    Ok(())
}

/// [`delete`] inside the caller's transaction.
pub async fn delete_in(
    tx: &mut Transaction,
    resource_type: ResourceType,
    id: &str,
    now: Timestamp,
) -> Result<(), WriteError> {
    if resource_type == ResourceType::AuditEvent {
        return Err(kept_in_the_ledger());
    }
    tx.writes(resource_type);
    let rule = tx.rule;
    let tx = &mut tx.sql;
    let last_updated = instant(now);
    let current = match lock_current(tx, resource_type, id).await? {
        None => return Err(WriteError::NotFound),
        Some(current) if current.deleted => return Ok(()),
        Some(current) => current,
    };
    supersede(tx, resource_type, id, &current).await?;
    sqlx::query(
        "UPDATE resources SET version_id = $1, last_updated = $2, deleted = 1, content = '{}' \
         WHERE rid = $3",
    )
    .bind(current.version_id + 1)
    .bind(&last_updated)
    .bind(current.rid)
    .execute(&mut **tx)
    .await?;
    index::reindex(tx, current.rid, resource_type, None).await?;
    apply_rules(tx, rule, resource_type, id, None, now).await?;
    Ok(())
}

/// Begins a write transaction, for changes that must land together (a transaction Bundle's
/// entries, a record entry and its Provenance).
pub async fn begin(db: &Db) -> Result<Transaction, StoreError> {
    db.begin().await
}

/// AuditEvents are appended to the audit ledger, one at a time, and never changed: not written
/// inside a transaction on the record, not updated, not deleted.
fn kept_in_the_ledger() -> WriteError {
    WriteError::Rule(Issue::new(
        "not-supported",
        "AuditEvents are kept in the audit ledger: they are created one at a time (alone or in a \
         batch, not in a transaction) and never changed or deleted",
    ))
}

/// FHIR read, as the JSON text to send ([`VersionedJson`]): the stored text with its version
/// meta spliced in, never parsed whole.
pub async fn read_json(
    db: &Db,
    resource_type: ResourceType,
    id: &str,
) -> Result<Found<VersionedJson>, StoreError> {
    if resource_type == ResourceType::AuditEvent {
        return Ok(read(db, resource_type, id).await?.map(VersionedJson::from));
    }
    Ok(match db.reads.current(resource_type, id).await? {
        None => Found::Missing,
        Some((version_id, _, 1, _)) => Found::Deleted { version_id },
        Some((version_id, last_updated, _, content)) => {
            Found::Current(versioned_json(&content, version_id, last_updated)?)
        }
    })
}

/// FHIR read.
pub async fn read(db: &Db, resource_type: ResourceType, id: &str) -> Result<Found, StoreError> {
    if resource_type == ResourceType::AuditEvent {
        return Ok(match db.ledger().read(id).await? {
            Some(logged) => Found::Current(logged.to_versioned()),
            None => Found::Missing,
        });
    }
    Ok(match db.reads.current(resource_type, id).await? {
        None => Found::Missing,
        Some((version_id, _, 1, _)) => Found::Deleted { version_id },
        Some((version_id, last_updated, _, content)) => {
            Found::Current(versioned(&content, version_id, last_updated)?)
        }
    })
}

/// FHIR vread: one version, current or not.
pub async fn read_version(
    db: &Db,
    resource_type: ResourceType,
    id: &str,
    version_id: i64,
) -> Result<Found, StoreError> {
    if resource_type == ResourceType::AuditEvent {
        // A row of the ledger has one version.
        return match version_id {
            1 => read(db, resource_type, id).await,
            _ => Ok(Found::Missing),
        };
    }
    let row: Option<(String, i64, String)> = sqlx::query_as(
        "SELECT last_updated, deleted, content FROM resources \
         WHERE resource_type = $1 AND id = $2 AND version_id = $3 \
         UNION ALL \
         SELECT last_updated, deleted, content FROM resource_versions \
         WHERE resource_type = $1 AND id = $2 AND version_id = $3",
    )
    .bind(resource_type.as_str())
    .bind(id)
    .bind(version_id)
    .fetch_optional(db.pool())
    .await?;
    Ok(match row {
        None => Found::Missing,
        Some((_, 1, _)) => Found::Deleted { version_id },
        Some((last_updated, _, content)) => {
            Found::Current(versioned(&content, version_id, last_updated)?)
        }
    })
}

/// FHIR type history: the latest `limit` versions of any resource of the type, newest first.
///
/// Each table gives its own latest `limit` (read backwards along its index by time), and those
/// are merged: the whole type's versions are never sorted, however many there are. Both use
/// the merge's order, so a tie on time at the limit is cut the same way.
pub async fn type_history(
    db: &Db,
    resource_type: ResourceType,
    limit: i64,
) -> Result<Vec<(String, HistoryEntry)>, StoreError> {
    if resource_type == ResourceType::AuditEvent {
        let newest = db.ledger().newest(limit).await?;
        return Ok(newest
            .iter()
            .map(|logged| {
                (
                    logged.seq.to_string(),
                    HistoryEntry::Written(logged.to_versioned()),
                )
            })
            .collect());
    }
    let rows: Vec<(String, i64, String, i64, String)> = sqlx::query_as(
        "SELECT id, version_id, last_updated, deleted, content FROM ( \
           SELECT * FROM (SELECT id, version_id, last_updated, deleted, content FROM resources \
             WHERE resource_type = $1 ORDER BY last_updated DESC, id, version_id DESC LIMIT $2) c \
           UNION ALL \
           SELECT * FROM (SELECT id, version_id, last_updated, deleted, content FROM resource_versions \
             WHERE resource_type = $1 ORDER BY last_updated DESC, id, version_id DESC LIMIT $2) o \
         ) h ORDER BY last_updated DESC, id, version_id DESC LIMIT $2",
    )
    .bind(resource_type.as_str())
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|(id, version_id, last_updated, deleted, content)| {
            let entry = if deleted == 1 {
                HistoryEntry::Deleted {
                    version_id,
                    last_updated,
                }
            } else {
                HistoryEntry::Written(versioned(&content, version_id, last_updated)?)
            };
            Ok((id, entry))
        })
        .collect()
}

/// FHIR instance history, newest first; empty when the resource never existed.
pub async fn history(
    db: &Db,
    resource_type: ResourceType,
    id: &str,
) -> Result<Vec<HistoryEntry>, StoreError> {
    if resource_type == ResourceType::AuditEvent {
        return Ok(match db.ledger().read(id).await? {
            Some(logged) => vec![HistoryEntry::Written(logged.to_versioned())],
            None => Vec::new(),
        });
    }
    let rows: Vec<(i64, String, i64, String)> = sqlx::query_as(
        "SELECT version_id, last_updated, deleted, content FROM resources \
         WHERE resource_type = $1 AND id = $2 \
         UNION ALL \
         SELECT version_id, last_updated, deleted, content FROM resource_versions \
         WHERE resource_type = $1 AND id = $2 \
         ORDER BY version_id DESC",
    )
    .bind(resource_type.as_str())
    .bind(id)
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|(version_id, last_updated, deleted, content)| {
            Ok(if deleted == 1 {
                HistoryEntry::Deleted {
                    version_id,
                    last_updated,
                }
            } else {
                HistoryEntry::Written(versioned(&content, version_id, last_updated)?)
            })
        })
        .collect()
}

/// The current, not deleted, resources of one type, in id order.
pub async fn list(db: &Db, resource_type: &str) -> Result<Vec<Value>, StoreError> {
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT version_id, last_updated, content FROM resources \
         WHERE resource_type = $1 AND deleted = 0 ORDER BY id",
    )
    .bind(resource_type)
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|(version_id, last_updated, content)| {
            Ok(versioned(&content, version_id, last_updated)?.resource)
        })
        .collect()
}

/// How many current resources of one type there are.
pub async fn count(db: &Db, resource_type: &str) -> Result<i64, StoreError> {
    if resource_type == ResourceType::AuditEvent.as_str() {
        return db.ledger().rows().await;
    }
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM resources WHERE resource_type = $1 AND deleted = 0")
            .bind(resource_type)
            .fetch_one(db.pool())
            .await?;
    Ok(n)
}

/// The current content of a resource inside a transaction, `None` if missing or deleted.
pub async fn read_in(
    tx: &mut Transaction,
    resource_type: ResourceType,
    id: &str,
) -> Result<Option<Value>, StoreError> {
    versions::read_current(&mut tx.sql, resource_type, id).await
}

/// Locks the current version of a resource for the rest of the transaction, as a writer about to
/// replace it would, without changing it: whoever locks it next waits for this transaction's end
/// and then reads what it committed. `false` if it is missing or deleted.
pub async fn lock_in(
    tx: &mut Transaction,
    resource_type: ResourceType,
    id: &str,
) -> Result<bool, StoreError> {
    let current = versions::lock_current(&mut tx.sql, resource_type, id).await?;
    Ok(current.is_some_and(|current| !current.deleted))
}

/// `resources` with every holder of the rule completed from what it holds (see
/// [`exclusive::complete_holder`]), before any of them is stored.
async fn complete_holders(
    tx: &mut SqlTransaction,
    rule: Option<&'static ExclusiveHold>,
    mut resources: Vec<Value>,
) -> Result<Vec<Value>, WriteError> {
    let Some(rule) = rule else {
        return Ok(resources);
    };
    for n in 0..resources.len() {
        if resources[n]["resourceType"] == rule.holder.as_str() {
            let mut holder = resources[n].take();
            exclusive::complete_holder(tx, rule, &mut holder, &resources).await?;
            resources[n] = holder;
        }
    }
    Ok(resources)
}

/// The rule the database was opened with, kept by a write of its holder type (an Appointment
/// takes or gives back its Slots).
async fn apply_rules(
    tx: &mut SqlTransaction,
    rule: Option<&'static ExclusiveHold>,
    resource_type: ResourceType,
    id: &str,
    written: Option<&Value>,
    now: Timestamp,
) -> Result<(), WriteError> {
    match rule {
        Some(rule) if rule.holder == resource_type => {
            exclusive::on_holder_write(tx, rule, id, written, now).await
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_has_a_rid_range_of_its_own_and_the_first_keep_theirs() {
        let mut ranges: Vec<i64> = ResourceType::ALL.iter().map(|t| range_of(*t)).collect();
        assert_eq!(range_of(ResourceType::AllergyIntolerance), 1);
        assert_eq!(range_of(ResourceType::Patient), 16);
        assert_eq!(range_of(ResourceType::Slot), 22);
        assert_eq!(range_of(ResourceType::Account), 23);
        assert_eq!(range_of(ResourceType::AuditEvent), 1000);
        ranges.sort_unstable();
        ranges.dedup();
        assert_eq!(ranges.len(), ResourceType::ALL.len());
        assert!(ranges.iter().all(|r| *r >= 1 && *r <= 1000));
    }
}
