//! Book an appointment, step 2: "Choose a day" (`/book/day?service=…`). Without a kind of
//! appointment chosen, step 1 again with the error.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    appointments::{PatientView, SERVICE_FIELD, get_booking_options},
    components::{BackLink, DayQuestion, PatientPageRefusal, ProveWhoYouAre, ServiceQuestion},
};

#[component]
pub fn ChooseDayPage() -> impl IntoView {
    let query = use_query_map();
    let options = Resource::new(
        move || query.read().get(SERVICE_FIELD),
        |service| get_booking_options(service, None),
    );
    view! {
        <BackLink href="/book" label="Back" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match options.await {
                    Ok(PatientView::Ready(options)) => match options.service {
                        Some(service) => view! {
                            <Title text="Choose a day – Book an appointment" />
                            <DayQuestion service days=options.days error=None />
                        }.into_any(),
                        None => view! {
                            <Title text="Error: Choose the kind of appointment – Book an appointment" />
                            <ServiceQuestion
                                services=options.services
                                error=Some("Select the kind of appointment you need".to_owned())
                            />
                        }.into_any(),
                    },
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
