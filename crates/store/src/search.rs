//! Search: answers FHIR searches from the search index (see [`crate::index`]), reading only the
//! page's resources.
//!
//! - A search's first condition, the one likely to match least (an exact code or reference, then
//!   text, then dates), is a range scan of `search_index`; the others are checked per resource by
//!   key (`search_index_by_owner`). Index rows exist only for current resources, so the count,
//!   the page and its sort keys come from the index alone; only the page's resources are read
//!   (unless it sorts by `_id` or `_lastUpdated`, answered from `resources`).
//! - Conditions on one date parameter are one scan, bounded below by the widest range that
//!   parameter has indexed (`search_widths`): a day's slots are one day's scan. The bound is looked
//!   up first and written into the statement as a value, and search statements are not kept
//!   prepared, so PostgreSQL plans each with its values (from an unknown bound it read a day's
//!   slots from the table instead of the index alone).
//! - `_total=none` skips counting: one match more than the page is read to know whether another
//!   follows (the clinicians' find-a-patient and the access trail ask for that).
//! - A patient search by family and given name together (each once, starts-with) is one range of
//!   the name pairs (`fhir::search::NAME_PAIRS`); sorted `family,given` it is read in that order
//!   up to the page's end.

use std::collections::HashSet;

use fhir::{
    ResourceType,
    search::{
        Amount, Comparator, Condition, NAME_PAIR_SEPARATOR, NAME_PAIRS, ParamKind, SearchQuery,
        Test, Total,
    },
};

pub use crate::stored::SearchPage;
use crate::{
    db::Db,
    error::StoreError,
    index::{UNBOUNDED, widest_unrecorded},
    resources,
    sql::{Bind, Sql},
    stored::{Found, Versioned, instant, versioned},
};

/// The resources of `resource_type` that match `query`, one page of them, with includes.
pub async fn search(
    db: &Db,
    resource_type: ResourceType,
    query: &SearchQuery,
) -> Result<SearchPage, StoreError> {
    if resource_type == ResourceType::AuditEvent {
        return db.ledger().search(query).await;
    }
    if query
        .revincludes
        .iter()
        .chain(&query.rev_iterated)
        .any(|include| include.source == ResourceType::AuditEvent)
    {
        return Err(StoreError::NotSupported(
            "AuditEvents are kept in the audit ledger: search them on their own",
        ));
    }
    let mut plan = Plan::new(resource_type, &query.conditions);
    plan.bound_dates(db).await?;
    let total = if query.summary_count || query.total == Total::Accurate {
        Some(count_matches(db, &plan).await?)
    } else {
        None
    };
    if query.summary_count || query.count == 0 {
        return Ok(SearchPage::count_only(total, query.offset));
    }

    // Uncounted, one match more than the page tells whether another page follows.
    let limit = query.count + i64::from(total.is_none());
    let mut page = Sql::default();
    page.push("SELECT r.rid, r.version_id, r.last_updated, r.content FROM resources r WHERE ");
    if let Some((family, given)) = plan.names_in_name_order(&query.sort) {
        page.push("r.rid IN (");
        plan.keys_in_name_order(&mut page, family, given);
        page.push(" LIMIT ")
            .int(limit)
            .push(" OFFSET ")
            .int(query.offset)
            .push(") ORDER BY ");
        first_name_pair(&mut page, "r", family, given);
        page.push(", r.rid");
        return finish(db, resource_type, query, total, &page).await;
    }
    let page_from_index = plan.index_only()
        && query
            .sort
            .iter()
            .all(|sort| sort.param != "_id" && sort.param != "_lastUpdated");
    if page_from_index {
        // The index alone picks the page, sort keys included: only the page's resources are
        // read, not every match's (at a million patients they are random reads from a store
        // bigger than memory: "find a patient" by name took 99 ms at the median).
        page.push("r.rid IN (SELECT m.rid FROM (");
        plan.matching_keys(&mut page);
        page.push(") m ORDER BY ");
        order_by(&mut page, &query.sort, "m");
        page.push(" LIMIT ")
            .int(limit)
            .push(" OFFSET ")
            .int(query.offset)
            .push(") ORDER BY ");
        order_by(&mut page, &query.sort, "r");
        return finish(db, resource_type, query, total, &page).await;
    }
    plan.filter(&mut page);
    page.push(" ORDER BY ");
    order_by(&mut page, &query.sort, "r");
    page.push(" LIMIT ")
        .int(limit)
        .push(" OFFSET ")
        .int(query.offset);
    finish(db, resource_type, query, total, &page).await
}

/// How many resources match `plan`: a second pass over every match, which `_total=none` spares.
async fn count_matches(db: &Db, plan: &Plan<'_>) -> Result<i64, StoreError> {
    let mut count = Sql::default();
    if plan.index_only() {
        count.push("SELECT COUNT(*) FROM (");
        plan.matching_keys(&mut count);
        count.push(") m");
    } else {
        count.push("SELECT COUNT(*) FROM resources r WHERE ");
        plan.filter(&mut count);
    }
    let (total,): (i64,) = count.query_as().fetch_one(db.pool()).await?;
    Ok(total)
}

/// The sort keys of the resources `alias.rid` names, then the key itself: ties are broken by
/// the order resources were first stored in, so pages never overlap or skip. `_id` and
/// `_lastUpdated` are columns of `resources`, so only for an alias of it.
///
/// Each other sort key is the resource's own smallest value, looked up by its key. The `+ 0`
/// and `|| ''` keep SQLite from answering MIN() from a value index in value order (which walks
/// every value of the parameter until it meets this resource's: a second per row at 100 000
/// patients) instead of from `search_index_by_owner`.
fn order_by(sql: &mut Sql, sorts: &[fhir::search::Sort], alias: &str) {
    for sort in sorts {
        match (sort.param, sort.kind) {
            ("_id", _) => sql.push(&format!("{alias}.id")),
            ("_lastUpdated", _) => sql.push(&format!("{alias}.last_updated")),
            (param, ParamKind::Date) => {
                sql.push(&format!(
                    "(SELECT MIN(i.low + 0) FROM search_index i WHERE i.rid = {alias}.rid AND i.param = "
                ));
                sql.text(param).push(")")
            }
            (param, ParamKind::Number | ParamKind::Quantity) => {
                sql.push(&format!(
                    "(SELECT MIN(i.number_low + 0) FROM search_index i WHERE i.rid = {alias}.rid AND i.param = "
                ));
                sql.text(param).push(")")
            }
            (param, _) => {
                sql.push(&format!(
                    "(SELECT MIN(i.value || '') FROM search_index i WHERE i.rid = {alias}.rid AND i.param = "
                ));
                sql.text(param).push(")")
            }
        };
        sql.push(if sort.descending { " DESC, " } else { " ASC, " });
    }
    sql.push(&format!("{alias}.rid"));
}

/// Reads the page `page` selects, and the resources the query includes with it.
async fn finish(
    db: &Db,
    resource_type: ResourceType,
    query: &SearchQuery,
    total: Option<i64>,
    page: &Sql,
) -> Result<SearchPage, StoreError> {
    let mut rows: Vec<(i64, i64, String, String)> = page.query_as().fetch_all(db.pool()).await?;
    let page_size = usize::try_from(query.count).unwrap_or(usize::MAX);
    let more = match total {
        Some(total) => query.offset + query.count < total,
        None => rows.len() > page_size,
    };
    rows.truncate(page_size);
    let rids: Vec<i64> = rows.iter().map(|(rid, ..)| *rid).collect();
    let matches = rows
        .into_iter()
        .map(|(_, version_id, last_updated, content)| versioned(&content, version_id, last_updated))
        .collect::<Result<Vec<_>, _>>()?;

    let ids: Vec<(i64, String)> = rids
        .into_iter()
        .zip(matches.iter())
        .filter_map(|(rid, m)| Some((rid, m.resource["id"].as_str()?.to_owned())))
        .collect();
    let included = follow_includes(db, query, resource_type, ids).await?;
    Ok(SearchPage {
        total,
        more,
        matches,
        included,
    })
}

/// What the search's includes bring, each resource once and none of the matches: round by
/// round, from the resources the last round brought (the matches first), the references they
/// hold (`_include`) and the resources that refer to them (`_revinclude`); past the first
/// round only the `:iterate` ones, up to [`MAX_INCLUDE_ROUNDS`].
async fn follow_includes(
    db: &Db,
    query: &SearchQuery,
    resource_type: ResourceType,
    matches: Vec<(i64, String)>,
) -> Result<Vec<Versioned>, StoreError> {
    let iterates = !query.iterated.is_empty() || !query.rev_iterated.is_empty();
    let mut included = Vec::new();
    let mut seen: HashSet<String> = matches
        .iter()
        .map(|(_, id)| format!("{resource_type}/{id}"))
        .collect();
    // Each resource the last round brought, by type: its key and its id.
    let mut frontier: Vec<(ResourceType, Vec<(i64, String)>)> = vec![(resource_type, matches)];
    for round in 0..=MAX_INCLUDE_ROUNDS {
        let mut next: Vec<(ResourceType, Vec<(i64, String)>)> = Vec::new();
        let mut bring = |target: ResourceType, rid: i64, id: String| match next
            .iter_mut()
            .find(|(t, _)| *t == target)
        {
            Some((_, members)) => members.push((rid, id)),
            None => next.push((target, vec![(rid, id)])),
        };
        let (includes, revincludes) = if round == 0 {
            (
                query
                    .includes
                    .iter()
                    .chain(&query.iterated)
                    .collect::<Vec<_>>(),
                query
                    .revincludes
                    .iter()
                    .chain(&query.rev_iterated)
                    .collect::<Vec<_>>(),
            )
        } else {
            (
                query.iterated.iter().collect(),
                query.rev_iterated.iter().collect(),
            )
        };
        for (source, members) in &frontier {
            for include in includes.iter().filter(|i| i.source == *source) {
                let mut sql = Sql::default();
                sql.push("SELECT DISTINCT value FROM search_index WHERE param = ")
                    .text(include.param)
                    .push(" AND rid IN (");
                list(&mut sql, members.iter().map(|(rid, _)| *rid));
                sql.push(")");
                let references: Vec<(String,)> = sql.query_as().fetch_all(db.pool()).await?;
                for (reference,) in references {
                    if !seen.insert(reference.clone()) {
                        continue;
                    }
                    let Some((target, id)) = reference.split_once('/') else {
                        continue;
                    };
                    let Ok(target) = target.parse::<ResourceType>() else {
                        continue;
                    };
                    if let Found::Current(v) = resources::read(db, target, id).await? {
                        included.push(v);
                        if iterates && let Some(rid) = rid_of(db, target, id).await? {
                            bring(target, rid, id.to_owned());
                        }
                    }
                }
            }
            // What refers to this round's resources: a reference parameter of the source type
            // whose value is one of them (`Type/id`).
            for include in &revincludes {
                let references = members.iter().map(|(_, id)| format!("{source}/{id}"));
                let mut sql = Sql::default();
                sql.push("SELECT r.rid, r.id, r.version_id, r.last_updated, r.content FROM resources r WHERE r.resource_type = ")
                    .text(include.source.as_str())
                    .push(" AND r.deleted = 0 AND r.rid IN (SELECT i.rid FROM search_index i WHERE i.resource_type = ")
                    .text(include.source.as_str())
                    .push(" AND i.param = ")
                    .text(include.param)
                    .push(" AND i.value IS NOT NULL AND i.value IN (");
                list(&mut sql, references);
                sql.push(")) ORDER BY r.rid");
                let rows: Vec<(i64, String, i64, String, String)> =
                    sql.query_as().fetch_all(db.pool()).await?;
                for (rid, id, version_id, last_updated, content) in rows {
                    if !seen.insert(format!("{}/{id}", include.source)) {
                        continue;
                    }
                    included.push(versioned(&content, version_id, last_updated)?);
                    if iterates {
                        bring(include.source, rid, id);
                    }
                }
            }
        }
        if next.is_empty() || !iterates {
            break;
        }
        frontier = next;
    }
    Ok(included)
}

/// How many times `:iterate` includes are followed past the matches: enough for the chains FHIR's
/// examples use (an appointment's slot's schedule's practitioner), and a bound on a cycle.
const MAX_INCLUDE_ROUNDS: usize = 4;

/// The search-index key of a current resource.
async fn rid_of(db: &Db, resource_type: ResourceType, id: &str) -> Result<Option<i64>, StoreError> {
    let mut sql = Sql::default();
    sql.push("SELECT rid FROM resources WHERE resource_type = ")
        .text(resource_type.as_str())
        .push(" AND id = ")
        .text(id);
    let row: Option<(i64,)> = sql.query_as().fetch_optional(db.pool()).await?;
    Ok(row.map(|(rid,)| rid))
}

/// `$1, $2, $3`, one parameter per value; an empty list matches nothing.
fn list<V: Into<Bind>>(sql: &mut Sql, values: impl IntoIterator<Item = V>) {
    let mut values = values.into_iter().peekable();
    if values.peek().is_none() {
        sql.push("NULL");
    }
    for (n, value) in values.enumerate() {
        if n > 0 {
            sql.push(", ");
        }
        sql.bind(value.into());
    }
}

/// A search's conditions, split by what answers them: the search index (one sub-query of
/// matching keys each), or `resources` itself (`_id`, `_lastUpdated`).
struct Plan<'q> {
    resource_type: ResourceType,
    on_index: Vec<OnIndex<'q>>,
    on_resource: Vec<&'q Condition>,
}

enum OnIndex<'q> {
    /// Any of these tests on one parameter's values.
    Values { param: &'q str, any_of: &'q [Test] },
    /// A patient's family name starts with `family` and a given name with `given` (the default
    /// string search on each, `family=…&given=…`): one range of the name pairs
    /// (`fhir::search::NAME_PAIRS`) with both tested on each row, where two conditions would
    /// check every patient with the family name for the given name, one random read each.
    NamePair { family: &'q str, given: &'q str },
    /// All of these tests on one date parameter. Every date parameter is a single-valued
    /// element (`fhir::search::params`), so a resource has at most one index row for it and
    /// conditions on it ANDed together (`start=ge…&start=lt…`) are conditions on that one row:
    /// one range scan, not two half-table scans intersected.
    Dates {
        param: &'q str,
        all_of: Vec<&'q Test>,
        /// Where matching ranges can start at the earliest, when the tests say they end after
        /// some time: set by [`Plan::bound_dates`] before any SQL is written.
        starts_from: Option<i64>,
    },
}

impl<'q> Plan<'q> {
    fn new(resource_type: ResourceType, conditions: &'q [Condition]) -> Self {
        let mut on_index = Vec::new();
        let mut on_resource = Vec::new();
        let mut dates = std::collections::BTreeMap::<&str, Vec<&Test>>::new();
        for condition in conditions {
            match condition.any_of.as_slice() {
                _ if matches!(condition.param, "_id" | "_lastUpdated" | "_has") => {
                    on_resource.push(condition)
                }
                // Whether a resource has any row for the parameter: asked of each resource.
                [Test::Missing(_) | Test::Not(_)] => on_resource.push(condition),
                [test @ Test::Date(..)] => dates.entry(condition.param).or_default().push(test),
                any_of => on_index.push(OnIndex::Values {
                    param: condition.param,
                    any_of,
                }),
            }
        }
        on_index.extend(dates.into_iter().map(|(param, all_of)| OnIndex::Dates {
            param,
            all_of,
            starts_from: None,
        }));
        if resource_type == ResourceType::Patient {
            pair_names(&mut on_index);
        }
        // The first condition is read as a range of the index and the others are checked for
        // each key it yields, so the one likely to match least goes first (SQLite keeps no
        // statistics to tell; PostgreSQL plans from its own whatever the order).
        on_index.sort_by_key(OnIndex::breadth);
        Self {
            resource_type,
            on_index,
            on_resource,
        }
    }

    /// Whether the index alone knows the matches: its rows exist only for current resources,
    /// so then nothing needs reading from `resources` to count them or to pick a page by key.
    fn index_only(&self) -> bool {
        !self.on_index.is_empty() && self.on_resource.is_empty()
    }

    /// The matching resources' keys, from the index alone (only when [`Plan::index_only`]).
    fn matching_keys(&self, sql: &mut Sql) {
        let Some((first, rest)) = self.on_index.split_first() else {
            return;
        };
        // A resource has as many rows as values (two codes, two names): one key each. A date
        // parameter has one row per resource (see `OnIndex::Dates`), so nothing to fold: at a
        // million patients a day's slots are 2 880 keys, sorted and deduplicated for nothing.
        sql.push(match first {
            OnIndex::Dates { .. } => "SELECT d.rid FROM (SELECT i.rid",
            OnIndex::Values { .. } | OnIndex::NamePair { .. } => {
                "SELECT DISTINCT d.rid FROM (SELECT i.rid"
            }
        });
        first.rows(sql, self.resource_type, None);
        sql.push(") d WHERE 1 = 1");
        for condition in rest {
            sql.push(" AND EXISTS (SELECT 1");
            condition.rows(sql, self.resource_type, Some("d"));
            sql.push(")");
        }
    }

    /// The name pair to read the page from, when the page is sorted as name pairs are
    /// (`_sort=family,given`) and the index alone answers the search. Then the index is read in
    /// that order and stops at the page's end: "find a patient" by a broad prefix reads a page's
    /// worth of rows instead of every match's.
    fn names_in_name_order(&self, sort: &[fhir::search::Sort]) -> Option<(&'q str, &'q str)> {
        let by_name = matches!(
            sort,
            [family, given] if family.param == "family" && !family.descending
                && given.param == "given" && !given.descending
        );
        if !by_name || !self.on_resource.is_empty() {
            return None;
        }
        self.on_index.iter().find_map(|condition| match condition {
            OnIndex::NamePair { family, given } => Some((*family, *given)),
            _ => None,
        })
    }

    /// The matching patients' keys in name order, each listed once, by the first of its name
    /// pairs that matches (`_sort` on a repeated element is the server's choice in FHIR; this
    /// is the name the search found the patient by). Only after [`Plan::names_in_name_order`].
    fn keys_in_name_order(&self, sql: &mut Sql, family: &str, given: &str) {
        sql.push("SELECT n.rid FROM search_index n WHERE n.resource_type = ")
            .text(ResourceType::Patient.as_str())
            .push(" AND n.param = ")
            .text(NAME_PAIRS)
            .push(" AND n.value IS NOT NULL AND ");
        name_pair_matches(sql, "n", family, given);
        // A patient with two matching pairs (two given names that start alike) is listed by
        // the first: a look-up by key for each row read, and rows are read only up to the
        // page's end.
        sql.push(" AND n.value = ");
        first_name_pair(sql, "n", family, given);
        for condition in &self.on_index {
            if matches!(condition, OnIndex::NamePair { .. }) {
                continue;
            }
            sql.push(" AND EXISTS (SELECT 1");
            condition.rows(sql, self.resource_type, Some("n"));
            sql.push(")");
        }
        sql.push(" ORDER BY n.value, n.rid");
    }

    /// Bounds each date condition's scan from below. A range that ends after B starts after B
    /// less the widest range the parameter has indexed (`search_widths`), so the scan need not
    /// read every row before the dates asked for; there is no bound where a period open at its
    /// start was indexed (it starts before any). The bound is looked up here and written into
    /// the search as a value rather than as a sub-query: PostgreSQL plans with the values it
    /// is given, and from a sub-query's unknown result it planned a day's slots at a million
    /// patients as two bitmap scans that then read the table (1 761 pages, 147 ms, from disk)
    /// instead of the date index alone (45 pages, 5 ms). A write that widens the range races
    /// with the search as any write does: the search may miss only what was written after it
    /// began.
    async fn bound_dates(&mut self, db: &Db) -> Result<(), StoreError> {
        for condition in &mut self.on_index {
            let Some(ends_after) = condition.ends_after() else {
                continue;
            };
            let OnIndex::Dates {
                param, starts_from, ..
            } = condition
            else {
                continue;
            };
            let widest: Option<(i64,)> = sqlx::query_as(
                "SELECT max_width FROM search_widths WHERE resource_type = $1 AND param = $2",
            )
            .bind(self.resource_type.as_str())
            .bind(*param)
            .fetch_optional(db.pool())
            .await?;
            let after = ends_after.saturating_add(1);
            *starts_from = match widest {
                None => Some(after.saturating_sub(widest_unrecorded(self.resource_type, param))),
                Some((UNBOUNDED,)) => None,
                // Before 1970 `after` is negative, and a wide range takes `after - width` below
                // the smallest BIGINT: no bound then.
                Some((width,)) => after.checked_sub(width),
            };
        }
        Ok(())
    }

    /// The conditions on `resources r`, for a `WHERE`.
    fn filter(&self, sql: &mut Sql) {
        // Index rows carry their resource's type and exist only while it is not deleted, so a
        // condition on them names the type already. Then the type is not asked of `resources`
        // again: SQLite, which plans without statistics, would otherwise read every resource of
        // the type (resources_by_change) and test each against the matches, instead of fetching
        // the matches by key.
        if self.on_index.is_empty() {
            sql.push("r.resource_type = ")
                .text(self.resource_type.as_str())
                .push(" AND r.deleted = 0");
        } else {
            sql.push("r.deleted = 0");
        }
        for condition in &self.on_resource {
            if condition.param == "_lastUpdated" {
                last_updated(sql, &condition.any_of);
                continue;
            }
            if let [Test::Missing(missing)] = condition.any_of.as_slice() {
                sql.push(if *missing {
                    " AND NOT EXISTS"
                } else {
                    " AND EXISTS"
                })
                .push(" (SELECT 1 FROM search_index m WHERE m.rid = r.rid AND m.param = ")
                .text(condition.param)
                .push(")");
                continue;
            }
            if let [
                Test::Has {
                    source,
                    reference,
                    condition,
                },
            ] = condition.any_of.as_slice()
            {
                // What some resource of `source` meeting the condition points to, as `Type/id`.
                sql.push(" AND r.resource_type || '/' || r.id IN (SELECT h.value")
                    .push(" FROM search_index h WHERE h.resource_type = ")
                    .text(source.as_str())
                    .push(" AND h.param = ")
                    .text(*reference)
                    .push(" AND h.value IS NOT NULL AND h.rid IN (SELECT i.rid FROM search_index i")
                    .push(" WHERE i.resource_type = ")
                    .text(source.as_str())
                    .push(" AND i.param = ")
                    .text(condition.param)
                    .push(" AND (");
                for (n, test) in condition.any_of.iter().enumerate() {
                    if n > 0 {
                        sql.push(" OR ");
                    }
                    sql.push("(");
                    matches(sql, test);
                    sql.push(")");
                }
                sql.push(")))");
                continue;
            }
            if let [Test::Not(none_of)] = condition.any_of.as_slice() {
                sql.push(" AND NOT EXISTS (SELECT 1 FROM search_index i WHERE i.rid = r.rid")
                    .push(" AND i.param = ")
                    .text(condition.param)
                    .push(" AND (");
                for (n, test) in none_of.iter().enumerate() {
                    if n > 0 {
                        sql.push(" OR ");
                    }
                    sql.push("(");
                    matches(sql, test);
                    sql.push(")");
                }
                sql.push("))");
                continue;
            }
            let ids: Vec<String> = condition
                .any_of
                .iter()
                .filter_map(|t| match t {
                    Test::Id(id) => Some(id.clone()),
                    _ => None,
                })
                .collect();
            sql.push(" AND r.id IN (");
            list(sql, ids);
            sql.push(")");
        }
        // Driven from the index: each condition is a range scan of `search_index`, then key
        // lookups, rather than a probe of the index for every resource of the type.
        for (n, condition) in self.on_index.iter().enumerate() {
            if n == 0 {
                sql.push(" AND r.rid IN (SELECT i.rid");
                condition.rows(sql, self.resource_type, None);
            } else {
                sql.push(" AND EXISTS (SELECT 1");
                condition.rows(sql, self.resource_type, Some("r"));
            }
            sql.push(")");
        }
    }
}

impl OnIndex<'_> {
    fn param(&self) -> &str {
        match self {
            OnIndex::Values { param, .. } | OnIndex::Dates { param, .. } => param,
            OnIndex::NamePair { .. } => NAME_PAIRS,
        }
    }

    /// The condition's tests, and how they combine (`Values` any of, `Dates` all of; a
    /// `NamePair`'s two are tested on one row, by `name_pair_matches`).
    fn tests(&self) -> (Vec<&Test>, &'static str) {
        match self {
            OnIndex::Values { any_of, .. } => (any_of.iter().collect(), " OR "),
            OnIndex::Dates { all_of, .. } => (all_of.clone(), " AND "),
            OnIndex::NamePair { .. } => (Vec::new(), " AND "),
        }
    }

    /// Which index rows the condition reads: dates, ORed ones too (`date=2024,2025`), are on
    /// the date rows; numbers and quantities on the number rows.
    fn column(&self) -> Column {
        if let OnIndex::NamePair { .. } = self {
            return Column::Value;
        }
        let (tests, _) = self.tests();
        // A composite's rows are those of its value's kind.
        let tests: Vec<&Test> = tests
            .into_iter()
            .map(|t| match t {
                Test::Composite { value, .. } => value.as_ref(),
                t => t,
            })
            .collect();
        if tests.iter().all(|t| matches!(t, Test::Date(..))) {
            Column::Low
        } else if tests.iter().all(|t| {
            matches!(
                t,
                Test::Number(_) | Test::Quantity { .. } | Test::Near { .. }
            )
        }) {
            Column::Number
        } else {
            Column::Value
        }
    }

    /// How many resources the condition is likely to match, in rank only: an exact code or
    /// reference (an identifier, a patient) fewest, then text, then dates, then a code system
    /// alone or text found anywhere in a value.
    fn breadth(&self) -> u8 {
        if let OnIndex::NamePair { .. } = self {
            return 1;
        }
        let (tests, _) = self.tests();
        tests
            .iter()
            .map(|test| match test {
                Test::Reference(_)
                | Test::Id(_)
                | Test::OfType(_)
                | Test::Composite { .. }
                | Test::Token { code: Some(_), .. } => 0,
                Test::Exact(_) | Test::StartsWith(_) | Test::Chained { .. } => 1,
                Test::Date(..) | Test::Number(_) | Test::Quantity { .. } | Test::Near { .. } => 2,
                Test::Token { code: None, .. }
                | Test::Contains(_)
                | Test::Missing(_)
                | Test::Not(_)
                | Test::Has { .. } => 3,
            })
            .max()
            .unwrap_or(3)
    }

    /// ` FROM search_index i WHERE …`: the index rows that meet the condition; with `owner`,
    /// only those of that alias's resource (a check made per resource, by key: its type is
    /// known, and leaving it out keeps the planner on `search_index_by_owner`).
    fn rows(&self, sql: &mut Sql, resource_type: ResourceType, owner: Option<&str>) {
        match owner {
            Some(owner) => sql.push(&format!(" FROM search_index i WHERE i.rid = {owner}.rid")),
            None => sql
                .push(" FROM search_index i WHERE i.resource_type = ")
                .text(resource_type.as_str()),
        };
        sql.push(" AND i.param = ").text(self.param());
        if let OnIndex::NamePair { family, given } = self {
            sql.push(" AND i.value IS NOT NULL AND ");
            name_pair_matches(sql, "i", family, given);
            return;
        }
        sql.push(match self.column() {
            Column::Value => " AND i.value IS NOT NULL AND (",
            Column::Low => " AND i.low IS NOT NULL AND (",
            Column::Number => " AND i.number_low IS NOT NULL AND (",
        });
        let (tests, joiner) = self.tests();
        for (n, test) in tests.iter().enumerate() {
            if n > 0 {
                sql.push(joiner);
            }
            sql.push("(");
            matches(sql, test);
            sql.push(")");
        }
        sql.push(")");
        if let OnIndex::Dates {
            starts_from: Some(from),
            ..
        } = self
        {
            sql.push(" AND i.low >= ").int(*from);
        }
    }

    /// The latest instant every match's range must end after, when the tests (all of them
    /// holding) say so.
    fn ends_after(&self) -> Option<i64> {
        let OnIndex::Dates { all_of, .. } = self else {
            return None;
        };
        all_of
            .iter()
            .filter_map(|test| match test {
                Test::Date(Comparator::Ge | Comparator::Eq, low, _) => Some(*low),
                Test::Date(Comparator::Gt, _, high) => Some(*high),
                _ => None,
            })
            .max()
    }
}

/// Replaces a patient search's single default test on `family` and single one on `given` with one
/// [`OnIndex::NamePair`]. Anything else (either repeated, several values, a modifier, the
/// separator in the text) keeps the two conditions.
fn pair_names<'q>(on_index: &mut Vec<OnIndex<'q>>) {
    let only_prefix = |param: &str| -> Option<(usize, &'q str)> {
        let mut named = on_index
            .iter()
            .enumerate()
            .filter(|(_, condition)| condition.param() == param);
        let (at, condition) = named.next()?;
        if named.next().is_some() {
            return None;
        }
        let OnIndex::Values { any_of, .. } = condition else {
            return None;
        };
        let any_of: &'q [Test] = any_of;
        match any_of {
            [Test::StartsWith(prefix)] if !prefix.contains(NAME_PAIR_SEPARATOR) => {
                Some((at, prefix.as_str()))
            }
            _ => None,
        }
    };
    let (Some((family_at, family)), Some((given_at, given))) =
        (only_prefix("family"), only_prefix("given"))
    else {
        return;
    };
    on_index.remove(family_at.max(given_at));
    on_index.remove(family_at.min(given_at));
    on_index.push(OnIndex::NamePair { family, given });
}

/// `alias` is a name pair whose family name starts with `family` (a range of
/// `search_index_by_value`) and whose given name starts with `given` (tested on the same row).
fn name_pair_matches(sql: &mut Sql, alias: &str, family: &str, given: &str) {
    let escaped = |text: &str| {
        text.replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    };
    sql.push(&format!("{alias}.value >= "))
        .text(family)
        .push(&format!(" AND {alias}.value < "))
        .text(format!("{family}\u{10FFFF}"))
        .push(&format!(" AND {alias}.value LIKE "))
        .text(format!(
            "{}%{NAME_PAIR_SEPARATOR}{}%",
            escaped(family),
            escaped(given)
        ))
        .push(" ESCAPE '\\'");
}

/// The first of `owner`'s name pairs that match: a look-up by key. (`|| ''`, as in `order_by`,
/// keeps SQLite from answering MIN() by walking the value index.)
fn first_name_pair(sql: &mut Sql, owner: &str, family: &str, given: &str) {
    sql.push(&format!(
        "(SELECT MIN(j.value || '') FROM search_index j WHERE j.rid = {owner}.rid AND j.param = "
    ))
    .text(NAME_PAIRS)
    .push(" AND j.value IS NOT NULL AND ");
    name_pair_matches(sql, "j", family, given);
    sql.push(")");
}

/// Which of the index's value indexes a condition reads: each holds only the rows that have
/// its column, so the condition says so in the index's own words for the planner to use it.
#[derive(Clone, Copy)]
enum Column {
    /// Strings, tokens, references: `search_index_by_value`.
    Value,
    /// Dates: `search_index_by_date`.
    Low,
    /// Numbers and quantities: `search_index_by_number`.
    Number,
}

/// `_lastUpdated` conditions (ORed), on the time each resource's current version was stored
/// (`resources_by_change`). The stored text is UTC with milliseconds, so text order is time
/// order, and a stored instant `t` stands for [t, t + 1 ms).
fn last_updated(sql: &mut Sql, any_of: &[Test]) {
    let at = |seconds: i64| {
        jiff::Timestamp::from_second(seconds)
            .map(instant)
            .unwrap_or_else(|_| if seconds < 0 { "0000" } else { "9999" }.to_owned())
    };
    sql.push(" AND (");
    for (n, test) in any_of.iter().enumerate() {
        if n > 0 {
            sql.push(" OR ");
        }
        let Test::Date(comparator, low, high) = test else {
            sql.push("1 = 0");
            continue;
        };
        let (low, high) = (at(*low), at(*high));
        sql.push("(");
        match comparator {
            // A stored instant is a point: it overlaps the value's range when within it.
            Comparator::Eq | Comparator::Approximately => sql
                .push("r.last_updated >= ")
                .text(low)
                .push(" AND r.last_updated < ")
                .text(high),
            Comparator::Ne => sql
                .push("r.last_updated < ")
                .text(low)
                .push(" OR r.last_updated >= ")
                .text(high),
            Comparator::Gt => sql.push("r.last_updated >= ").text(high),
            Comparator::Lt => sql.push("r.last_updated < ").text(low),
            Comparator::Ge => sql.push("r.last_updated >= ").text(low),
            Comparator::Le => sql.push("r.last_updated < ").text(high),
            Comparator::StartsAfter => sql.push("r.last_updated >= ").text(high),
            Comparator::EndsBefore => sql.push("r.last_updated < ").text(low),
        };
        sql.push(")");
    }
    sql.push(")");
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
        Test::Composite {
            system,
            code,
            value,
        } => {
            sql.push("i.pair_code = ").text(code.as_str());
            match system {
                None => {}
                Some(None) => {
                    sql.push(" AND i.pair_system IS NULL");
                }
                Some(Some(system)) => {
                    sql.push(" AND i.pair_system = ").text(system.as_str());
                }
            }
            sql.push(" AND (");
            matches(sql, value);
            sql.push(")")
        }
        // By `value`, which the index serves; `exact` tells it from a plain token's row.
        Test::OfType(typed) => sql
            .push("i.value = ")
            .text(typed.as_str())
            .push(" AND i.exact = ")
            .text(typed.as_str()),
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
        // The references to the target's resources that meet the chain's condition: the
        // condition is asked of the target's own index rows (this alias `i` shadows the outer
        // one inside the sub-query, so `matches` serves at every link of a chain).
        Test::Chained { target, condition } => {
            sql.push("i.value IN (SELECT i.resource_type || '/' || c.id FROM search_index i")
                .push(" JOIN resources c ON c.rid = i.rid WHERE i.resource_type = ")
                .text(target.as_str())
                .push(" AND i.param = ")
                .text(condition.param)
                .push(" AND (");
            for (n, test) in condition.any_of.iter().enumerate() {
                if n > 0 {
                    sql.push(" OR ");
                }
                sql.push("(");
                matches(sql, test);
                sql.push(")");
            }
            sql.push("))")
        }
        // `_id`, `:missing` and `:not` are answered from `resources` (see `filter`).
        Test::Id(_) | Test::Missing(_) | Test::Not(_) | Test::Has { .. } => sql.push("1 = 0"),
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
                // `ge`: the range ends after the value, or lies within it; `le`: it starts before
                // the value, or lies within it. Each is written as an OR of two single-column
                // tests, which is the same set: spelled with `within`'s AND inside the OR,
                // PostgreSQL planned a day's slots as two bitmap scans and then read the
                // table's pages for the matches (120 pages for 2 880 slots, 1.5 ms with every
                // page cached, 5 ms without) instead of the date index alone (46 pages, 0.7 ms).
                Comparator::Ge => {
                    sql.push("i.high > ")
                        .int(*high)
                        .push(" OR i.low >= ")
                        .int(*low);
                }
                Comparator::Le => {
                    sql.push("i.low < ")
                        .int(*low)
                        .push(" OR i.high <= ")
                        .int(*high);
                }
                // Wholly after the value, or wholly before it.
                Comparator::StartsAfter => {
                    sql.push("i.low >= ").int(*high);
                }
                Comparator::EndsBefore => {
                    sql.push("i.high <= ").int(*low);
                }
                // The ranges overlap: the specification leaves the closeness to the server, and
                // a date's own precision is the closeness its writer chose.
                Comparator::Approximately => {
                    sql.push("i.low < ")
                        .int(*high)
                        .push(" AND i.high > ")
                        .int(*low);
                }
            }
            sql
        }
        Test::Number(amount) => amount_matches(sql, amount),
        Test::Near {
            latitude,
            longitude,
            km,
        } => near_matches(sql, *latitude, *longitude, *km),
        Test::Quantity {
            amount,
            system,
            code,
        } => {
            amount_matches(sql, amount);
            if let Some(system) = system {
                sql.push(" AND i.system = ").text(system.as_str());
            }
            match (system, code) {
                (_, None) => sql,
                (Some(_), Some(code)) => sql.push(" AND i.value = ").text(code.as_str()),
                // Without a system, the code may be the unit's code or the unit as written.
                (None, Some(code)) => sql
                    .push(" AND (i.value = ")
                    .text(code.as_str())
                    .push(" OR i.exact = ")
                    .text(code.as_str())
                    .push(")"),
            }
        }
    };
}

/// Kilometres in a degree of latitude, on a sphere of the Earth's mean radius (6 371 km).
const KM_PER_DEGREE: f64 = 6371.0 * std::f64::consts::PI / 180.0;

/// A position row (latitude in `number_low`, longitude in `number_high`) within `km` of the
/// point. First a box around the point, which the number index serves; then the distance on a
/// flat map of the point's surroundings, on which a degree of longitude is the cosine of the
/// latitude shorter than one of latitude: plain arithmetic, which both databases do alike
/// (SQLite's trigonometry is a build option). Within a few tens of kilometres that is the
/// distance along the ground to about 1 %. Where the reach crosses the antimeridian, the point
/// is also taken a turn east or west, so that Fiji is near Samoa.
fn near_matches(sql: &mut Sql, latitude: f64, longitude: f64, km: f64) -> &mut Sql {
    let reach = km / KM_PER_DEGREE;
    let shrink = latitude.to_radians().cos().max(1e-9);
    let width = reach / shrink;
    sql.push("i.number_low >= ")
        .float(latitude - reach)
        .push(" AND i.number_low <= ")
        .float(latitude + reach)
        .push(" AND (");
    let centres = [longitude, longitude - 360.0, longitude + 360.0]
        .into_iter()
        .filter(|centre| centre - width <= 180.0 && centre + width >= -180.0);
    for (n, centre) in centres.enumerate() {
        if n > 0 {
            sql.push(" OR ");
        }
        sql.push("(i.number_high >= ")
            .float(centre - width)
            .push(" AND i.number_high <= ")
            .float(centre + width)
            .push(" AND (i.number_low - ")
            .float(latitude)
            .push(") * (i.number_low - ")
            .float(latitude)
            .push(") + (i.number_high - ")
            .float(centre)
            .push(") * (i.number_high - ")
            .float(centre)
            .push(") * ")
            .float(shrink * shrink)
            .push(" <= ")
            .float(reach * reach)
            .push(")");
    }
    sql.push(")")
}

/// A number or quantity index row's `[number_low, number_high]` against a search amount, as the
/// specification's prefixes read for ranges: `eq` the value's precision contains the row's
/// range, `gt` some of the row's range lies above the value, `sa` all of it, and so on.
fn amount_matches<'s>(sql: &'s mut Sql, amount: &Amount) -> &'s mut Sql {
    let Amount {
        comparator,
        value,
        low,
        high,
    } = *amount;
    let within = |sql: &mut Sql| {
        sql.push("i.number_low >= ")
            .float(low)
            .push(" AND i.number_high < ")
            .float(high);
    };
    match comparator {
        Comparator::Eq => within(sql),
        Comparator::Ne => {
            sql.push("NOT (");
            within(sql);
            sql.push(")");
        }
        Comparator::Gt => {
            sql.push("i.number_high > ").float(value);
        }
        Comparator::Lt => {
            sql.push("i.number_low < ").float(value);
        }
        Comparator::Ge => {
            sql.push("i.number_high >= ").float(value);
        }
        Comparator::Le => {
            sql.push("i.number_low <= ").float(value);
        }
        Comparator::StartsAfter => {
            sql.push("i.number_low > ").float(value);
        }
        Comparator::EndsBefore => {
            sql.push("i.number_high < ").float(value);
        }
        // Within a tenth of the value (the specification's suggestion), or of its precision
        // for a zero.
        Comparator::Approximately => {
            let margin = if value == 0.0 {
                high - value
            } else {
                value.abs() / 10.0
            };
            sql.push("i.number_low <= ")
                .float(value + margin)
                .push(" AND i.number_high >= ")
                .float(value - margin);
        }
    }
    sql
}
