//! Server function: what a patient can choose from at each booking step.

use leptos::prelude::*;

use super::{BookingOptionsDto, PatientView};
use crate::error::AppError;

/// The kinds of appointment; with `service` chosen, the days with free times; with `day` too,
/// that day's free times. Signed-in patients checked to P9; others are told why not.
#[server(prefix = "/api", endpoint = "booking_options")]
pub async fn get_booking_options(
    service: Option<String>,
    day: Option<String>,
) -> Result<PatientView<BookingOptionsDto>, AppError> {
    use backend::{appointments, time};
    use jiff::{Timestamp, civil};

    use super::{DAY_FIELD, DayDto, SERVICE_FIELD};
    use crate::account::fail;

    let session = crate::account::require_session()?;
    let db = use_context::<backend::Db>().ok_or(AppError::ServiceUnavailable)?;
    let now = Timestamp::now();
    let patient_id = match super::booking_access(&db, &session, now).await {
        Ok(access) => access.patient_id,
        Err(error) => return super::patient_refusal(&session, error),
    };
    let patient_id = patient_id.as_str();
    let services = appointments::services(&db).await?;
    let chosen = match service.as_deref().map(str::trim) {
        None => None,
        Some(code) => Some(
            services
                .iter()
                .find(|s| s.code == code)
                .cloned()
                .ok_or_else(|| {
                    fail(AppError::invalid(
                        SERVICE_FIELD,
                        "Select the kind of appointment you need",
                    ))
                })?,
        ),
    };
    let mut options = BookingOptionsDto {
        services: services.into_iter().map(Into::into).collect(),
        service: None,
        days: Vec::new(),
        day: None,
        times: Vec::new(),
    };
    let Some(chosen) = chosen else {
        return Ok(PatientView::Ready(options));
    };
    match day.as_deref().map(str::trim) {
        None => {
            options.days = appointments::free_days(&db, &chosen, now)
                .await?
                .into_iter()
                .map(|day| DayDto {
                    date: day.date.to_string(),
                    label: time::day_label(day.date),
                    free: day.free,
                })
                .collect();
        }
        Some(text) => {
            let date = text
                .parse::<civil::Date>()
                .map_err(|_| fail(AppError::invalid(DAY_FIELD, "Select a day")))?;
            let times = appointments::free_times(&db, &chosen, date, patient_id, now).await?;
            options.day = Some(DayDto {
                date: date.to_string(),
                label: time::day_label(date),
                free: times.len() as i64,
            });
            options.times = times.into_iter().map(Into::into).collect();
        }
    }
    options.service = Some(chosen.into());
    Ok(PatientView::Ready(options))
}
