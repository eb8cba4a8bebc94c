//! Book an appointment, step 3: "Choose a time" (`/book/time?service=…&day=…`), morning and
//! afternoon apart, each with the clinician and place. Choosing one holds it for the patient.
//! Without a day chosen, step 2 again with the error.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    appointments::{DAY_FIELD, HoldTime, PatientView, SERVICE_FIELD, get_booking_options},
    components::{DayQuestion, PatientPageRefusal, ProveWhoYouAre, ServiceQuestion, TimeQuestion},
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
    let back = move || match query.read().get(SERVICE_FIELD) {
        Some(service) => format!("/book/day?service={service}"),
        None => "/book".to_owned(),
    };
    view! {
        <div class="mb-6"><a class="back-link" href=back>"Back"</a></div>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match options.await {
                    Ok(PatientView::Ready(options)) => match (options.service, options.day) {
                        (Some(service), Some(day)) if options.times.is_empty() => view! {
                            <Title text="No free times – Book an appointment" />
                            <h1>{format!("No free times on {}", day.label)}</h1>
                            <p>"The times on this day have all been booked."</p>
                            <p><a href=format!("/book/day?service={}", service.code)>"Choose another day"</a></p>
                        }.into_any(),
                        (Some(service), Some(day)) => {
                            let title = if hold.value().get_untracked().is_some_and(|r| r.is_err()) {
                                "Error: Choose a time – Book an appointment"
                            } else {
                                "Choose a time – Book an appointment"
                            };
                            view! {
                                <Title text=title />
                                <TimeQuestion
                                    heading=format!("Choose a time on {}", day.label)
                                    hint=format!("{}. Each time shows who you will see, and where.", service.name)
                                    times=options.times
                                    action=hold
                                />
                            }.into_any()
                        }
                        (Some(service), None) => view! {
                            <Title text="Error: Choose a day – Book an appointment" />
                            <DayQuestion service days=options.days error=Some("Select a day".to_owned()) />
                        }.into_any(),
                        (None, _) => view! {
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
