//! The FHIR-shaped boundary through which use cases and the REST API reach records.
//!
//! The built-in store (`Db`, SQLite or PostgreSQL) is one implementation. Because the trait speaks
//! FHIR R4 interactions and nothing of SQL, a second implementation can forward them to any
//! external FHIR R4 server, so that a trust can keep its records where they already are.

use std::future::Future;

use fhir::{ResourceType, search::SearchQuery};
use jiff::Timestamp;
use serde_json::Value;

use crate::{
    db::Db,
    error::{StoreError, WriteError},
    resources,
    search::{self, SearchPage},
    stored::{Found, HistoryEntry, Versioned, VersionedJson},
};

/// The FHIR R4 interactions a use case may need. Futures are `Send` so handlers can hold them.
pub trait FhirRepository: Clone + Send + Sync + 'static {
    fn read(
        &self,
        resource_type: ResourceType,
        id: &str,
    ) -> impl Future<Output = Result<Found, StoreError>> + Send;

    /// [`FhirRepository::read`] as the JSON text to send. A store that keeps resources as text
    /// answers without parsing them (the built-in one does); the default writes out the tree.
    fn read_json(
        &self,
        resource_type: ResourceType,
        id: &str,
    ) -> impl Future<Output = Result<Found<VersionedJson>, StoreError>> + Send {
        async move { Ok(self.read(resource_type, id).await?.map(VersionedJson::from)) }
    }

    fn read_version(
        &self,
        resource_type: ResourceType,
        id: &str,
        version_id: i64,
    ) -> impl Future<Output = Result<Found, StoreError>> + Send;

    /// Create with a server-assigned id.
    fn create(
        &self,
        resource_type: ResourceType,
        resource: Value,
        now: Timestamp,
    ) -> impl Future<Output = Result<Versioned, WriteError>> + Send;

    /// Update (or create with this id); with `if_match`, only from that version. `true`: created.
    fn update(
        &self,
        resource_type: ResourceType,
        id: &str,
        resource: Value,
        if_match: Option<i64>,
        now: Timestamp,
    ) -> impl Future<Output = Result<(Versioned, bool), WriteError>> + Send;

    fn delete(
        &self,
        resource_type: ResourceType,
        id: &str,
        now: Timestamp,
    ) -> impl Future<Output = Result<(), WriteError>> + Send;

    /// Instance history, newest first.
    fn history(
        &self,
        resource_type: ResourceType,
        id: &str,
    ) -> impl Future<Output = Result<Vec<HistoryEntry>, StoreError>> + Send;

    fn search(
        &self,
        resource_type: ResourceType,
        query: &SearchQuery,
    ) -> impl Future<Output = Result<SearchPage, StoreError>> + Send;
}

impl FhirRepository for Db {
    async fn read(&self, resource_type: ResourceType, id: &str) -> Result<Found, StoreError> {
        resources::read(self, resource_type, id).await
    }

    async fn read_json(
        &self,
        resource_type: ResourceType,
        id: &str,
    ) -> Result<Found<VersionedJson>, StoreError> {
        resources::read_json(self, resource_type, id).await
    }

    async fn read_version(
        &self,
        resource_type: ResourceType,
        id: &str,
        version_id: i64,
    ) -> Result<Found, StoreError> {
        resources::read_version(self, resource_type, id, version_id).await
    }

    async fn create(
        &self,
        resource_type: ResourceType,
        resource: Value,
        now: Timestamp,
    ) -> Result<Versioned, WriteError> {
        resources::create(self, resource_type, resource, now).await
    }

    async fn update(
        &self,
        resource_type: ResourceType,
        id: &str,
        resource: Value,
        if_match: Option<i64>,
        now: Timestamp,
    ) -> Result<(Versioned, bool), WriteError> {
        resources::update(self, resource_type, id, resource, if_match, now).await
    }

    async fn delete(
        &self,
        resource_type: ResourceType,
        id: &str,
        now: Timestamp,
    ) -> Result<(), WriteError> {
        resources::delete(self, resource_type, id, now).await
    }

    async fn history(
        &self,
        resource_type: ResourceType,
        id: &str,
    ) -> Result<Vec<HistoryEntry>, StoreError> {
        resources::history(self, resource_type, id).await
    }

    async fn search(
        &self,
        resource_type: ResourceType,
        query: &SearchQuery,
    ) -> Result<SearchPage, StoreError> {
        search::search(self, resource_type, query).await
    }
}

/// The first record of `resource_type` that a search by `params` finds: a look-up by something
/// that names one record (an identifier, a service code), or `None`.
pub async fn first_match(
    records: &impl FhirRepository,
    resource_type: ResourceType,
    params: &[(&str, String)],
) -> Result<Option<serde_json::Value>, StoreError> {
    let pairs: Vec<(String, String)> = params
        .iter()
        .map(|(name, value)| ((*name).to_owned(), value.clone()))
        .collect();
    let query =
        fhir::search::parse_query(resource_type, &pairs).map_err(|_| StoreError::InvalidQuery)?;
    Ok(records
        .search(resource_type, &query)
        .await?
        .matches
        .into_iter()
        .next()
        .map(|found| found.resource))
}

/// Every match of a search by `params` (as in a FHIR query string), up to 500: for lists a
/// person reads, which are never longer.
pub async fn every_match(
    records: &impl FhirRepository,
    resource_type: ResourceType,
    params: &[(&str, String)],
) -> Result<Vec<serde_json::Value>, StoreError> {
    let mut pairs: Vec<(String, String)> = params
        .iter()
        .map(|(name, value)| ((*name).to_owned(), value.clone()))
        .collect();
    pairs.push(("_count".to_owned(), "500".to_owned()));
    let query =
        fhir::search::parse_query(resource_type, &pairs).map_err(|_| StoreError::InvalidQuery)?;
    Ok(records
        .search(resource_type, &query)
        .await?
        .matches
        .into_iter()
        .map(|found| found.resource)
        .collect())
}
