//! Server function: open appointment times in a clinician's diary from a weekly template.

// One argument per form field, seven of them the weekdays' checkboxes, as the form posts them;
// the server macro's generated code takes them all too, so the allowance is the module's.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;

use crate::error::AppError;

/// Opens the times the template describes (days ticked, `from`–`until` each day in `minutes`
/// long appointments, for `weeks` weeks from `first_day`) in `clinician`'s diary for `service`
/// at `place`; then back to the diaries, which say how many were opened.
#[server(prefix = "/api", endpoint = "open_appointment_times")]
pub async fn open_appointment_times(
    clinician: String,
    service: String,
    place: String,
    monday: Option<String>,
    tuesday: Option<String>,
    wednesday: Option<String>,
    thursday: Option<String>,
    friday: Option<String>,
    saturday: Option<String>,
    sunday: Option<String>,
    from: String,
    until: String,
    minutes: String,
    first_day: String,
    weeks: String,
) -> Result<(), AppError> {
    use backend::diaries;
    use domain::availability::{Template, TemplateError, weekday};

    use crate::{account::fail, error::FieldError};

    let session = crate::account::require_session()?;
    let now = jiff::Timestamp::now();
    let ticked = [
        ("monday", &monday),
        ("tuesday", &tuesday),
        ("wednesday", &wednesday),
        ("thursday", &thursday),
        ("friday", &friday),
        ("saturday", &saturday),
        ("sunday", &sunday),
    ];
    let days = ticked
        .iter()
        .filter(|(_, box_)| box_.is_some())
        .filter_map(|(day, _)| weekday(day))
        .collect();
    let time = |text: &str| text.trim().parse::<jiff::civil::Time>().ok();
    let number = |text: &str| text.trim().parse::<i64>().unwrap_or(-1);
    let mut problems = Vec::new();
    let first_day = match first_day.trim().parse::<jiff::civil::Date>() {
        Ok(day) => Some(day),
        Err(_) => {
            problems.push(FieldError {
                field_id: "first-day".to_owned(),
                message: "Enter the first day as a real date, for example 2026-12-07".to_owned(),
            });
            None
        }
    };
    let today = backend::time::uk_date(now);
    let template = Template::new(
        days,
        time(&from),
        time(&until),
        number(&minutes),
        first_day.unwrap_or(today),
        number(&weeks),
        today,
    );
    let template = match template {
        Ok(template) if problems.is_empty() => template,
        Ok(_) => return Err(fail(AppError::Invalid { problems })),
        Err(errors) => {
            problems.extend(errors.into_iter().map(|e: TemplateError| FieldError {
                field_id: e.field().to_owned(),
                message: e.to_string(),
            }));
            return Err(fail(AppError::Invalid { problems }));
        }
    };
    let db = use_context::<backend::Db>().ok_or(AppError::ServiceUnavailable)?;
    let opened =
        diaries::open_from_template(&db, &session, &clinician, &service, &place, &template, now)
            .await
            .map_err(super::refused)?;
    let mut back = form_urlencoded::Serializer::new(String::from("/availability?"));
    back.append_pair("opened", &opened.created.to_string())
        .append_pair("skipped", &opened.skipped.to_string())
        .append_pair("week", &template.first_day().to_string());
    leptos_axum::redirect(&back.finish());
    Ok(())
}
