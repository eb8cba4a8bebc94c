//! Reads by id, the API's hottest path, each backend the way that measured fastest: SQLite on
//! the thread that asks ([`crate::inline_reads`]), PostgreSQL gathered into shared statements
//! ([`crate::gathered_reads`]). An in-memory SQLite database, which no second connection can
//! see, is read through the pool.

use std::sync::Arc;

use fhir::ResourceType;
use sqlx::AnyPool;

use crate::{
    error::StoreError,
    gathered_reads::{CurrentRow, GatheredReads},
    inline_reads::InlineReads,
};

#[derive(Clone, Debug)]
pub(crate) enum ReadsById {
    Inline(Arc<InlineReads>),
    Gathered(GatheredReads),
    Pooled(AnyPool),
}

impl ReadsById {
    /// The current row of `resource_type/id`, deleted or not; `None` if there never was one.
    pub(crate) async fn current(
        &self,
        resource_type: ResourceType,
        id: &str,
    ) -> Result<Option<CurrentRow>, StoreError> {
        match self {
            Self::Inline(reads) => reads.current(resource_type, id),
            Self::Gathered(reads) => reads.current(resource_type, id).await,
            Self::Pooled(pool) => Ok(sqlx::query_as(
                "SELECT version_id, last_updated, deleted, content FROM resources \
                 WHERE resource_type = $1 AND id = $2",
            )
            .bind(resource_type.as_str())
            .bind(id)
            .fetch_optional(pool)
            .await?),
        }
    }
}
