//! Server function: who is signed in, for the header.

use leptos::prelude::*;

use super::CurrentUserDto;
use crate::error::AppError;

/// Anyone may ask; the answer is about the asker's own session only.
#[server(prefix = "/api", endpoint = "current_user")]
pub async fn get_current_user() -> Result<Option<CurrentUserDto>, AppError> {
    use domain::identity::{Actor, StaffRole};

    Ok(super::current_session().map(|session| CurrentUserDto {
        name: session.actor.display_name().to_owned(),
        role: super::role_label(&session.actor),
        is_patient: matches!(session.actor, Actor::Patient(_)),
        manages_practice: matches!(
            &session.actor,
            Actor::Staff(staff) if staff.role == StaffRole::Administrator
        ),
    }))
}
