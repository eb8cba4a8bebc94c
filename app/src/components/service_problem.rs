//! The NHS.UK "problem with the service" content, shown in place of a page whose data could not be
//! loaded, and served with status 500 (or 503 when the service could not be reached); and what a
//! page for the practice's staff shows anyone else.

use leptos::prelude::*;
use leptos_meta::Title;

use super::set_http_status;
use crate::error::AppError;

#[component]
pub fn ServiceProblem(error: AppError) -> impl IntoView {
    set_http_status(error.status());
    view! {
        <Title text="Sorry, there is a problem with the service" />
        <h1>"Sorry, there is a problem with the service"</h1>
        <p>{error.to_string()}</p>
        <p>"If you need medical help urgently, call 111. In an emergency, call 999."</p>
    }
}

/// In place of a page for the practice's staff: sign in, or why it is not for them (`why`, a
/// sentence), or the problem with the service.
#[component]
pub fn StaffPageRefusal(error: AppError, why: &'static str) -> impl IntoView {
    match error {
        AppError::SignInRequired => view! {
            <Title text="Sign in to continue" />
            <h1>"Sign in to continue"</h1>
            <p><a class="button" href="/sign-in">"Sign in"</a></p>
        }
        .into_any(),
        AppError::NotAllowed => view! {
            <Title text="This is for the practice's staff" />
            <h1>"This is for the practice's staff"</h1>
            <p>{why}</p>
        }
        .into_any(),
        error => view! { <ServiceProblem error /> }.into_any(),
    }
}
