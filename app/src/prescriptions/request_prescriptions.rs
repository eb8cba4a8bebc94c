//! Server function: a patient asks for repeat medicines.

use leptos::prelude::*;

use crate::error::AppError;

/// Asks for the repeat medicines ticked (`medicines[]`, all of one patient's) to be sent to
/// `pharmacy`, with `note`, for whoever's they are: the signed-in patient's own, or those of a
/// person whose grant lets them. Then back to the list, saying how many were asked for. Every
/// problem comes back for the error summary; nothing is asked for unless all can be.
#[server(prefix = "/api", endpoint = "request_prescriptions")]
pub async fn request_prescriptions(
    medicines: Option<Vec<String>>,
    pharmacy: Option<String>,
    note: String,
) -> Result<(), AppError> {
    use backend::{auth::policy::Purpose, prescriptions};
    use domain::prescriptions::{PrescriptionError, RequestNote};

    use super::{MEDICINES_FIELD, NOTE_FIELD, PHARMACY_FIELD};
    use crate::error::FieldError;

    let session = crate::account::require_session()?;
    let medicines = medicines.unwrap_or_default();
    let pharmacy = pharmacy.filter(|id| !id.trim().is_empty());
    let note = RequestNote::parse(&note);
    let problems: Vec<FieldError> = [
        (
            MEDICINES_FIELD,
            medicines
                .is_empty()
                .then_some(PrescriptionError::NoMedicine),
        ),
        (
            PHARMACY_FIELD,
            pharmacy.is_none().then_some(PrescriptionError::NoPharmacy),
        ),
        (NOTE_FIELD, note.as_ref().err().copied()),
    ]
    .into_iter()
    .filter_map(|(field, problem)| {
        Some(FieldError {
            field_id: field.to_owned(),
            message: problem?.to_string(),
        })
    })
    .collect();
    let (Some(pharmacy), Ok(note), true) = (pharmacy, note, problems.is_empty()) else {
        return Err(crate::account::fail(AppError::Invalid { problems }));
    };
    let db = use_context::<backend::Db>().ok_or(AppError::ServiceUnavailable)?;
    let now = jiff::Timestamp::now();
    let refused = |error| super::refused(&session, error);
    let patient_id = prescriptions::patient_of_repeat(&db, &medicines[0])
        .await
        .map_err(refused)?;
    let access = crate::account::access(&db, &session, &patient_id, Purpose::Prescriptions, now)
        .await
        .map_err(|error| refused(error.into()))?;
    let requested =
        prescriptions::request(&db, access, (&medicines, &pharmacy), note.as_ref(), now)
            .await
            .map_err(refused)?;
    leptos_axum::redirect(&format!("/prescriptions?requested={requested}"));
    Ok(())
}
