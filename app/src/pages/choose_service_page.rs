//! Book an appointment, step 1: "What kind of appointment do you need?" (`/book`).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    appointments::{PatientView, get_booking_options},
    components::{BackLink, PatientPageRefusal, ProveWhoYouAre, ServiceQuestion},
};

#[component]
pub fn ChooseServicePage() -> impl IntoView {
    let options = Resource::new(|| (), |_| get_booking_options(None, None));
    view! {
        <BackLink href="/appointments" label="Your appointments" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match options.await {
                    Ok(PatientView::Ready(options)) => view! {
                        <Title text="Choose the kind of appointment – Book an appointment" />
                        <ServiceQuestion services=options.services error=None />
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
