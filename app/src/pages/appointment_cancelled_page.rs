//! "Appointment cancelled" (`/appointments/{id}/cancelled`): the confirmation that the time is
//! given back, and a way to book another.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::appointment_booked_page::{MANAGE_ONLINE, YOUR_APPOINTMENT};
use crate::{
    appointments::get_appointment,
    components::{AppointmentSummary, patient_page},
};

#[component]
pub fn AppointmentCancelledPage() -> impl IntoView {
    let params = use_params_map();
    let appointment = Resource::new(
        move || params.read().get("id").unwrap_or_default(),
        get_appointment,
    );
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                patient_page(appointment.await, YOUR_APPOINTMENT, MANAGE_ONLINE, "/appointments", |appointment| view! {
                    <Title text="Appointment cancelled" />
                    <div class="panel-confirmation mt-0 mb-8">
                        <h1 class="mb-0">"Appointment cancelled"</h1>
                    </div>
                    <p>"The time is free again for someone else. You do not need to do anything else."</p>
                    <AppointmentSummary appointment />
                    <p><a class="button" href="/book">"Book another appointment"</a></p>
                    <p><a href="/appointments">"See your appointments"</a></p>
                }.into_any())
            })}
        </Suspense>
    }
}
