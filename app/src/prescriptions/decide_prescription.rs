//! Server function: a clinician decides a prescription request.

use leptos::prelude::*;

use crate::error::AppError;

/// Approves request `id` (it goes to the pharmacy the patient chose) or refuses it with
/// `reason`, which the patient reads; then back to the queue, saying which. Clinicians of the
/// patient's practice only; audited, with a Provenance naming them.
#[server(prefix = "/api", endpoint = "decide_prescription")]
pub async fn decide_prescription(
    id: String,
    decision: Option<String>,
    reason: String,
) -> Result<(), AppError> {
    use backend::{auth::policy::Purpose, prescriptions};
    use domain::prescriptions::{Decision, PrescriptionError};

    use super::{DECISION_FIELD, REASON_FIELD};

    let session = crate::account::require_session()?;
    let decision =
        Decision::parse(decision.as_deref().unwrap_or_default(), &reason).map_err(|problem| {
            let field = match problem {
                PrescriptionError::NoDecision => DECISION_FIELD,
                _ => REASON_FIELD,
            };
            super::invalid(field, &problem.to_string())
        })?;
    let db = use_context::<backend::Db>().ok_or(AppError::ServiceUnavailable)?;
    let now = jiff::Timestamp::now();
    let refused = |error| super::refused_to_staff(&session, error);
    let patient_id = prescriptions::patient_of(&db, &id).await.map_err(refused)?;
    let access = crate::account::access(&db, &session, &patient_id, Purpose::Prescriptions, now)
        .await
        .map_err(|error| refused(error.into()))?;
    prescriptions::decide(&db, access, &id, &decision, now)
        .await
        .map_err(refused)?;
    let decided = match decision {
        Decision::Approve => "approved",
        Decision::Refuse(_) => "refused",
    };
    leptos_axum::redirect(&format!("/prescriptions/requests?decided={decided}"));
    Ok(())
}
