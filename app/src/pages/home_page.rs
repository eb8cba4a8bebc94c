//! The home page: what the service does and the practice it serves.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    account::get_current_user,
    acting::get_acting_choices,
    appointments::{
        AppointmentDto, EarlierOfferDto, MyAppointmentsDto, PatientView, get_my_appointments,
    },
    components::{AppointmentSummary, EarlierOffers, ServiceProblem},
    practice::{PracticeDto, get_practice_summary},
};

#[component]
pub fn HomePage() -> impl IntoView {
    let practice = Resource::new(|| (), |_| get_practice_summary());
    // A signed-in patient's appointments, for their next one, and whether anyone lets them act
    // for them; nobody else's page asks (asking for them signed out would be a refusal, and the
    // home page is for everyone).
    let appointments = Resource::new(
        || (),
        |_| async {
            match get_current_user().await {
                Ok(Some(user)) if user.is_patient => {
                    let cares_for = matches!(
                        get_acting_choices().await,
                        Ok(PatientView::Ready(choices)) if !choices.choices.is_empty()
                    );
                    Some((get_my_appointments(None).await, cares_for))
                }
                _ => None,
            }
        },
    );
    view! {
        <Title text="Book appointments and see your health record" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let patient = appointments.await.map(|(answer, cares_for)| match answer {
                    Ok(PatientView::Ready(MyAppointmentsDto { upcoming, for_name, earlier_offers, .. })) => {
                        view! { <PatientHome next=upcoming.into_iter().next() for_name cares_for earlier_offers /> }.into_any()
                    }
                    Ok(PatientView::ProofingTooLow) => view! {
                        <div class="inset-text">
                            <p>"To book appointments and see your record online, you need to prove who you are with NHS login first. "
                            <a href="/appointments">"Find out how"</a></p>
                        </div>
                    }.into_any(),
                    Err(_) => ().into_any(),
                });
                match practice.await {
                    Ok(Some(practice)) => view! { <PracticeHome practice patient /> }.into_any(),
                    Ok(None) => view! { <NoPracticeYet /> }.into_any(),
                    Err(error) => view! { <ServiceProblem error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn PracticeHome(
    practice: PracticeDto,
    /// A signed-in patient's own part of the page, under the heading.
    patient: Option<AnyView>,
) -> impl IntoView {
    let PracticeDto {
        name,
        ods_code,
        address_lines,
        phone,
        services,
    } = practice;
    view! {
        <h1>{name.clone()}</h1>
        <p class="lede">
            "Book and manage appointments, and see your GP health record, on any phone or computer."
        </p>
        {patient}
        <section aria-labelledby="services-heading" class="mt-8">
            <h2 id="services-heading">"Appointments we offer"</h2>
            <ul class="card-group">
                {services
                    .into_iter()
                    .map(|service| {
                        view! {
                            <li class="card">
                                <h3 class="card-heading">{service.name}</h3>
                                <p>{service.description}</p>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
        <section aria-labelledby="contact-heading" class="mt-8">
            <h2 id="contact-heading">"Contact the practice"</h2>
            <address class="not-italic">
                {name} <br />
                {address_lines
                    .into_iter()
                    .map(|line| view! { {line} <br /> })
                    .collect_view()}
            </address>
            {phone.map(|phone| view! { <p>"Phone: " {phone}</p> })}
            <p class="text-nhs-secondary-text">"ODS code: " {ods_code}</p>
        </section>
        <section aria-labelledby="tools-heading" class="mt-8">
            <h2 id="tools-heading">"Other things you can do"</h2>
            <p>
                <a href="/check-an-nhs-number">"Check an NHS number is valid"</a>
            </p>
        </section>
    }
}

/// What a signed-in patient comes for: their next appointment, and the ways to the rest; for a
/// carer acting for someone (`for_name`), theirs. `cares_for`: someone lets them act for them.
#[component]
fn PatientHome(
    next: Option<AppointmentDto>,
    for_name: Option<String>,
    cares_for: bool,
    earlier_offers: Vec<EarlierOfferDto>,
) -> impl IntoView {
    let (heading, none, whose) = match &for_name {
        Some(name) => (
            format!("{name}'s next appointment"),
            format!("{name} has no upcoming appointments."),
            "their",
        ),
        None => (
            "Your next appointment".to_owned(),
            "You have no upcoming appointments.".to_owned(),
            "your",
        ),
    };
    view! {
        <EarlierOffers offers=earlier_offers />
        <section aria-labelledby="next-heading" class="mb-8">
            <h2 id="next-heading">{heading}</h2>
            {match next {
                Some(appointment) => view! { <AppointmentSummary appointment /> }.into_any(),
                None => view! { <p>{none}</p> }.into_any(),
            }}
            <ul class="list-bullet">
                <li><a href="/book">"Book an appointment"</a></li>
                <li><a href="/appointments">{format!("See and manage {whose} appointments")}</a></li>
                <li><a href="/your-record">{format!("See {whose} health record")}</a></li>
                <li><a href="/messages">"Send a message to the practice"</a></li>
                <li><a href="/prescriptions">"Order a repeat prescription"</a></li>
                {for_name.is_none().then(|| view! {
                    <li><a href="/settings/emails">"Choose the emails we send you"</a></li>
                })}
                {cares_for.then(|| view! {
                    <li><a href="/acting-for">"Act for someone you care for"</a></li>
                })}
            </ul>
        </section>
    }
}

#[component]
fn NoPracticeYet() -> impl IntoView {
    view! {
        <h1>{crate::SERVICE_NAME}</h1>
        <p>"This service has not been set up for a GP practice yet."</p>
        <p>"If you work at the practice, ask your IT team to finish setting it up."</p>
    }
}
