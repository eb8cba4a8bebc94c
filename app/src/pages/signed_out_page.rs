//! "You have signed out": where sign-out lands, so that people know it worked.

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn SignedOutPage() -> impl IntoView {
    view! {
        <Title text="You have signed out" />
        <h1>"You have signed out"</h1>
        <p>"Nobody using this device can see your information now."</p>
        <p>"If you are on a shared computer, close the browser as well."</p>
        <p>
            <a href="/sign-in">"Sign in again"</a>
        </p>
    }
}
