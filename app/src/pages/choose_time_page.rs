//! Book an appointment, step 3: "Choose a time" (`/book/time?service=…&day=…`), morning and
//! afternoon apart, each with the clinician and place, narrowed by clinician and part of the day
//! (`&clinician=…&part=…`) and the earliest first (`&all=1` for every one). Choosing one holds it
//! for the patient.
//! Without a day chosen, step 2 again with the error.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::choose_service_page::{BOOK_ONLINE, BOOKING};
use crate::{
    appointments::{
        CHANGE_FIELD, DAY_FIELD, HoldTime, SERVICE_FIELD, get_booking_options,
        time_filter::{ALL_FIELD, CLINICIAN_FIELD, PART_FIELD, TimeFilter},
    },
    components::{
        DayQuestion, Narrowing, ServiceQuestion, TimeQuestion, error_prefix, form_outcome,
        patient_page,
    },
};

#[component]
pub fn ChooseTimePage() -> impl IntoView {
    let query = use_query_map();
    let options = Resource::new(
        move || {
            let query = query.read();
            (query.get(SERVICE_FIELD), query.get(DAY_FIELD))
        },
        |(service, day)| get_booking_options(service, day),
    );
    let hold = ServerAction::<HoldTime>::new();
    let (_, failed) = form_outcome(hold.value());
    let change = move || query.read().get(CHANGE_FIELD).filter(|id| !id.is_empty());
    let filter = move || {
        let query = query.read();
        TimeFilter::from_address(
            query.get(CLINICIAN_FIELD),
            query.get(PART_FIELD),
            query.get(ALL_FIELD),
        )
    };
    let back = move || match (query.read().get(SERVICE_FIELD), change()) {
        (Some(service), Some(id)) => format!("/book/day?service={service}&change={id}"),
        (Some(service), None) => format!("/book/day?service={service}"),
        (None, _) => "/book".to_owned(),
    };
    view! {
        <div class="mb-6"><a class="back-link" href=back>"Back"</a></div>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || {
                // Read here, not after the `await`, so that narrowing the times (a new
                // address, the same day) shows them again.
                let filter = filter();
                Suspend::new(async move {
                    patient_page(options.await, BOOKING, BOOK_ONLINE, "/book", |options| {
                        match (options.service, options.day) {
                            (Some(service), Some(day)) if options.times.is_empty() => view! {
                                <Title text="No free times – Book an appointment" />
                                <h1>{format!("No free times on {}", day.label)}</h1>
                                <p>"The times on this day have all been booked."</p>
                                <p><a href=format!("/book/day?service={}", service.code)>"Choose another day"</a></p>
                            }.into_any(),
                            (Some(service), Some(day)) => {
                                let title = move || {
                                    format!("{}Choose a time – Book an appointment", error_prefix(failed))
                                };
                                view! {
                                    <Title text=title />
                                    <TimeQuestion
                                        heading=format!("Choose a time on {}", day.label)
                                        hint=format!("{}. Each time shows who you will see, and where.", service.name)
                                        times=options.times
                                        narrowing=Narrowing { service: service.code, date: day.date, filter }
                                        action=hold
                                        change=change()
                                    />
                                }.into_any()
                            }
                            (Some(service), None) => view! {
                                <Title text="Error: Choose a day – Book an appointment" />
                                <DayQuestion
                                    service
                                    days=options.days
                                    error=Some("Select a day".to_owned())
                                    change=change()
                                />
                            }.into_any(),
                            (None, _) => view! {
                                <Title text="Error: Choose the kind of appointment – Book an appointment" />
                                <ServiceQuestion
                                    services=options.services
                                    error=Some("Select the kind of appointment you need".to_owned())
                                />
                            }.into_any(),
                        }
                    })
                })
            }}
        </Suspense>
    }
}
