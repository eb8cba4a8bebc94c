//! "That time has gone" (`/book/unavailable?slot=…&expired=…`): where a patient lands when the
//! time they chose was taken first or their hold ran out. Never an error page: the nearest other
//! times, to choose from at once.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    appointments::{HoldTime, PatientView, get_alternatives},
    components::{PatientPageRefusal, ProveWhoYouAre, TimeUnavailable},
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
    view! {
        <div class="mb-6"><a class="back-link" href="/book">"Back"</a></div>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match alternatives.await {
                    Ok(PatientView::Ready(unavailable)) => view! {
                        <Title text="Choose another time – Book an appointment" />
                        <TimeUnavailable unavailable action=hold />
                    }.into_any(),
                    Ok(PatientView::ProofingTooLow) => view! {
                        <Title text="Prove who you are – Book an appointment" />
                        <h1>"Book an appointment"</h1>
                        <ProveWhoYouAre to="book appointments online" />
                    }.into_any(),
                    Err(error) => view! {
                        <Title text="Book an appointment" />
                        <PatientPageRefusal error return_to="/book".to_owned() />
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}
