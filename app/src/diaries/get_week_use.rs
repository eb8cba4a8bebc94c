//! Server function: a week of the practice's diaries.

use leptos::prelude::*;

use super::WeekUseDto;
use crate::error::AppError;

/// Each clinician's appointment times in the week of `week` ("2026-12-01"; this week when
/// absent): how many, how many booked, blocked and free. For the practice's staff.
#[server(prefix = "/api", endpoint = "week_use")]
pub async fn get_week_use(week: Option<String>) -> Result<WeekUseDto, AppError> {
    use backend::diaries;

    use super::ClinicianUseDto;
    use crate::account::fail;

    let session = crate::account::require_session()?;
    let now = jiff::Timestamp::now();
    let day = match week.as_deref().filter(|w| !w.is_empty()) {
        None => backend::time::uk_date(now),
        Some(text) => text.parse::<jiff::civil::Date>().map_err(|_| {
            fail(AppError::invalid(
                "week",
                "Enter a real date, for example 2026-12-01",
            ))
        })?,
    };
    let back = i64::from(day.weekday().to_monday_zero_offset());
    let monday = day
        .checked_sub(jiff::Span::new().days(back))
        .map_err(|_| fail(AppError::NotFound))?;
    let db = use_context::<backend::Db>().ok_or(AppError::ServiceUnavailable)?;
    let uses = diaries::week_use(&db, &session, monday, now)
        .await
        .map_err(super::refused)?;
    let shift = |days: i64| {
        monday
            .checked_add(jiff::Span::new().days(days))
            .map(|d| d.to_string())
            .unwrap_or_default()
    };
    Ok(WeekUseDto {
        week_of: backend::time::long_date(monday),
        previous_week: shift(-7),
        next_week: shift(7),
        clinicians: uses
            .into_iter()
            .map(|u| {
                let open = u.total - u.blocked;
                ClinicianUseDto {
                    booked_percent: (open > 0).then(|| (u.booked * 100 + open / 2) / open),
                    free: open - u.booked.min(open),
                    name: u.clinician,
                    total: u.total,
                    booked: u.booked,
                    blocked: u.blocked,
                }
            })
            .collect(),
    })
}
