//! "Appointment booked" (`/appointments/{id}/booked`): the confirmation, with the reference to
//! quote and everything needed to get there.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::{
    appointments::{PatientView, get_appointment},
    components::{AppointmentSummary, PatientPageRefusal, ProveWhoYouAre},
};

#[component]
pub fn AppointmentBookedPage() -> impl IntoView {
    let params = use_params_map();
    let appointment = Resource::new(
        move || params.read().get("id").unwrap_or_default(),
        get_appointment,
    );
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match appointment.await {
                    Ok(PatientView::Ready(appointment)) => view! {
                        <Title text="Appointment booked" />
                        <div class="panel-confirmation mt-0 mb-8">
                            <h1 class="mb-2">"Appointment booked"</h1>
                            <p class="mb-0 text-xl">
                                "Your reference is " <strong>{appointment.reference.clone()}</strong>
                            </p>
                        </div>
                        <p>"We will send you a reminder the day before."</p>
                        <AppointmentSummary appointment />
                        <h2>"If you cannot go"</h2>
                        <p>"Cancel it as early as you can, so that someone else can have the time."</p>
                        <p><a href="/appointments">"See and manage your appointments"</a></p>
                    }.into_any(),
                    Ok(PatientView::ProofingTooLow) => view! {
                        <Title text="Your appointment" />
                        <h1>"Your appointment"</h1>
                        <ProveWhoYouAre to="see your appointments online" />
                    }.into_any(),
                    Err(error) => view! {
                        <Title text="Your appointment" />
                        <PatientPageRefusal error return_to="/appointments".to_owned() />
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}
