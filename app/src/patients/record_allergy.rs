//! Server function: a clinician records a patient's allergy.

use leptos::prelude::*;

use crate::error::AppError;

/// Records patient `patient_id`'s allergy to `substance` (a SNOMED CT code from the offered
/// list), how serious a reaction could be (`risk`), and the `reaction` it caused if known; then
/// back to their record.
#[server(prefix = "/api", endpoint = "record_allergy")]
pub async fn record_allergy(
    patient_id: String,
    substance: String,
    reaction: Option<String>,
    risk: Option<String>,
) -> Result<(), AppError> {
    use backend::{
        auth::policy::Purpose,
        record_writes::{self, NewAllergy},
    };
    use domain::terminology::{ALLERGENS, AllergyRisk, REACTIONS, find};

    use super::written;
    use crate::{account::fail, error::FieldError};

    let session = crate::account::require_session()?;
    let mut problems = Vec::new();
    let substance = find(ALLERGENS, &substance);
    if substance.is_none() {
        problems.push(FieldError {
            field_id: "substance".to_owned(),
            message: "Select what the patient is allergic to".to_owned(),
        });
    }
    let reaction = match reaction.as_deref().filter(|r| !r.is_empty()) {
        None => None,
        Some(code) => {
            let found = find(REACTIONS, code);
            if found.is_none() {
                problems.push(FieldError {
                    field_id: "reaction".to_owned(),
                    message: "Select the reaction from the list, or leave it empty".to_owned(),
                });
            }
            found
        }
    };
    let risk = risk.as_deref().and_then(AllergyRisk::parse);
    if risk.is_none() {
        problems.push(FieldError {
            field_id: "risk".to_owned(),
            message: "Select how serious a reaction could be".to_owned(),
        });
    }
    let (Some(substance), Some(risk), true) = (substance, risk, problems.is_empty()) else {
        return Err(fail(AppError::Invalid { problems }));
    };
    let db = use_context::<backend::Db>().ok_or(AppError::ServiceUnavailable)?;
    let now = jiff::Timestamp::now();
    let recorded = async {
        let access =
            crate::account::access(&db, &session, &patient_id, Purpose::WriteRecord, now).await?;
        record_writes::record_allergy(
            &db,
            access,
            NewAllergy {
                substance,
                reaction,
                risk,
            },
            now,
        )
        .await
    }
    .await;
    written(recorded, &patient_id, "allergy")
}
