//! Server function: the signed-in patient's repeat medicines and requests.

use leptos::prelude::*;

use super::RepeatPrescriptionsDto;
use crate::{appointments::PatientView, error::AppError};

/// The repeat medicines of the signed-in patient, or of the person they act for, with what
/// they asked for and what became of it, and the pharmacies to choose from. Patients checked to
/// P9 (and carers whose grant covers prescriptions); audited.
#[server(prefix = "/api", endpoint = "repeat_prescriptions")]
pub async fn get_repeat_prescriptions() -> Result<PatientView<RepeatPrescriptionsDto>, AppError> {
    use backend::{
        auth::policy::{Purpose, Refusal},
        prescriptions::{self, PrescriptionsError},
    };

    use super::{PharmacyDto, RepeatMedicineDto};

    let session = crate::account::require_session()?;
    let db = use_context::<backend::Db>().ok_or(AppError::ServiceUnavailable)?;
    let now = jiff::Timestamp::now();
    let access = match crate::account::access_to_whose_record(
        &db,
        &session,
        Purpose::Prescriptions,
        now,
        PrescriptionsError::Refused,
    )
    .await
    {
        Ok(access) => access,
        Err(PrescriptionsError::Refused(Refusal::ProofingTooLow)) => {
            return Ok(PatientView::ProofingTooLow);
        }
        Err(error) => return Err(super::refused(&session, error)),
    };
    let acting_for = access.acting_for();
    let repeats = prescriptions::repeats(&db, access, now)
        .await
        .map_err(|error| super::refused(&session, error))?;
    Ok(PatientView::Ready(RepeatPrescriptionsDto {
        acting_for,
        medicines: repeats
            .medicines
            .into_iter()
            .map(|medicine| RepeatMedicineDto {
                id: medicine.id,
                name: medicine.name,
                dosage: medicine.dosage,
                review_due: medicine.review_due,
                requested: medicine.requested,
            })
            .collect(),
        pharmacies: repeats
            .pharmacies
            .into_iter()
            .map(|pharmacy| PharmacyDto {
                id: pharmacy.id,
                name: pharmacy.name,
            })
            .collect(),
        usual_pharmacy: repeats.usual_pharmacy,
        requests: repeats.requests.into_iter().map(Into::into).collect(),
    }))
}
