//! Search: keeps the search index in step with every write, rebuilds it when the definitions
//! change, and answers searches from it.

use fhir::{
    ResourceType,
    search::{
        Comparator, Condition, INDEX_VERSION, IndexEntry, ParamKind, SearchQuery, Test,
        index_entries,
    },
};
use serde_json::Value;
use sqlx::{Any, Transaction, any::AnyArguments, query::QueryAs};

use crate::{
    Db, StoreError,
    store::{self, Versioned},
};

/// One page of a search: how many match in all, this page's matches, and the included resources.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchPage {
    pub total: i64,
    pub matches: Vec<Versioned>,
    pub included: Vec<Versioned>,
}

/// Replaces the index rows of one resource (`None`: deleted, so none).
pub(crate) async fn reindex(
    tx: &mut Transaction<'_, Any>,
    resource_type: ResourceType,
    id: &str,
    resource: Option<&Value>,
    last_updated: &str,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM search_index WHERE resource_type = $1 AND id = $2")
        .bind(resource_type.as_str())
        .bind(id)
        .execute(&mut **tx)
        .await?;
    let Some(resource) = resource else {
        return Ok(());
    };
    let entries = entries_for(resource_type, resource, last_updated);
    insert_index(tx, &[(resource_type, id, entries)]).await
}

/// The index rows of a resource stored at `last_updated`: its search parameters' values and
/// `_lastUpdated`.
pub(crate) fn entries_for(
    resource_type: ResourceType,
    resource: &Value,
    last_updated: &str,
) -> Vec<IndexEntry> {
    let mut entries = index_entries(resource_type, resource);
    if let Some(range) = fhir::search::date_range(last_updated) {
        entries.push(IndexEntry {
            param: "_lastUpdated",
            system: None,
            value: None,
            exact: None,
            low: Some(range.0),
            high: Some(range.1),
        });
    }
    entries
}

/// Adds the index rows of resources that have none (new ones, or ones just cleared), many rows
/// to a statement: seeding and imports of thousands of resources stay quick.
pub(crate) async fn insert_index(
    tx: &mut Transaction<'_, Any>,
    resources: &[(ResourceType, &str, Vec<IndexEntry>)],
) -> Result<(), StoreError> {
    const ROWS_PER_STATEMENT: usize = 500;
    let rows: Vec<(ResourceType, &str, &IndexEntry)> = resources
        .iter()
        .flat_map(|(resource_type, id, entries)| {
            entries
                .iter()
                .map(move |entry| (*resource_type, *id, entry))
        })
        .collect();
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO search_index (resource_type, id, param, system, value, exact, low, high) VALUES {}",
            store::placeholders(tx, chunk.len(), 8)
        );
        let mut query = sqlx::query(&sql);
        for (resource_type, id, entry) in chunk {
            query = query
                .bind(resource_type.as_str())
                .bind(*id)
                .bind(entry.param)
                .bind(entry.system.clone())
                .bind(entry.value.clone())
                .bind(entry.exact.clone())
                .bind(entry.low)
                .bind(entry.high);
        }
        query.execute(&mut **tx).await?;
    }
    record_wide_dates(tx, &rows).await
}

/// The widest date range a search must expect without asking: a day (a date, or an instant).
pub(crate) const DAY_WIDE: i64 = 86_400;

/// Keeps `search_widths` (the widest date range per parameter, where wider than a day) true for
/// `rows`, in their transaction. Only wide ranges write here, and they are rare, so the rows of
/// this table are not a point every writer queues on.
async fn record_wide_dates(
    tx: &mut Transaction<'_, Any>,
    rows: &[(ResourceType, &str, &IndexEntry)],
) -> Result<(), StoreError> {
    let mut widest = std::collections::BTreeMap::<(&str, &str), i64>::new();
    for (resource_type, _, entry) in rows {
        if let (Some(low), Some(high)) = (entry.low, entry.high)
            && high - low > DAY_WIDE
        {
            let width = widest
                .entry((resource_type.as_str(), entry.param))
                .or_default();
            *width = (*width).max(high - low);
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
    let rows: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT resource_type, id, last_updated, content FROM resources WHERE deleted = 0",
    )
    .fetch_all(&mut *tx)
    .await?;
    let count = rows.len();
    for chunk in rows.chunks(500) {
        let mut entries = Vec::with_capacity(chunk.len());
        for (resource_type, id, last_updated, content) in chunk {
            let Ok(resource_type) = resource_type.parse::<ResourceType>() else {
                continue;
            };
            let resource: Value =
                serde_json::from_str(content).map_err(StoreError::CorruptResource)?;
            entries.push((
                resource_type,
                id.as_str(),
                entries_for(resource_type, &resource, last_updated),
            ));
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

/// SQL text and its parameters, numbered in the order they are added.
#[derive(Default)]
struct Sql {
    text: String,
    binds: Vec<Bind>,
}

enum Bind {
    Text(String),
    Int(i64),
}

impl Sql {
    fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    fn text(&mut self, value: impl Into<String>) -> &mut Self {
        self.binds.push(Bind::Text(value.into()));
        let n = self.binds.len();
        self.text.push_str(&format!("${n}"));
        self
    }

    fn int(&mut self, value: i64) -> &mut Self {
        self.binds.push(Bind::Int(value));
        let n = self.binds.len();
        self.text.push_str(&format!("${n}"));
        self
    }

    fn query_as<'q, T>(&'q self) -> QueryAs<'q, Any, T, AnyArguments<'q>>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow>,
    {
        let mut query = sqlx::query_as(&self.text);
        for bind in &self.binds {
            query = match bind {
                Bind::Text(t) => query.bind(t.as_str()),
                Bind::Int(i) => query.bind(*i),
            };
        }
        query
    }
}

/// The resources of `resource_type` that match `query`, one page of them, with includes.
pub async fn search(
    db: &Db,
    resource_type: ResourceType,
    query: &SearchQuery,
) -> Result<SearchPage, StoreError> {
    let mut count = Sql::default();
    count.push("SELECT COUNT(*) FROM resources r WHERE ");
    filter(&mut count, resource_type, &query.conditions);
    let (total,): (i64,) = count.query_as().fetch_one(db.pool()).await?;
    if query.summary_count || query.count == 0 {
        return Ok(SearchPage {
            total,
            matches: Vec::new(),
            included: Vec::new(),
        });
    }

    let mut page = Sql::default();
    page.push("SELECT r.id, r.version_id, r.last_updated, r.content FROM resources r WHERE ");
    filter(&mut page, resource_type, &query.conditions);
    page.push(" ORDER BY ");
    // Each sort key is the resource's own smallest value, looked up by its id. The `+ 0` and
    // `|| ''` keep SQLite from answering MIN() from the index in value order (which walks every
    // value of the parameter until it meets this resource's: a second per row at 100 000
    // patients) instead of from `search_index_by_owner`.
    for sort in &query.sort {
        match (sort.param, sort.kind) {
            ("_id", _) => page.push("r.id"),
            (param, ParamKind::Date) => {
                page.push("(SELECT MIN(i.low + 0) FROM search_index i WHERE i.resource_type = r.resource_type AND i.id = r.id AND i.param = ");
                page.text(param).push(")")
            }
            (param, _) => {
                page.push("(SELECT MIN(i.value || '') FROM search_index i WHERE i.resource_type = r.resource_type AND i.id = r.id AND i.param = ");
                page.text(param).push(")")
            }
        };
        page.push(if sort.descending { " DESC, " } else { " ASC, " });
    }
    // Ties are broken by id, so pages never overlap or skip.
    page.push("r.id LIMIT ")
        .int(query.count)
        .push(" OFFSET ")
        .int(query.offset);
    let rows: Vec<(String, i64, String, String)> = page.query_as().fetch_all(db.pool()).await?;
    let matches = rows
        .into_iter()
        .map(|(_, version_id, last_updated, content)| {
            store::versioned(&content, version_id, last_updated)
        })
        .collect::<Result<Vec<_>, _>>()?;

    let ids: Vec<String> = matches
        .iter()
        .filter_map(|m| m.resource["id"].as_str().map(String::from))
        .collect();
    let mut included = Vec::new();
    for include in &query.includes {
        let mut sql = Sql::default();
        sql.push("SELECT DISTINCT value FROM search_index WHERE resource_type = ")
            .text(resource_type.as_str())
            .push(" AND param = ")
            .text(include.param)
            .push(" AND id IN (");
        list(&mut sql, &ids);
        sql.push(")");
        let references: Vec<(String,)> = sql.query_as().fetch_all(db.pool()).await?;
        for (reference,) in references {
            let Some((target, id)) = reference.split_once('/') else {
                continue;
            };
            let Ok(target) = target.parse::<ResourceType>() else {
                continue;
            };
            if let store::Found::Current(v) = store::read(db, target, id).await? {
                included.push(v);
            }
        }
    }
    for include in &query.revincludes {
        let references: Vec<String> = ids
            .iter()
            .map(|id| format!("{resource_type}/{id}"))
            .collect();
        let mut sql = Sql::default();
        sql.push("SELECT r.id, r.version_id, r.last_updated, r.content FROM resources r WHERE r.resource_type = ")
            .text(include.source.as_str())
            .push(" AND r.deleted = 0 AND EXISTS (SELECT 1 FROM search_index i WHERE i.resource_type = r.resource_type AND i.id = r.id AND i.param = ")
            .text(include.param)
            .push(" AND i.value IN (");
        list(&mut sql, &references);
        sql.push(")) ORDER BY r.id");
        let rows: Vec<(String, i64, String, String)> = sql.query_as().fetch_all(db.pool()).await?;
        for (_, version_id, last_updated, content) in rows {
            included.push(store::versioned(&content, version_id, last_updated)?);
        }
    }
    Ok(SearchPage {
        total,
        matches,
        included,
    })
}

/// `a, b, c` as parameters; an empty list matches nothing.
fn list(sql: &mut Sql, values: &[String]) {
    if values.is_empty() {
        sql.push("NULL");
    }
    for (n, value) in values.iter().enumerate() {
        if n > 0 {
            sql.push(", ");
        }
        sql.text(value.as_str());
    }
}

fn filter(sql: &mut Sql, resource_type: ResourceType, conditions: &[Condition]) {
    sql.push("r.resource_type = ")
        .text(resource_type.as_str())
        .push(" AND r.deleted = 0");
    // Every date parameter is a single-valued element (`fhir::search::params`), so a resource
    // has at most one index row for it and conditions on it ANDed together (`start=ge…&start=lt…`)
    // are conditions on that one row: one range scan, not two half-table scans intersected.
    let mut dates = std::collections::BTreeMap::<&str, Vec<&Test>>::new();
    for condition in conditions {
        if let [test @ Test::Date(..)] = condition.any_of.as_slice() {
            dates.entry(condition.param).or_default().push(test);
            continue;
        }
        if condition.param == "_id" {
            let ids: Vec<String> = condition
                .any_of
                .iter()
                .filter_map(|t| {
                    if let Test::Id(id) = t {
                        Some(id.clone())
                    } else {
                        None
                    }
                })
                .collect();
            sql.push(" AND r.id IN (");
            list(sql, &ids);
            sql.push(")");
            continue;
        }
        // Driven from the index: each condition is a range scan of `search_index`, then key
        // lookups, rather than a probe of the index for every resource of the type.
        indexed(sql, resource_type, condition.param);
        for (n, test) in condition.any_of.iter().enumerate() {
            if n > 0 {
                sql.push(" OR ");
            }
            sql.push("(");
            matches(sql, test);
            sql.push(")");
        }
        sql.push("))");
    }
    for (param, tests) in dates {
        indexed(sql, resource_type, param);
        for (n, test) in tests.iter().enumerate() {
            if n > 0 {
                sql.push(" AND ");
            }
            sql.push("(");
            matches(sql, test);
            sql.push(")");
        }
        sql.push(")");
        // A range that ends after B starts no earlier than B less the widest range indexed:
        // a lower bound for the scan, which otherwise reads every row before the dates asked for.
        let ends_after = tests
            .iter()
            .filter_map(|test| match test {
                Test::Date(Comparator::Ge | Comparator::Eq, low, _) => Some(*low),
                Test::Date(Comparator::Gt, _, high) => Some(*high),
                _ => None,
            })
            .max();
        if let Some(bound) = ends_after {
            sql.push(" AND i.low > ")
                .int(bound)
                .push(
                    " - COALESCE((SELECT w.max_width FROM search_widths w WHERE w.resource_type = ",
                )
                .text(resource_type.as_str())
                .push(" AND w.param = ")
                .text(param)
                .push("), ")
                .int(DAY_WIDE)
                .push(")");
        }
        sql.push(")");
    }
}

/// ` AND r.id IN (SELECT i.id FROM search_index i WHERE … AND (`: the start of a condition on
/// `param`'s index rows; the caller closes both brackets.
fn indexed<'s>(sql: &'s mut Sql, resource_type: ResourceType, param: &str) -> &'s mut Sql {
    sql.push(" AND r.id IN (SELECT i.id FROM search_index i WHERE i.resource_type = ")
        .text(resource_type.as_str())
        .push(" AND i.param = ")
        .text(param)
        .push(" AND (")
}

fn matches(sql: &mut Sql, test: &Test) {
    match test {
        Test::StartsWith(prefix) => {
            // A range, not LIKE: both databases compare these columns byte by byte, so the index
            // serves it. U+10FFFF sorts after every character that can follow the prefix.
            sql.push("i.value >= ")
                .text(prefix.as_str())
                .push(" AND i.value < ")
                .text(format!("{prefix}\u{10FFFF}"))
        }
        Test::Exact(text) => sql.push("i.exact = ").text(text.as_str()),
        Test::Contains(text) => {
            let escaped = text
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            sql.push("i.value LIKE ")
                .text(format!("%{escaped}%"))
                .push(" ESCAPE '\\'")
        }
        Test::Token { system, code } => {
            match system {
                None => sql.push("1 = 1"),
                Some(None) => sql.push("i.system IS NULL"),
                Some(Some(system)) => sql.push("i.system = ").text(system.as_str()),
            };
            match code {
                Some(code) => sql.push(" AND i.value = ").text(code.as_str()),
                None => sql,
            }
        }
        Test::Reference(reference) => sql.push("i.value = ").text(reference.as_str()),
        Test::Id(id) => sql.push("i.id = ").text(id.as_str()),
        Test::Date(comparator, low, high) => {
            let within = |sql: &mut Sql| {
                sql.push("i.low >= ")
                    .int(*low)
                    .push(" AND i.high <= ")
                    .int(*high);
            };
            match comparator {
                Comparator::Eq => within(sql),
                Comparator::Ne => {
                    sql.push("NOT (");
                    within(sql);
                    sql.push(")");
                }
                Comparator::Gt => {
                    sql.push("i.high > ").int(*high);
                }
                Comparator::Lt => {
                    sql.push("i.low < ").int(*low);
                }
                Comparator::Ge => {
                    sql.push("i.high > ").int(*high).push(" OR (");
                    within(sql);
                    sql.push(")");
                }
                Comparator::Le => {
                    sql.push("i.low < ").int(*low).push(" OR (");
                    within(sql);
                    sql.push(")");
                }
            }
            sql
        }
    };
}
