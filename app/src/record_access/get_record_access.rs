//! Server function: a page of the accesses to a patient's record, for the patient or their proxy.

use leptos::prelude::*;

use super::RecordAccessView;
use crate::error::AppError;

/// A page of the signed-in patient's own audit trail (`patient` empty), or that of someone who
/// has granted them proxy access: `who` filters by who looked (`others` unless given), `before`
/// starts an older page. Signed-in patients only; every call is audited, refusals too.
#[server(prefix = "/api", endpoint = "record_access")]
pub async fn get_record_access(
    patient: Option<String>,
    who: Option<String>,
    before: Option<String>,
) -> Result<RecordAccessView, AppError> {
    use super::{AccessLogDto, GrantDto, RecordAccessDto};
    use backend::record_access::{self, AccessLogRequest, LookedBy, RecordAccessError};

    let session = crate::account::require_session()?;
    let db = use_context::<backend::Db>().ok_or(AppError::ServiceUnavailable)?;
    let patient = patient.filter(|id| !id.is_empty());
    // An address edited by hand falls back to the first page of the default list.
    let looked_by = who.as_deref().and_then(LookedBy::parse).unwrap_or_default();
    let before = before
        .as_deref()
        .and_then(|before| before.parse::<i64>().ok())
        .filter(|before| *before > 0);
    let result = record_access::access_log(
        &db,
        &session.actor,
        AccessLogRequest {
            patient_id: patient.as_deref(),
            looked_by,
            before,
        },
        crate::account::client_address(),
        jiff::Timestamp::now(),
    )
    .await;
    let dto = |access: record_access::RecordAccess| RecordAccessDto {
        when: backend::time::spoken(access.at),
        datetime: access.at.to_string(),
        who: access.who,
        what: access.what,
        emergency: access.emergency,
        reason: access.reason,
        refused: access.refused,
    };
    let grant_dto = |grant: backend::auth::policy::ProxyGrant| GrantDto {
        patient_id: grant.patient_id,
        name: grant.patient_name,
        relationship: grant.relationship,
    };
    match result {
        Ok(log) => Ok(RecordAccessView::Accesses(AccessLogDto {
            for_patient: log.acting_for.is_some().then(|| patient.clone()).flatten(),
            acting_for: log.acting_for,
            who: looked_by.as_str().to_owned(),
            unseen_emergencies: log.unseen_emergencies.into_iter().map(dto).collect(),
            accesses: log.accesses.into_iter().map(dto).collect(),
            is_older_page: before.is_some(),
            older: log.older,
            grants: log.grants.into_iter().map(grant_dto).collect(),
            done_for: log
                .done_for
                .into_iter()
                .map(|(grant, done)| (grant_dto(grant), done.into_iter().map(dto).collect()))
                .collect(),
        })),
        Err(RecordAccessError::NotAPatient | RecordAccessError::NotAllowed) => {
            Err(crate::account::fail(AppError::NotAllowed))
        }
        Err(RecordAccessError::BeyondGrant) => Err(crate::account::fail(AppError::NotGranted)),
        Err(RecordAccessError::ProofingTooLow) => Ok(RecordAccessView::ProofingTooLow),
        Err(RecordAccessError::NoRecord) => Ok(RecordAccessView::NoRecord),
        Err(error) => Err(AppError::internal(&error)),
    }
}
