//! Word that the record has changed, for pages that stay live (the clinic list): every committed
//! write announces the resource types it wrote, and [`Db::changes`] hears it, whichever server
//! process wrote it.
//!
//! - SQLite is one process: a commit is announced on the process's own channel.
//! - PostgreSQL may have any number of processes behind a load balancer: a commit is announced
//!   by `NOTIFY`, and each process that has someone listening holds one `LISTEN` connection that
//!   passes what it hears to its own channel, its own writes included.
//!
//! Nothing is polled: with nothing written, nothing is sent or read. The `NOTIFY` is a statement
//! of its own after the commit, not inside the transaction: PostgreSQL holds a database-wide lock
//! from a notifying transaction's commit until its end, so notifying inside it would put every
//! write's disk flush in one queue; after it, the lock covers a statement that writes nothing. A
//! process killed between the two leaves a live list one change behind until the next, which
//! any reload shows anyway.

use std::{
    collections::BTreeSet,
    sync::{Arc, OnceLock},
    time::Duration,
};

use fhir::ResourceType;
use sqlx::{AnyPool, postgres::PgListener};
use tokio::{sync::broadcast, task::JoinHandle};

use crate::database::Backend;

/// The PostgreSQL channel commits are announced on.
const CHANNEL: &str = "record_changes";
/// Announcements a slow listener may fall behind by before it is told it missed some.
const BACKLOG: usize = 256;
/// How long the listening connection waits before connecting again after losing the database.
const RECONNECT_AFTER: Duration = Duration::from_secs(1);

/// What a listener hears.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// A commit wrote resources of this type.
    Written(ResourceType),
    /// Announcements may have been missed (the database connection was lost, or the listener
    /// fell behind): anything may have changed.
    Unknown,
}

impl Change {
    /// Whether a page showing `resource_type` should look again.
    pub fn concerns(self, resource_type: ResourceType) -> bool {
        match self {
            Self::Written(written) => written == resource_type,
            Self::Unknown => true,
        }
    }
}

/// A process's side of the announcements.
pub(crate) struct ChangeFeed {
    backend: Backend,
    pool: AnyPool,
    url: String,
    local: broadcast::Sender<Change>,
    /// PostgreSQL: the task holding the `LISTEN` connection, started by the first listener and
    /// stopped with the database handle.
    listening: OnceLock<AbortOnDrop>,
}

/// Without the URL, which may hold the database's password.
impl std::fmt::Debug for ChangeFeed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChangeFeed")
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
}

impl ChangeFeed {
    pub(crate) fn new(backend: Backend, pool: AnyPool, url: &str) -> Arc<Self> {
        Arc::new(Self {
            backend,
            pool,
            url: url.to_owned(),
            local: broadcast::channel(BACKLOG).0,
            listening: OnceLock::new(),
        })
    }

    /// Tells every listener, in every process, that a commit wrote these types.
    pub(crate) async fn announce(&self, written: &BTreeSet<ResourceType>) {
        if written.is_empty() {
            return;
        }
        match self.backend {
            Backend::Sqlite => {
                for resource_type in written {
                    // No receiver is no one listening, not an error.
                    let _ = self.local.send(Change::Written(*resource_type));
                }
            }
            Backend::Postgres => {
                let payload = written
                    .iter()
                    .map(|resource_type| resource_type.as_str())
                    .collect::<Vec<_>>()
                    .join(",");
                // The write has been committed and acknowledged either way: a lost announcement
                // costs a live list one change, never the write.
                if let Err(error) = sqlx::query("SELECT pg_notify($1, $2)")
                    .bind(CHANNEL)
                    .bind(payload)
                    .execute(&self.pool)
                    .await
                {
                    tracing::warn!(%error, "a change to the record could not be announced");
                }
            }
        }
    }

    /// Hears every announcement from now on.
    pub(crate) fn subscribe(&self) -> broadcast::Receiver<Change> {
        let receiver = self.local.subscribe();
        if self.backend == Backend::Postgres {
            self.listening.get_or_init(|| {
                AbortOnDrop(tokio::spawn(listen(self.url.clone(), self.local.clone())))
            });
        }
        receiver
    }
}

/// Passes what the `LISTEN` connection hears to this process's channel, connecting again
/// whenever the database goes away (a restart, a failover).
async fn listen(url: String, local: broadcast::Sender<Change>) {
    let mut connected_before = false;
    loop {
        let mut listener = match PgListener::connect(&url).await {
            Ok(listener) => listener,
            Err(error) => {
                tracing::debug!(%error, "listening for changes to the record once reconnected");
                tokio::time::sleep(RECONNECT_AFTER).await;
                continue;
            }
        };
        if let Err(error) = listener.listen(CHANNEL).await {
            tracing::debug!(%error, "listening for changes to the record once reconnected");
            tokio::time::sleep(RECONNECT_AFTER).await;
            continue;
        }
        if connected_before {
            // Whatever was announced while no one was listening is lost.
            let _ = local.send(Change::Unknown);
        }
        connected_before = true;
        // `try_recv` says when the connection is lost (`Ok(None)`), where `recv` would reconnect
        // without a word.
        while let Ok(Some(notification)) = listener.try_recv().await {
            for name in notification.payload().split(',') {
                if let Ok(resource_type) = name.parse::<ResourceType>() {
                    let _ = local.send(Change::Written(resource_type));
                }
            }
        }
        tokio::time::sleep(RECONNECT_AFTER).await;
    }
}

/// A task that ends with its owner.
#[derive(Debug)]
struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
