//! Server function: the signed-in patient's appointments.

use leptos::prelude::*;

use super::{MyAppointmentsDto, PatientView};
use crate::error::AppError;

/// Upcoming and past appointments of the signed-in patient (checked to P9), or of the person they
/// act for, or of `patient` (a `for` in the page's address: theirs, or someone they act for, else
/// refused); audited.
#[server(prefix = "/api", endpoint = "my_appointments")]
pub async fn get_my_appointments(
    patient: Option<String>,
) -> Result<PatientView<MyAppointmentsDto>, AppError> {
    use backend::{
        appointments::{self, AppointmentsError},
        auth::policy::Purpose,
    };

    let session = crate::account::require_session()?;
    let db = use_context::<backend::Db>().ok_or(AppError::ServiceUnavailable)?;
    let now = jiff::Timestamp::now();
    let listed = async {
        let patient_id =
            crate::account::whose_record(&session, patient).map_err(AppointmentsError::Refused)?;
        let access =
            crate::account::access(&db, &session, &patient_id, Purpose::Appointments, now).await?;
        let for_name = access.acting_for();
        let earlier = appointments::earlier::waiting(&db, &access, now).await?;
        appointments::appointments(&db, access, now)
            .await
            .map(|(upcoming, past)| (for_name, upcoming, past, earlier))
    }
    .await;
    match listed {
        Ok((for_name, upcoming, past, earlier)) => Ok(PatientView::Ready(MyAppointmentsDto {
            for_name,
            upcoming: upcoming.into_iter().map(Into::into).collect(),
            past: past.into_iter().map(Into::into).collect(),
            earlier_asked_for: earlier.asked_for,
            earlier_offers: earlier
                .offers
                .into_iter()
                .map(|offer| super::EarlierOfferDto {
                    slot_id: offer.slot_id,
                    when: backend::time::appointment_time(offer.start),
                    datetime: offer.start.to_string(),
                    instead_of: offer.instead_of,
                    instead_of_when: backend::time::appointment_time(offer.instead_of_start),
                    gone: offer.gone,
                })
                .collect(),
        })),
        Err(error) => super::patient_refusal(&session, error),
    }
}
