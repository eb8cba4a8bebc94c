//! Server function: ask to be told of an earlier time than a booked appointment, or stop.

use leptos::prelude::*;

use crate::error::AppError;

/// For appointment `id` (booked, still to come) of the signed-in patient or of the person they
/// act for: `wanted` `yes` asks to be told when an earlier time for its service frees up, `no`
/// stops that. Then back to the appointments, saying which. Audited.
#[server(prefix = "/api", endpoint = "want_earlier_time")]
pub async fn want_earlier_time(id: String, wanted: String) -> Result<(), AppError> {
    use backend::appointments::earlier;

    let session = crate::account::require_session()?;
    let wanted = match wanted.as_str() {
        "yes" => true,
        "no" => false,
        _ => return Err(crate::account::fail(AppError::Malformed)),
    };
    let db = use_context::<backend::Db>().ok_or(AppError::ServiceUnavailable)?;
    let now = jiff::Timestamp::now();
    let access = super::access_to_appointment(&db, &session, &id, now)
        .await
        .map_err(super::refused)?;
    let done = if wanted {
        earlier::ask(&db, access, &id, now).await
    } else {
        earlier::stop_asking(&db, access, &id, now).await
    };
    done.map_err(super::refused)?;
    let said = if wanted { "asked" } else { "stopped" };
    leptos_axum::redirect(&format!("/appointments?earlier={said}"));
    Ok(())
}
