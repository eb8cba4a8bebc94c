//! Server function: who is signed in, for the header.

use leptos::prelude::*;

use super::CurrentUserDto;
use crate::error::AppError;

/// Anyone may ask; the answer is about the asker's own session only: who they are, and whom
/// they act for (that grant's name and relationship, nothing of the record).
#[server(prefix = "/api", endpoint = "current_user")]
pub async fn get_current_user() -> Result<Option<CurrentUserDto>, AppError> {
    use backend::auth::acting::{self, Acting};

    use super::ActingForDto;
    use domain::identity::{Actor, StaffRole};

    let Some(session) = super::current_session() else {
        return Ok(None);
    };
    let acting = match session.acting_for {
        None => Acting::Themselves,
        Some(_) => {
            let db = use_context::<backend::Db>().ok_or(AppError::ServiceUnavailable)?;
            acting::current(&db, &session, jiff::Timestamp::now())
                .await
                .map_err(|error| AppError::internal(&error))?
        }
    };
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
