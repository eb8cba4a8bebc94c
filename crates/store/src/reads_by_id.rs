//! Reads by id, the API's hottest path, each backend the way that measured fastest: SQLite on
//! the thread that asks ([`crate::inline_reads`]), PostgreSQL gathered into shared statements
//! ([`crate::gathered_reads`]).

use std::sync::Arc;

use fhir::ResourceType;

use crate::{
    error::StoreError,
    gathered_reads::{CurrentRow, GatheredReads},
    inline_reads::InlineReads,
};

#[derive(Clone, Debug)]
pub(crate) enum ReadsById {
    Inline(Arc<InlineReads>),
    Gathered(GatheredReads),
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
        }
    }
}
