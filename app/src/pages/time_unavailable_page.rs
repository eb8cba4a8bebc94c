//! "That time has gone" (`/book/unavailable?slot=…&expired=…`): where a patient lands when the
//! time they chose was taken first or their hold ran out. Never an error page: the nearest other
//! times, to choose from at once.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::choose_service_page::{BOOK_ONLINE, BOOKING};
use crate::{
    appointments::{CHANGE_FIELD, HoldTime, get_alternatives},
    components::{TimeUnavailable, patient_page},
};

#[component]
pub fn TimeUnavailablePage() -> impl IntoView {
    let query = use_query_map();
    let alternatives = Resource::new(
        move || {
            let query = query.read();
            (
                query.get("slot").unwrap_or_default(),
                query.get("expired").as_deref() == Some("true"),
            )
        },
        |(slot, expired)| get_alternatives(slot, expired),
    );
    let hold = ServerAction::<HoldTime>::new();
    let change = move || query.read().get(CHANGE_FIELD).filter(|id| !id.is_empty());
    view! {
        <div class="mb-6"><a class="back-link" href="/book">"Back"</a></div>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                patient_page(alternatives.await, BOOKING, BOOK_ONLINE, "/book", |unavailable| view! {
                    <Title text="Choose another time – Book an appointment" />
                    <TimeUnavailable unavailable action=hold change=change() />
                }.into_any())
            })}
        </Suspense>
    }
}
