//! Server function: the accesses to the signed-in patient's record.

use leptos::prelude::*;

use super::RecordAccessView;
use crate::error::AppError;

/// A patient's own audit trail. Signed-in patients only; reading it is audited too.
#[server(prefix = "/api", endpoint = "record_access")]
pub async fn get_record_access() -> Result<RecordAccessView, AppError> {
    use super::RecordAccessDto;
    use backend::record_access::{self, RecordAccessError};
    use domain::identity::Actor;

    let session = crate::account::current_session().ok_or(AppError::SignInRequired)?;
    let Actor::Patient(patient) = &session.actor else {
        return Ok(RecordAccessView::NotAPatient);
    };
    let db = use_context::<backend::Db>().ok_or(AppError::ServiceUnavailable)?;
    let now = jiff::Timestamp::now();
    match record_access::accesses_to_own_record(&db, patient, crate::account::client_address(), now)
        .await
    {
        Ok(accesses) => Ok(RecordAccessView::Accesses(
            accesses
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
        )),
        Err(RecordAccessError::ProofingTooLow) => Ok(RecordAccessView::ProofingTooLow),
        Err(RecordAccessError::NoRecord) => Ok(RecordAccessView::NoRecord),
        Err(error) => Err(AppError::internal(&error)),
    }
}
