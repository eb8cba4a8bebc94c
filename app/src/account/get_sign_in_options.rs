//! Server function: the ways to sign in, for the sign-in page.

use leptos::prelude::*;

use super::SignInOptionsDto;
use crate::error::AppError;

/// Public: which providers are configured, and in demo mode the synthetic personas.
#[server(prefix = "/api", endpoint = "sign_in_options")]
pub async fn get_sign_in_options() -> Result<SignInOptionsDto, AppError> {
    use super::PersonaDto;

    let methods = use_context::<backend::auth::SignInMethods>().unwrap_or_default();
    let personas = if methods.demo_personas {
        let db = use_context::<backend::Db>().ok_or(AppError::ServiceUnavailable)?;
        backend::auth::sign_in::demo_personas(&db)
            .await?
            .into_iter()
            .map(|persona| PersonaDto {
                key: persona.key.to_owned(),
                name: persona.actor.display_name().to_owned(),
                role: super::role_label(&persona.actor),
                description: persona.description.to_owned(),
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(SignInOptionsDto {
        patient_login: methods.patient_provider,
        staff_login: methods.staff_provider,
        personas,
    })
}
