//! Book an appointment, step 2: "Choose a day" (`/book/day?service=…`). Without a kind of
//! appointment chosen, step 1 again with the error.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::choose_service_page::{BOOK_ONLINE, BOOKING};
use crate::{
    appointments::{CHANGE_FIELD, SERVICE_FIELD, get_booking_options},
    components::{BackLink, DayQuestion, ServiceQuestion, patient_page},
};

#[component]
pub fn ChooseDayPage() -> impl IntoView {
    let query = use_query_map();
    let options = Resource::new(
        move || query.read().get(SERVICE_FIELD),
        |service| get_booking_options(service, None),
    );
    let change = move || query.read().get(CHANGE_FIELD).filter(|id| !id.is_empty());
    view! {
        <BackLink href="/book" label="Back" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                patient_page(options.await, BOOKING, BOOK_ONLINE, "/book", |options| match options.service {
                    Some(service) => view! {
                        <Title text="Choose a day – Book an appointment" />
                        <DayQuestion service days=options.days error=None change=change() />
                    }.into_any(),
                    None => view! {
                        <Title text="Error: Choose the kind of appointment – Book an appointment" />
                        <ServiceQuestion
                            services=options.services
                            error=Some("Select the kind of appointment you need".to_owned())
                        />
                    }.into_any(),
                })
            })}
        </Suspense>
    }
}
