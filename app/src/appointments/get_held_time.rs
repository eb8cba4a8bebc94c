//! Server function: the time held for the patient, for "Check your answers".

use leptos::prelude::*;

use super::{HeldView, PatientView};
use crate::error::AppError;

/// The time the signed-in patient holds in slot `slot`, and until when; if the hold ran out or
/// the time went, the nearest other times.
#[server(prefix = "/api", endpoint = "held_time")]
pub async fn get_held_time(slot: String) -> Result<PatientView<HeldView>, AppError> {
    use backend::{
        appointments::{self, AppointmentsError},
        time,
    };

    use super::HeldDto;

    let session = crate::account::require_session()?;
    let db = use_context::<backend::Db>().ok_or(AppError::ServiceUnavailable)?;
    let now = jiff::Timestamp::now();
    let answer = async {
        let access = super::booking_access(&db, &session, now).await?;
        appointments::held(&db, &access, &slot, now).await
    };
    match answer.await {
        Ok(held) => Ok(PatientView::Ready(HeldView::Held(HeldDto {
            date: time::uk_date(held.time.start).to_string(),
            day_label: time::long_date(time::uk_date(held.time.start)),
            held_until: time::clock(held.held_until),
            service: held.service.into(),
            time: held.time.into(),
        }))),
        Err(AppointmentsError::Unavailable(unavailable)) => Ok(PatientView::Ready(
            HeldView::Unavailable((*unavailable).into()),
        )),
        Err(error) => super::patient_refusal(&session, error),
    }
}
