//! SQL built up piece by piece with its parameters ([`Sql`]), for the searches whose shape
//! depends on the query (`crate::search`, `crate::ledger`).

use sqlx::{Any, any::AnyArguments, query::QueryAs};

/// SQL text and its parameters, numbered in the order they are added.
#[derive(Default, Clone)]
pub(crate) struct Sql {
    pub(crate) text: String,
    binds: Vec<Bind>,
}

#[derive(Clone)]
pub(crate) enum Bind {
    Text(String),
    Int(i64),
    Float(f64),
}

impl From<String> for Bind {
    fn from(value: String) -> Self {
        Bind::Text(value)
    }
}

impl From<i64> for Bind {
    fn from(value: i64) -> Self {
        Bind::Int(value)
    }
}

impl Sql {
    pub(crate) fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    pub(crate) fn text(&mut self, value: impl Into<String>) -> &mut Self {
        self.bind(Bind::Text(value.into()))
    }

    pub(crate) fn int(&mut self, value: i64) -> &mut Self {
        self.bind(Bind::Int(value))
    }

    pub(crate) fn float(&mut self, value: f64) -> &mut Self {
        self.bind(Bind::Float(value))
    }

    pub(crate) fn bind(&mut self, value: Bind) -> &mut Self {
        self.binds.push(value);
        let n = self.binds.len();
        self.text.push_str(&format!("${n}"));
        self
    }

    pub(crate) fn query_as<'q, T>(&'q self) -> QueryAs<'q, Any, T, AnyArguments<'q>>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow>,
    {
        // Not kept as a prepared statement: PostgreSQL then plans each search with its own
        // values (a cached statement is planned for any values after its fifth run, and the
        // planner cannot tell a day's slots from a decade's).
        self.query_as_kept(false)
    }

    /// [`Self::query_as`] kept prepared on the connection, for statements whose best plan does
    /// not depend on their values (one key's range of an index, newest first): parsed and
    /// planned once per connection rather than every time.
    pub(crate) fn prepared_query_as<'q, T>(&'q self) -> QueryAs<'q, Any, T, AnyArguments<'q>>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow>,
    {
        self.query_as_kept(true)
    }

    fn query_as_kept<'q, T>(&'q self, kept: bool) -> QueryAs<'q, Any, T, AnyArguments<'q>>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow>,
    {
        let mut query = sqlx::query_as(&self.text).persistent(kept);
        for bind in &self.binds {
            query = match bind {
                Bind::Text(t) => query.bind(t.as_str()),
                Bind::Int(i) => query.bind(*i),
                Bind::Float(f) => query.bind(*f),
            };
        }
        query
    }
}
