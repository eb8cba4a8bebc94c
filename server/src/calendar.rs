//! "Add to your calendar": `GET /appointments/{id}/calendar.ics`, one appointment as an
//! iCalendar file. The same rules as the appointment's page: whoever the policy lets see it,
//! audited like any other reading of it. Signed out, the browser is sent to sign in first.

use axum::{
    Extension,
    extract::{Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use backend::{
    Db,
    appointments::{self, AppointmentsError},
    auth::{ClientAddress, access, policy::Purpose, sessions::Session},
};

pub async fn appointment_ics(
    State(db): State<Db>,
    session: Option<Extension<Session>>,
    address: Option<Extension<ClientAddress>>,
    Path(id): Path<String>,
) -> Response {
    let Some(Extension(session)) = session else {
        return Redirect::to(&format!("/sign-in?return_to=/appointments/{id}/booked"))
            .into_response();
    };
    let now = jiff::Timestamp::now();
    let address = address.map(|Extension(address)| address.0.to_string());
    let found = async {
        let patient_id = appointments::patient_of(&db, &id).await?;
        let access = access::check(
            &db,
            &session,
            &patient_id,
            Purpose::Appointments,
            address,
            now,
        )
        .await?;
        appointments::appointment(&db, access, &id, now).await
    }
    .await;
    match found {
        Ok(appointment) => (
            [
                (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"appointment.ics\"",
                ),
                (header::CACHE_CONTROL, "no-store"),
            ],
            appointments::calendar::ics(&appointment, now),
        )
            .into_response(),
        Err(AppointmentsError::NotFound) => {
            (StatusCode::NOT_FOUND, "No such appointment.").into_response()
        }
        Err(AppointmentsError::Refused(_)) => (
            StatusCode::FORBIDDEN,
            "You do not have permission to see this appointment.",
        )
            .into_response(),
        Err(error) => {
            tracing::error!(error = %error, "calendar download failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Sorry, there is a problem with the service. Try again later.",
            )
                .into_response()
        }
    }
}
