//! "Appointment booked" (`/appointments/{id}/booked`): the confirmation, with the reference to
//! quote and everything needed to get there.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::{
    appointments::get_appointment,
    components::{AppointmentSummary, patient_page},
};

#[component]
pub fn AppointmentBookedPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    // Moved from another time (`?changed=true`) rather than newly booked.
    let changed = move || query.read().get("changed").as_deref() == Some("true");
    let appointment = Resource::new(
        move || params.read().get("id").unwrap_or_default(),
        get_appointment,
    );
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                patient_page(appointment.await, YOUR_APPOINTMENT, MANAGE_ONLINE, "/appointments", |appointment| view! {
                    <Title text=if changed() { "Appointment changed" } else { "Appointment booked" } />
                    <div class="panel-confirmation mt-0 mb-8">
                        <h1 class="mb-2">{if changed() { "Appointment changed" } else { "Appointment booked" }}</h1>
                        <p class="mb-0 text-xl">
                            "Your reference is " <strong>{appointment.reference.clone()}</strong>
                        </p>
                    </div>
                    <p>
                        // A file for the person's calendar app, not a page: past the router.
                        <a href=format!("/appointments/{}/calendar.ics", appointment.id) download>
                            "Add to your calendar"
                        </a>
                    </p>
                    <AppointmentSummary appointment />
                    <h2>"If you cannot go"</h2>
                    <p>"Cancel it as early as you can, so that someone else can have the time."</p>
                    <p><a href="/appointments">"See and manage your appointments"</a></p>
                }.into_any())
            })}
        </Suspense>
    }
}

/// The title of an appointment page's explanations, and what a patient below P9 cannot do yet.
pub(super) const YOUR_APPOINTMENT: &str = "Your appointment";
pub(super) const MANAGE_ONLINE: &str = "manage appointments online";
