//! Reading the ledger: one row by its id, FHIR searches of AuditEvent (sorted by date either
//! way; paged), the newest rows, and a patient's own trail for "who has looked at your record".
//!
//! A search's plain `patient`, `agent`, `date`, `type`, `_id` and `_lastUpdated` conditions are
//! answered by the ledger's keys and columns. Its other conditions (AuditEvent's other fourteen
//! parameters, `:missing`, `:not`) filter the rows those select, each row read as its AuditEvent
//! ([`fhir::search::meets`]), at most [`FILTERED_AT_MOST`] of them: a search that would filter
//! more is refused as too costly, with a hint to narrow it by patient, agent or date. Keys for
//! them would cost every access's append (the ledger's hot path) for searches an administrator
//! makes now and then, and most (`outcome`, `action`, `subtype`) would match nearly every row.
//!
//! Rows are in the order they were written, which is the order of their `recorded` times to
//! within a batch (milliseconds): sorting by `date` or `_lastUpdated` reads them by `seq`, along
//! the primary key or a patient's or an agent's range of the keys, never sorting. On SQLite a
//! key's rows are in two parts, those in the index and those after its end ([`Keys`]): each
//! part is read along its range as far as the page needs, and the two pages merged.

use fhir::{
    ResourceType,
    search::{Comparator, Condition, SearchQuery, Test, Total, meets},
};
use sqlx::AnyPool;

use super::{entry::Entry, key_number::key_number, sqlite_keys};
use crate::{
    error::StoreError,
    sql::Sql,
    stored::SearchPage,
    stored::{Versioned, instant, with_version_meta},
};

/// A row read back.
#[derive(Debug, Clone, PartialEq)]
pub struct Logged {
    pub seq: i64,
    /// When it was written, in milliseconds since the epoch.
    pub logged: i64,
    pub entry: Entry,
}

impl Logged {
    /// The row as a FHIR AuditEvent: its id is its sequence number, it has one version.
    pub fn to_versioned(&self) -> Versioned {
        let logged = jiff::Timestamp::from_millisecond(self.logged)
            .map(instant)
            .unwrap_or_default();
        with_version_meta(self.entry.to_audit_event(&self.seq.to_string()), 1, logged)
    }
}

/// The rows `sql` selects (`seq, logged, entry`). `one_key`: it reads one key's range of the
/// keys (a patient's or an agent's rows) and filters nothing else, so it is kept prepared (see
/// [`Sql::prepared_query_as`]).
async fn rows(sql: &Sql, pool: &AnyPool, one_key: bool) -> Result<Vec<Logged>, StoreError> {
    let query = if one_key {
        sql.prepared_query_as::<(i64, i64, String)>()
    } else {
        sql.query_as::<(i64, i64, String)>()
    };
    query
        .fetch_all(pool)
        .await?
        .into_iter()
        .map(|(seq, logged, entry)| {
            Ok(Logged {
                seq,
                logged,
                entry: serde_json::from_str(&entry).map_err(StoreError::CorruptResource)?,
            })
        })
        .collect()
}

const COLUMNS: &str = "SELECT l.seq, l.logged, l.entry";

/// Where the keys by patient and agent are (see `super::sqlite_keys`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Keys {
    /// PostgreSQL: one table beside the rows, written with them.
    Beside,
    /// SQLite: the index in the keys' own file up to how far it goes, and after that each row's
    /// own `keys` column.
    Apart,
}

/// How far the index in the keys' own file goes.
const INDEXED: &str = "(SELECT seq FROM keys.audit_ledger_indexed WHERE id = 1)";

impl Keys {
    /// The parts a key's rows are found in, the newer first.
    fn parts(self) -> &'static [Part] {
        match self {
            Keys::Beside => &[Part::Beside],
            Keys::Apart => &[Part::AfterIndex, Part::Indexed],
        }
    }
}

/// Where some of a key's rows are found.
#[derive(Debug, Clone, Copy)]
enum Part {
    /// PostgreSQL's keys table.
    Beside,
    /// SQLite: the index in the keys' own file, up to how far it goes.
    Indexed,
    /// SQLite: the rows after the index's end, by their own keys.
    AfterIndex,
}

impl Part {
    /// Pushes ` FROM … WHERE …` for the rows with `key` in this part (with the row as `l` when
    /// `rows`, else only the keys where there are any), and returns the column of the rows'
    /// numbers, for the conditions that follow.
    fn push_from(self, sql: &mut Sql, key: &str, rows: bool) -> &'static str {
        let join = if rows {
            " JOIN audit_ledger l ON l.seq = k.seq"
        } else {
            ""
        };
        match self {
            Part::Beside => {
                sql.push(&format!(
                    " FROM audit_ledger_key_numbers k{join} WHERE k.key = "
                ))
                .int(key_number(key));
                "k.seq"
            }
            Part::Indexed => {
                sql.push(&format!(
                    " FROM keys.audit_ledger_keys k{join} WHERE k.key = "
                ))
                .text(key.to_owned())
                .push(" AND k.seq <= ")
                .push(INDEXED);
                "k.seq"
            }
            Part::AfterIndex => {
                sql.push(" FROM audit_ledger l WHERE l.seq > ")
                    .push(INDEXED)
                    .push(" AND instr(l.keys, ")
                    .text(sqlite_keys::pattern(key))
                    .push(") > 0");
                "l.seq"
            }
        }
    }
}

/// Conditions on a keyed row (`l`) whose number is in the given column, each pushed as
/// ` AND …`.
type Rest<'a> = &'a dyn Fn(&mut Sql, &str) -> Result<(), StoreError>;

/// The rows (`seq, logged, entry`) with `key` that `rest` lets through, by `seq` either way,
/// `limit` of them from `offset` on (all when `None`).
fn keyed_rows(
    keys: Keys,
    key: &str,
    rest: Rest<'_>,
    descending: bool,
    limit: Option<i64>,
    offset: i64,
) -> Result<Sql, StoreError> {
    let order = if descending { "DESC" } else { "ASC" };
    let parts = keys.parts();
    let mut sql = Sql::default();
    let mut seq = "";
    for (n, part) in parts.iter().enumerate() {
        if n > 0 {
            sql.push(" UNION ALL ");
        }
        if parts.len() > 1 {
            sql.push("SELECT * FROM (");
        }
        sql.push(COLUMNS);
        seq = part.push_from(&mut sql, key, true);
        rest(&mut sql, seq)?;
        if parts.len() > 1 {
            // Each part as far as the page needs, along its range.
            sql.push(&format!(" ORDER BY {seq} {order}"));
            if let Some(limit) = limit {
                sql.push(" LIMIT ").int(limit + offset);
            }
            sql.push(")");
        }
    }
    sql.push(&format!(
        " ORDER BY {} {order}",
        if parts.len() > 1 { "1" } else { seq }
    ));
    if let Some(limit) = limit {
        sql.push(" LIMIT ").int(limit).push(" OFFSET ").int(offset);
    }
    Ok(sql)
}

/// How many rows have `key`, counted in the keys alone where there is an index.
fn keyed_count(keys: Keys, key: &str) -> Sql {
    let mut sql = Sql::default();
    sql.push("SELECT ");
    for (n, part) in keys.parts().iter().enumerate() {
        if n > 0 {
            sql.push(" + ");
        }
        sql.push("(SELECT COUNT(*)");
        part.push_from(&mut sql, key, false);
        sql.push(")");
    }
    sql
}

/// The row whose AuditEvent id is `id`.
pub(crate) async fn read(pool: &AnyPool, id: &str) -> Result<Option<Logged>, StoreError> {
    let Some(seq) = parse_id(id) else {
        return Ok(None);
    };
    let mut sql = Sql::default();
    sql.push(COLUMNS)
        .push(" FROM audit_ledger l WHERE l.seq = ")
        .int(seq);
    Ok(rows(&sql, pool, false).await?.pop())
}

/// The newest `limit` rows, newest first.
pub(crate) async fn newest(pool: &AnyPool, limit: i64) -> Result<Vec<Logged>, StoreError> {
    let mut sql = Sql::default();
    sql.push(COLUMNS)
        .push(" FROM audit_ledger l ORDER BY l.seq DESC LIMIT ")
        .int(limit);
    rows(&sql, pool, false).await
}

/// An AuditEvent id is a sequence number, written without sign or leading zeros.
fn parse_id(id: &str) -> Option<i64> {
    let seq: i64 = id.parse().ok()?;
    (seq > 0 && seq.to_string() == id).then_some(seq)
}

/// A FHIR search of AuditEvent.
pub(crate) async fn search(
    pool: &AnyPool,
    keys: Keys,
    query: &SearchQuery,
) -> Result<SearchPage, StoreError> {
    let includes = [
        &query.includes,
        &query.iterated,
        &query.revincludes,
        &query.rev_iterated,
    ];
    if includes.iter().any(|list| !list.is_empty()) {
        return Err(StoreError::NotSupported(
            "_include and _revinclude are not supported on AuditEvent",
        ));
    }
    let linked = |test: &Test| matches!(test, Test::Chained { .. } | Test::Has { .. });
    if query.conditions.iter().any(|c| c.any_of.iter().any(linked)) {
        return Err(StoreError::NotSupported(
            "AuditEvent is searched by its own values: no chains or _has",
        ));
    }
    let (in_sql, filters): (Vec<&Condition>, Vec<&Condition>) =
        query.conditions.iter().partition(|c| answered_in_sql(c));
    let mut descending = None;
    for sort in &query.sort {
        if !matches!(sort.param, "date" | "_lastUpdated" | "_id") {
            return Err(StoreError::NotSupported(
                "AuditEvent sorts by date, _lastUpdated or _id only",
            ));
        }
        descending.get_or_insert(sort.descending);
    }
    let descending = descending.unwrap_or(false);

    // A patient's or an agent's rows are one range of the keys: the first such condition with a
    // single value leads, the others filter.
    let leading = in_sql.iter().position(|condition| {
        matches!(condition.param, "patient" | "agent")
            && matches!(condition.any_of.as_slice(), [Test::Reference(_)])
    });
    let others = |sql: &mut Sql, _seq: &str| -> Result<(), StoreError> {
        for (index, condition) in in_sql.iter().enumerate() {
            if Some(index) != leading {
                sql.push(" AND ");
                filter(sql, condition, keys)?;
            }
        }
        Ok(())
    };
    let leading_key = match leading {
        Some(index) => Some(key(in_sql[index])?.remove(0)),
        None => None,
    };
    // The rows of the page (all of them when `limit` is `None`).
    let page_of = |limit: Option<i64>, offset: i64| match &leading_key {
        Some(key) => keyed_rows(keys, key, &others, descending, limit, offset),
        None => {
            let mut sql = Sql::default();
            sql.push(COLUMNS).push(" FROM audit_ledger l WHERE 1 = 1");
            others(&mut sql, "l.seq")?;
            sql.push(&format!(
                " ORDER BY l.seq {}",
                if descending { "DESC" } else { "ASC" }
            ));
            if let Some(limit) = limit {
                sql.push(" LIMIT ").int(limit).push(" OFFSET ").int(offset);
            }
            Ok(sql)
        }
    };

    let wanted = in_sql
        .iter()
        .filter(|condition| matches!(condition.param, "patient" | "agent"))
        .map(|condition| key(condition))
        .collect::<Result<Vec<_>, _>>()?;
    if !filters.is_empty() {
        let mut rows = rows(&page_of(Some(FILTERED_AT_MOST + 1), 0)?, pool, false).await?;
        if rows.len() as i64 > FILTERED_AT_MOST {
            return Err(StoreError::TooCostly(TOO_COSTLY));
        }
        holding(&mut rows, &wanted);
        return filtered_page(rows, &filters, query);
    }

    // A patient's or an agent's rows alone are counted in the keys, without visiting a row for
    // each (measured on PostgreSQL at a million rows: 3.7 ms for 239 rows, most of it those
    // visits).
    let one_key = leading.is_some() && in_sql.len() == 1;
    let count = if query.summary_count || query.total == Total::Accurate {
        Some(match &leading_key {
            Some(key) if one_key => keyed_count(keys, key),
            _ => {
                let mut count = page_of(None, 0)?;
                count.text = format!("SELECT COUNT(*) FROM ({}) counted", count.text);
                count
            }
        })
    } else {
        None
    };
    let total = async {
        let Some(count) = &count else {
            return Ok(None);
        };
        let query = if one_key {
            count.prepared_query_as::<(i64,)>()
        } else {
            count.query_as::<(i64,)>()
        };
        Ok::<_, StoreError>(Some(query.fetch_one(pool).await?.0))
    };
    if query.summary_count || query.count == 0 {
        return Ok(SearchPage::count_only(total.await?, query.offset));
    }
    // Uncounted, one row more than the page tells whether another page follows.
    let limit = query.count + i64::from(count.is_none());
    let page = page_of(Some(limit), query.offset)?;
    // The count and the page at once, on two connections: one waits for the database no longer
    // than the slower of them.
    let (total, mut rows) = tokio::try_join!(total, rows(&page, pool, one_key))?;
    let more = match total {
        Some(total) => query.offset + query.count < total,
        None => rows.len() as i64 > query.count,
    };
    rows.truncate(query.count as usize);
    holding(&mut rows, &wanted);
    Ok(SearchPage {
        total,
        more,
        matches: rows.iter().map(Logged::to_versioned).collect(),
        included: Vec::new(),
    })
}

/// The page of `rows` (in the search's order) that meet every one of `filters`.
fn filtered_page(
    rows: Vec<Logged>,
    filters: &[&Condition],
    query: &SearchQuery,
) -> Result<SearchPage, StoreError> {
    let mut matches = Vec::new();
    for row in rows {
        let event = row.entry.to_audit_event(&row.seq.to_string());
        let mut met = true;
        for condition in filters {
            met &= meets(ResourceType::AuditEvent, &event, condition).ok_or(
                StoreError::NotSupported("AuditEvent cannot be searched this way"),
            )?;
        }
        if met {
            matches.push(row);
        }
    }
    let counted = query.summary_count || query.total == Total::Accurate;
    let total = counted.then_some(matches.len() as i64);
    if query.summary_count || query.count == 0 {
        return Ok(SearchPage::count_only(total, query.offset));
    }
    Ok(SearchPage {
        total,
        more: query.offset + query.count < matches.len() as i64,
        matches: (matches.iter())
            .skip(query.offset as usize)
            .take(query.count as usize)
            .map(Logged::to_versioned)
            .collect(),
        included: Vec::new(),
    })
}

/// The most rows a search filters by the conditions its SQL does not answer. Each row is read
/// as its AuditEvent and its values found: about 13 µs a row (on SQLite, on the 2-core machine
/// the suite runs on), so the most costly such search takes about 130 ms.
pub(crate) const FILTERED_AT_MOST: i64 = 10_000;

const TOO_COSTLY: &str = "This search of AuditEvent would filter more than 10 000 audit records \
    by parameters the audit ledger does not index: narrow it by patient, agent or date";

/// Whether the ledger's keys and columns answer the condition: a plain value of `patient`,
/// `agent`, `date`, `type`, `_id` or `_lastUpdated`.
fn answered_in_sql(condition: &Condition) -> bool {
    matches!(
        condition.param,
        "patient" | "agent" | "date" | "type" | "_id" | "_lastUpdated"
    ) && !condition
        .any_of
        .iter()
        .any(|test| matches!(test, Test::Missing(_) | Test::Not(_)))
}

/// The keys a `patient` or `agent` condition looks for.
fn key(condition: &Condition) -> Result<Vec<String>, StoreError> {
    let prefix = if condition.param == "patient" {
        "p"
    } else {
        "a"
    };
    condition
        .any_of
        .iter()
        .map(|test| match test {
            Test::Reference(reference) => Ok(format!("{prefix} {reference}")),
            _ => Err(StoreError::InvalidQuery),
        })
        .collect()
}

/// One condition on the row `l`: any of its tests.
fn filter(sql: &mut Sql, condition: &Condition, keys: Keys) -> Result<(), StoreError> {
    if matches!(condition.param, "patient" | "agent") {
        let keys_wanted = key(condition)?;
        sql.push("(");
        let table = match keys {
            Keys::Beside => "audit_ledger_key_numbers",
            Keys::Apart => "keys.audit_ledger_keys",
        };
        sql.push(&format!(
            "EXISTS (SELECT 1 FROM {table} x WHERE x.seq = l.seq AND x.key IN ("
        ));
        for (n, key) in keys_wanted.iter().enumerate() {
            if n > 0 {
                sql.push(", ");
            }
            match keys {
                Keys::Beside => sql.int(key_number(key)),
                Keys::Apart => sql.text(key.clone()),
            };
        }
        sql.push("))");
        if keys == Keys::Apart {
            // A row after the index's end, by its own keys (a row in the index may carry them
            // too: either way it is the same row).
            for key in &keys_wanted {
                sql.push(" OR instr(l.keys, ")
                    .text(sqlite_keys::pattern(key))
                    .push(") > 0");
            }
        }
        sql.push(")");
        return Ok(());
    }
    sql.push("(");
    for (n, test) in condition.any_of.iter().enumerate() {
        if n > 0 {
            sql.push(" OR ");
        }
        match (condition.param, test) {
            ("date", Test::Date(comparator, low, high)) => {
                time(sql, "l.recorded", *comparator, *low, *high)
            }
            ("_lastUpdated", Test::Date(comparator, low, high)) => {
                time(sql, "l.logged", *comparator, *low, *high)
            }
            ("type", Test::Token { system, code }) => {
                sql.push("(1 = 1");
                if let Some(system) = system {
                    sql.push(" AND l.type_system = ")
                        .text(system.clone().unwrap_or_default());
                }
                if let Some(code) = code {
                    sql.push(" AND l.type_code = ").text(code.clone());
                }
                sql.push(")");
            }
            ("_id", Test::Id(id)) => match parse_id(id) {
                Some(seq) => {
                    sql.push("l.seq = ").int(seq);
                }
                None => {
                    sql.push("1 = 0");
                }
            },
            _ => return Err(StoreError::InvalidQuery),
        }
    }
    sql.push(")");
    Ok(())
}

/// An instant column (milliseconds) against a search date's `[low, high)` seconds.
fn time(sql: &mut Sql, column: &str, comparator: Comparator, low: i64, high: i64) {
    let (low, high) = (low.saturating_mul(1000), high.saturating_mul(1000));
    match comparator {
        // An instant is a point: it overlaps the value's range when it lies within it.
        Comparator::Eq | Comparator::Approximately => sql
            .push(&format!("({column} >= "))
            .int(low)
            .push(&format!(" AND {column} < "))
            .int(high)
            .push(")"),
        Comparator::Ne => sql
            .push(&format!("({column} < "))
            .int(low)
            .push(&format!(" OR {column} >= "))
            .int(high)
            .push(")"),
        Comparator::Lt => sql.push(&format!("{column} < ")).int(low),
        Comparator::Le => sql.push(&format!("{column} < ")).int(high),
        Comparator::Gt => sql.push(&format!("{column} >= ")).int(high),
        Comparator::Ge => sql.push(&format!("{column} >= ")).int(low),
        Comparator::StartsAfter => sql.push(&format!("{column} >= ")).int(high),
        Comparator::EndsBefore => sql.push(&format!("{column} < ")).int(low),
    };
}

/// Whose accesses to list from a patient's trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Who {
    Everyone,
    /// Everyone but this agent (`Patient/1`: the patient's own views hidden).
    AllBut(String),
    /// This agent only.
    Only(String),
    /// Members of staff.
    Staff,
    /// Computer systems: API clients, apps, and AuditEvents other systems sent.
    Systems,
}

/// A page of one patient's trail, newest first: the accesses by `who` to `patient`
/// (`Patient/1`) numbered below `before`, at most `limit`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trail {
    pub patient: String,
    pub who: Who,
    pub before: Option<i64>,
    pub limit: i64,
}

pub(crate) async fn trail(
    pool: &AnyPool,
    keys: Keys,
    trail: &Trail,
) -> Result<Vec<Logged>, StoreError> {
    let rest = |sql: &mut Sql, seq: &str| -> Result<(), StoreError> {
        if let Some(before) = trail.before {
            sql.push(&format!(" AND {seq} < ")).int(before);
        }
        match &trail.who {
            Who::Everyone => {}
            Who::AllBut(agent) => {
                sql.push(" AND l.agent <> ").text(agent.clone());
            }
            Who::Only(agent) => {
                sql.push(" AND l.agent = ").text(agent.clone());
            }
            Who::Staff => {
                sql.push(" AND l.agent_kind = 'staff'");
            }
            Who::Systems => {
                sql.push(" AND l.agent_kind IN ('system', 'other')");
            }
        }
        Ok(())
    };
    let key = format!("p {}", trail.patient);
    let sql = keyed_rows(keys, &key, &rest, true, Some(trail.limit), 0)?;
    let mut rows = rows(&sql, pool, true).await?;
    holding(&mut rows, &[vec![key]]);
    Ok(rows)
}

/// The emergency accesses to `patient`'s (`Patient/1`) record numbered after `after`, newest
/// first.
pub(crate) async fn emergencies_after(
    pool: &AnyPool,
    keys: Keys,
    patient: &str,
    after: i64,
) -> Result<Vec<Logged>, StoreError> {
    let rest = |sql: &mut Sql, seq: &str| -> Result<(), StoreError> {
        sql.push(&format!(" AND {seq} > ")).int(after);
        Ok(())
    };
    let key = format!("e {patient}");
    let sql = keyed_rows(keys, &key, &rest, true, None, 0)?;
    let mut rows = rows(&sql, pool, true).await?;
    holding(&mut rows, &[vec![key]]);
    Ok(rows)
}

/// Keeps the rows that hold, for each of `wanted`, at least one of its keys: on PostgreSQL, the
/// rows a search by number found under another key's number go (`super::key_number`).
fn holding(rows: &mut Vec<Logged>, wanted: &[Vec<String>]) {
    if wanted.is_empty() {
        return;
    }
    rows.retain(|row| {
        let keys = row.entry.derived().keys;
        wanted
            .iter()
            .all(|any_of| any_of.iter().any(|key| keys.contains(key)))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::{AccessEntry, AgentEntry, AgentKind};

    fn viewed(seq: i64, patient: &str) -> Logged {
        let entry = Entry::Access(Box::new(AccessEntry {
            recorded: seq,
            interaction: "read".into(),
            action: "R".into(),
            outcome: "0".into(),
            agent: AgentEntry {
                kind: AgentKind::Patient,
                reference: Some(patient.into()),
                identifier: None,
                name: "A patient".into(),
                role: String::new(),
            },
            on_behalf_of: None,
            purpose: "PATRQT".into(),
            reason: None,
            patients: vec![patient.into()],
            records: Vec::new(),
            query: None,
            address: None,
            request_id: None,
        }));
        Logged {
            seq,
            logged: seq,
            entry,
        }
    }

    #[test]
    fn a_row_found_under_another_keys_number_is_left_out() {
        // As if "p Patient/2" shared "p Patient/1"'s number: the search by number finds both.
        let mut rows = vec![viewed(1, "Patient/1"), viewed(2, "Patient/2")];
        holding(&mut rows, &[vec!["p Patient/1".to_owned()]]);
        assert_eq!(rows.iter().map(|row| row.seq).collect::<Vec<_>>(), [1]);
    }
}
