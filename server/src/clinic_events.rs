//! `GET /clinic/events`: tells an open clinic list that an appointment has changed (a status
//! marked, a booking, a cancellation) by server-sent events, so every screen showing the list
//! fetches it again without a reload.
//!
//! Each connection hears of every committed write from the store (`store::changes`): on
//! PostgreSQL by `LISTEN/NOTIFY`, so a change made through any server process behind a load
//! balancer reaches lists open through every other; with nothing written, nothing is sent or
//! read.
//!
//! The events carry no patient data: the list itself comes through its server function, which
//! checks the session again.

use std::{convert::Infallible, time::Duration};

use axum::{
    Extension,
    extract::State,
    http::StatusCode,
    response::{
        IntoResponse, Response,
        sse::{Event, KeepAlive, Sse},
    },
};
use backend::{Db, auth::sessions::Session};
use domain::identity::Actor;
use fhir::ResourceType;
use store::Change;
use tokio::sync::broadcast::error::RecvError;
use tokio::time::Instant;

/// A connection ends after this long; the browser reconnects at once, and so is checked against
/// its session again (which may have ended meanwhile).
const CONNECTION_LIFETIME: Duration = Duration::from_secs(10 * 60);

pub async fn clinic_events(State(db): State<Db>, session: Option<Extension<Session>>) -> Response {
    match session.as_ref().map(|Extension(session)| &session.actor) {
        Some(Actor::Staff(_)) => {}
        Some(Actor::Patient(_)) => {
            return (
                StatusCode::FORBIDDEN,
                "The clinic list is for practice staff.",
            )
                .into_response();
        }
        None => return (StatusCode::UNAUTHORIZED, "Sign in first.").into_response(),
    }
    let until = Instant::now() + CONNECTION_LIFETIME;
    let heard = db.changes();
    let changes = futures_util::stream::unfold(heard, move |mut heard| async move {
        loop {
            let change = match tokio::time::timeout_at(until, heard.recv()).await {
                Err(_) | Ok(Err(RecvError::Closed)) => return None,
                Ok(Err(RecvError::Lagged(_))) => Change::Unknown,
                Ok(Ok(change)) => change,
            };
            if change.concerns(ResourceType::Appointment) {
                let event = Event::default().event("changed").data("appointments");
                return Some((Ok::<_, Infallible>(event), heard));
            }
        }
    });
    Sse::new(changes)
        .keep_alive(KeepAlive::default())
        .into_response()
}
