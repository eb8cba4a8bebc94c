//! Server function: block time off in a clinician's diary.

use leptos::prelude::*;

use crate::error::AppError;

/// Closes `clinician`'s free times from `from_day` `from_time` to `until_day` `until_time`
/// (UK time) for `reason`; then to the page that lists the booked appointments still in that
/// time, which are never cancelled here.
#[server(prefix = "/api", endpoint = "block_time_off")]
pub async fn block_time_off(
    clinician: String,
    from_day: String,
    from_time: String,
    until_day: String,
    until_time: String,
    reason: String,
) -> Result<(), AppError> {
    use backend::diaries;

    use crate::{account::fail, error::FieldError};

    let session = crate::account::require_session()?;
    let now = jiff::Timestamp::now();
    let london = jiff::tz::TimeZone::get("Europe/London").map_err(|e| AppError::internal(&e))?;
    let moment = |day: &str, time: &str| -> Option<jiff::Timestamp> {
        let day = day.trim().parse::<jiff::civil::Date>().ok()?;
        let time = time.trim().parse::<jiff::civil::Time>().ok()?;
        Some(
            day.to_datetime(time)
                .to_zoned(london.clone())
                .ok()?
                .timestamp(),
        )
    };
    let mut problems = Vec::new();
    let from = moment(&from_day, &from_time);
    let until = moment(&until_day, &until_time);
    if from.is_none() {
        problems.push(FieldError {
            field_id: "from-day".to_owned(),
            message: "Enter when the time off starts: a day and a time".to_owned(),
        });
    }
    if until.is_none() {
        problems.push(FieldError {
            field_id: "until-day".to_owned(),
            message: "Enter when the time off ends: a day and a time".to_owned(),
        });
    }
    let reason = reason.trim().to_owned();
    if reason.is_empty() || reason.chars().count() > 200 {
        problems.push(FieldError {
            field_id: "reason".to_owned(),
            message: "Enter why, in up to 200 characters (for example: training, annual leave)"
                .to_owned(),
        });
    }
    let (Some(from), Some(until)) = (from, until) else {
        return Err(fail(AppError::Invalid { problems }));
    };
    if until <= from {
        problems.push(FieldError {
            field_id: "until-day".to_owned(),
            message: "The time off must end after it starts".to_owned(),
        });
    }
    if !problems.is_empty() {
        return Err(fail(AppError::Invalid { problems }));
    }
    let db = use_context::<backend::Db>().ok_or(AppError::ServiceUnavailable)?;
    let blocked = diaries::block_time(
        &db,
        &session,
        &clinician,
        (from, until),
        &reason,
        crate::account::client_address(),
        now,
    )
    .await
    .map_err(super::refused)?;
    let mut next = form_urlencoded::Serializer::new(String::from("/availability/blocked?"));
    next.append_pair("clinician", &clinician)
        .append_pair("from", &from.to_string())
        .append_pair("until", &until.to_string())
        .append_pair("closed", &blocked.closed.to_string());
    leptos_axum::redirect(&next.finish());
    Ok(())
}
