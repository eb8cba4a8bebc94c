//! Fills an empty database with the demo data, in one transaction: all of it or none.

use jiff::Zoned;

use crate::{Db, StoreError, demo_data};

#[derive(Debug, PartialEq, Eq)]
pub enum SeedOutcome {
    Seeded {
        resources: usize,
    },
    /// The database already had a practice; nothing was written.
    AlreadySeeded,
}

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Write(#[from] store::WriteError),
    #[error(transparent)]
    DemoData(#[from] demo_data::DemoDataError),
}

/// Seeds the demo practice unless the database already holds an organisation.
pub async fn seed_if_empty(db: &Db, now: &Zoned) -> Result<SeedOutcome, SeedError> {
    if store::count(db, "Organization").await? > 0 {
        return Ok(SeedOutcome::AlreadySeeded);
    }
    let data = demo_data::generate(now)?;
    let resources = data.resources.len();
    let mut tx = db.begin().await?;
    let mut resources_left = data.resources.into_iter().peekable();
    while resources_left.peek().is_some() {
        let chunk: Vec<_> = resources_left.by_ref().take(500).collect();
        store::insert_new_many(&mut tx, chunk, now.timestamp()).await?;
    }
    tx.commit().await?;
    db.refresh_statistics().await?;
    tracing::info!(resources, "seeded demo data");
    Ok(SeedOutcome::Seeded { resources })
}
