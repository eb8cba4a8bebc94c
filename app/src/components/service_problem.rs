//! The NHS.UK "problem with the service" content, shown in place of a page whose data could not be
//! loaded, and served with status 500 (or 503 when the service could not be reached).

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
