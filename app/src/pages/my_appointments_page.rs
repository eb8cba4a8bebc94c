//! "Your appointments" (`/appointments`): upcoming ones, soonest first, each with a way to cancel
//! it (or why it cannot be cancelled online), then past and cancelled ones.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    appointments::{AppointmentDto, CancelDto, MyAppointmentsDto, get_my_appointments},
    components::{BackLink, patient_page},
};

#[component]
pub fn MyAppointmentsPage() -> impl IntoView {
    let query = use_query_map();
    let appointments = Resource::new(move || query.read().get("for"), get_my_appointments);
    view! {
        <BackLink href="/" label="Back to home" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                patient_page(appointments.await, "Your appointments", "see and book appointments online", "/appointments", |appointments| {
                    let title = match &appointments.for_name {
                        Some(name) => format!("{name}'s appointments"),
                        None => "Your appointments".to_owned(),
                    };
                    view! {
                        <Title text=title.clone() />
                        <Appointments appointments title />
                    }.into_any()
                })
            })}
        </Suspense>
    }
}

#[component]
fn Appointments(appointments: MyAppointmentsDto, title: String) -> impl IntoView {
    let MyAppointmentsDto { upcoming, past, .. } = appointments;
    view! {
        <h1>{title}</h1>
        <p><a class="button" href="/book">"Book an appointment"</a></p>
        <section aria-labelledby="upcoming-heading" class="mt-8">
            <h2 id="upcoming-heading">"Upcoming"</h2>
            {if upcoming.is_empty() {
                view! { <p>"You have no upcoming appointments."</p> }.into_any()
            } else {
                view! {
                    <ul class="appointment-list">
                        {upcoming.into_iter().map(|a| view! { <AppointmentCard appointment=a /> }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
        {(!past.is_empty()).then(|| view! {
            <section aria-labelledby="past-heading" class="mt-8">
                <h2 id="past-heading">"Past and cancelled"</h2>
                <ul class="appointment-list">
                    {past.into_iter().map(|a| view! { <AppointmentCard appointment=a /> }).collect_view()}
                </ul>
            </section>
        })}
    }
}

#[component]
fn AppointmentCard(appointment: AppointmentDto) -> impl IntoView {
    let cancel_link = format!("/appointments/{}/cancel", appointment.id);
    let change_link = format!(
        "/book/day?service={}&change={}",
        appointment.service_code, appointment.id
    );
    let cancel = match appointment.cancel {
        CancelDto::Allowed => Some(view! {
            <ul class="flex flex-wrap gap-x-6 list-none p-0 m-0">
                <li>
                    <a href=change_link>
                        "Change this appointment"
                        <span class="sr-only">{format!(" on {}", appointment.when)}</span>
                    </a>
                </li>
                <li>
                    <a href=cancel_link>
                        "Cancel this appointment"
                        <span class="sr-only">{format!(" on {}", appointment.when)}</span>
                    </a>
                </li>
            </ul>
        }.into_any()),
        CancelDto::TooLate { cutoff } => Some(view! {
            <p class="mb-0">{format!("It is too late to change or cancel online (online changes close {cutoff} before). Call the practice if you cannot go.")}</p>
        }.into_any()),
        CancelDto::Started | CancelDto::AlreadyCancelled => None,
    };
    view! {
        <li class="card mb-4">
            <h3 class="card-heading">
                <time datetime=appointment.datetime>{appointment.when}</time>
                {appointment.cancelled.then(|| view! { " " <span class="tag">"Cancelled"</span> })}
            </h3>
            <p class="mb-2">
                {appointment.service}
                {(!appointment.clinician.is_empty()).then(|| format!(" with {}", appointment.clinician))}
            </p>
            <p class="mb-2">{appointment.place}</p>
            <p class="mb-2 text-nhs-secondary-text">{format!("Reference {}", appointment.reference)}</p>
            {cancel}
        </li>
    }
}
