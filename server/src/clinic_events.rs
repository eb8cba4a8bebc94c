//! `GET /clinic/events`: tells an open clinic list that an appointment has changed (a status
//! marked, a booking, a cancellation) by server-sent events, so every screen showing the list
//! fetches it again without a reload.
//!
//! Each connection asks the database once a second for its change marker (the newest
//! Appointment write, an indexed look-up). That sees a write made by any server process behind a
//! load balancer, with no channel between them, for one cheap query per second per open list.
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
use tokio::time::Instant;

/// How often a connection looks for changes.
const CHECK_EVERY: Duration = Duration::from_secs(1);
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
    let seen = db
        .last_change(ResourceType::Appointment)
        .await
        .ok()
        .flatten();
    let until = Instant::now() + CONNECTION_LIFETIME;
    let changes = futures_util::stream::unfold((db, seen), move |(db, mut seen)| async move {
        while Instant::now() < until {
            tokio::time::sleep(CHECK_EVERY).await;
            // A failed check is tried again next second; the list on screen stays as it was.
            let Ok(newest) = db.last_change(ResourceType::Appointment).await else {
                continue;
            };
            if newest != seen {
                seen = newest;
                let event = Event::default().event("changed").data("appointments");
                return Some((Ok::<_, Infallible>(event), (db, seen)));
            }
        }
        None
    });
    Sse::new(changes)
        .keep_alive(KeepAlive::default())
        .into_response()
}
