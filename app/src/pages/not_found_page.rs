//! The NHS.UK "page not found" page, served with status 404.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::set_http_status;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    set_http_status(404);
    view! {
        <Title text="Page not found" />
        <h1>"Page not found"</h1>
        <p>"If you entered a web address, check it was correct."</p>
        <p>"If you pasted the web address, check you copied the entire address."</p>
        <p>
            <a href="/">"Go to the homepage"</a>
        </p>
    }
}
