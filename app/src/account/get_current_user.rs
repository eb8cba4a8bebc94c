//! Server function: who is signed in, for the header.

use leptos::prelude::*;

use super::CurrentUserDto;
use crate::error::AppError;

/// Anyone may ask; the answer is about the asker's own session only: who they are, and whom
/// they act for (that grant's name and relationship, nothing of the record).
#[server(prefix = "/api", endpoint = "current_user")]
pub async fn get_current_user() -> Result<Option<CurrentUserDto>, AppError> {
    use backend::auth::acting::Acting;
    use domain::identity::{Actor, StaffRole};

    use super::ActingForDto;

    let Some(session) = super::current_session() else {
        return Ok(None);
    };
    // Settled when the session was resumed (`server::identity`): nothing to ask again.
    let acting = use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Acting>().cloned())
        .unwrap_or(Acting::Themselves);
    Ok(Some(CurrentUserDto {
        name: session.actor.display_name().to_owned(),
        role: super::role_label(&session.actor),
        is_patient: matches!(session.actor, Actor::Patient(_)),
        manages_practice: matches!(
            &session.actor,
            Actor::Staff(staff) if staff.role == StaffRole::Administrator
        ),
        acting_ended: acting == Acting::Ended,
        acting_for: match acting {
            Acting::For(grant) => Some(ActingForDto::from(grant)),
            Acting::Themselves | Acting::Ended => None,
        },
    }))
}
