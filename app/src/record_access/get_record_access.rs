//! Server function: the accesses to a patient's record, for the patient or their proxy.

use leptos::prelude::*;

use super::RecordAccessView;
use crate::error::AppError;

/// The signed-in patient's own audit trail (`patient` empty), or that of someone who has granted
/// them proxy access. Signed-in patients only; every call is audited, refusals too.
#[server(prefix = "/api", endpoint = "record_access")]
pub async fn get_record_access(patient: Option<String>) -> Result<RecordAccessView, AppError> {
    use super::{AccessLogDto, GrantDto, RecordAccessDto};
    use backend::record_access::{self, RecordAccessError};

    let session = crate::account::require_session()?;
    let db = use_context::<backend::Db>().ok_or(AppError::ServiceUnavailable)?;
    let result = record_access::access_log(
        &db,
        &session.actor,
        patient.as_deref().filter(|id| !id.is_empty()),
        crate::account::client_address(),
        jiff::Timestamp::now(),
    )
    .await;
    match result {
        Ok(log) => Ok(RecordAccessView::Accesses(AccessLogDto {
            acting_for: log.acting_for,
            accesses: log
                .accesses
                .into_iter()
                .map(|access| RecordAccessDto {
                    when: backend::time::spoken(access.at),
                    datetime: access.at.to_string(),
                    who: access.who,
                    what: access.what,
                    reason: access.reason,
                    refused: access.refused,
                })
                .collect(),
            grants: log
                .grants
                .into_iter()
                .map(|grant| GrantDto {
                    patient_id: grant.patient_id,
                    name: grant.patient_name,
                    relationship: grant.relationship,
                })
                .collect(),
        })),
        Err(RecordAccessError::NotAPatient | RecordAccessError::NotAllowed) => {
            Err(crate::account::fail(AppError::NotAllowed))
        }
        Err(RecordAccessError::ProofingTooLow) => Ok(RecordAccessView::ProofingTooLow),
        Err(RecordAccessError::NoRecord) => Ok(RecordAccessView::NoRecord),
        Err(error) => Err(AppError::internal(&error)),
    }
}
