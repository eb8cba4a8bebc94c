//! "Your appointments" (`/appointments`): upcoming ones, soonest first, each with a way to cancel
//! it (or why it cannot be cancelled online), then past and cancelled ones.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    appointments::{AppointmentDto, CancelDto, MyAppointmentsDto, get_my_appointments},
    components::{BackLink, EarlierOffers, EarlierTimeWanted, patient_page},
};

#[component]
pub fn MyAppointmentsPage() -> impl IntoView {
    let query = use_query_map();
    // Read again when a form comes back saying what changed (asked for an earlier time, or not).
    let appointments = Resource::new(
        move || (query.read().get("for"), query.read().get("earlier")),
        |(patient, _)| get_my_appointments(patient),
    );
    let earlier = move || query.read().get("earlier");
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
                        <Appointments appointments title earlier=earlier() />
                    }.into_any()
                })
            })}
        </Suspense>
    }
}

#[component]
fn Appointments(
    appointments: MyAppointmentsDto,
    title: String,
    /// What the last form changed: `asked` for an earlier time, or `stopped`.
    earlier: Option<String>,
) -> impl IntoView {
    let MyAppointmentsDto {
        upcoming,
        past,
        earlier_asked_for,
        earlier_offers,
        ..
    } = appointments;
    let notice = match earlier.as_deref() {
        Some("asked") => Some("We will tell you if an earlier time comes up"),
        Some("stopped") => Some("We will not look for an earlier time"),
        _ => None,
    };
    view! {
        {notice.map(|notice| view! {
            <div class="panel-confirmation" role="status"><h2 class="m-0">{notice}</h2></div>
        }.into_any())}
        <h1>{title}</h1>
        <EarlierOffers offers=earlier_offers />
        <p><a class="button" href="/book">"Book an appointment"</a></p>
        <section aria-labelledby="upcoming-heading" class="mt-8">
            <h2 id="upcoming-heading">"Upcoming"</h2>
            {if upcoming.is_empty() {
                view! { <p>"You have no upcoming appointments."</p> }.into_any()
            } else {
                view! {
                    <ul class="appointment-list">
                        {upcoming
                            .into_iter()
                            .map(|a| {
                                let asked = earlier_asked_for.contains(&a.id);
                                view! { <AppointmentCard appointment=a earlier=Some(asked) /> }
                            })
                            .collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
        {(!past.is_empty()).then(|| view! {
            <section aria-labelledby="past-heading" class="mt-8">
                <h2 id="past-heading">"Past and cancelled"</h2>
                <ul class="appointment-list">
                    {past.into_iter().map(|a| view! { <AppointmentCard appointment=a earlier=None /> }).collect_view()}
                </ul>
            </section>
        })}
    }
}

#[component]
fn AppointmentCard(
    appointment: AppointmentDto,
    /// For an upcoming one: whether the patient asked to be told of an earlier time.
    earlier: Option<bool>,
) -> impl IntoView {
    let cancel_link = format!("/appointments/{}/cancel", appointment.id);
    let change_link = format!(
        "/book/day?service={}&change={}",
        appointment.service_code, appointment.id
    );
    // Only a time that could still be changed online can be swapped for an earlier one.
    let earlier = earlier.filter(|_| appointment.cancel == CancelDto::Allowed).map(|asked| {
        view! { <EarlierTimeWanted id=appointment.id.clone() when=appointment.when.clone() asked /> }
            .into_any()
    });
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
            {appointment.cancellation_reason.map(|why| view! {
                <p class="mb-2">"Why it was cancelled: "{why}</p>
            })}
            <p class="mb-2 text-nhs-secondary-text">{format!("Reference {}", appointment.reference)}</p>
            {cancel}
            {earlier}
        </li>
    }
}
