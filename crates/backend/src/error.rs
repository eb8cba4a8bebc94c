//! Errors of the storage layer. Their text is for logs; callers map them to what a user may see.

/// A failure to read or write the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error")]
    Database(#[from] sqlx::Error),
    #[error("database migration failed")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("a stored resource is not valid FHIR JSON")]
    CorruptResource(#[source] serde_json::Error),
    #[error("the database URL must start with sqlite: or postgres:")]
    UnsupportedDatabase,
    #[error("a resource to store has no id or an unsupported resourceType")]
    MissingTypeOrId,
    /// A search the service builds itself did not parse: a mistake in our code, not the data.
    #[error("a search built by the service is not valid")]
    InvalidQuery,
    #[error("the audit writer has stopped")]
    AuditWriterStopped,
}
