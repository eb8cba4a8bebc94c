//! The home page: what the service does and the practice it serves.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    pages::ServiceProblem,
    practice::{PracticeDto, get_practice_summary},
};

#[component]
pub fn HomePage() -> impl IntoView {
    let practice = Resource::new(|| (), |_| get_practice_summary());
    view! {
        <Title text="Book appointments and see your health record" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match practice.await {
                    Ok(Some(practice)) => view! { <PracticeHome practice /> }.into_any(),
                    Ok(None) => view! { <NoPracticeYet /> }.into_any(),
                    Err(error) => view! { <ServiceProblem error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn PracticeHome(practice: PracticeDto) -> impl IntoView {
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

#[component]
fn NoPracticeYet() -> impl IntoView {
    view! {
        <h1>{crate::SERVICE_NAME}</h1>
        <p>"This service has not been set up for a GP practice yet."</p>
        <p>"If you work at the practice, ask your IT team to finish setting it up."</p>
    }
}
