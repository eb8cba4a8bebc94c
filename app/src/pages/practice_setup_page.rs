//! "Services and places" (`/practice`): what patients choose from when they book, and where
//! they go, with a way to add or change each. For the practice's administrators.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    components::{Heading, ScrollingTable, ServiceProblem},
    error::AppError,
    practice_setup::{PlaceSetupDto, PracticeSetupDto, ServiceSetupDto, get_practice_setup},
};

#[component]
pub fn PracticeSetupPage() -> impl IntoView {
    let query = use_query_map();
    let setup = Resource::new(|| (), |_| get_practice_setup());
    let saved = move || query.read().get("saved");
    view! {
        <Title text="Services and places" />
        {move || saved().map(|name| view! {
            <div class="panel-confirmation" role="status">
                <h2 class="mt-0">{format!("{name} saved")}</h2>
                <p class="mb-0">"Patients see the change the next time they book."</p>
            </div>
        })}
        <h1>"Services and places"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match setup.await {
                    Ok(setup) => view! { <Setup setup /> }.into_any(),
                    Err(AppError::SignInRequired) => view! {
                        <p>"You need to sign in to change the practice's services and places."</p>
                        <p><a class="button" href="/sign-in">"Sign in"</a></p>
                    }.into_any(),
                    Err(AppError::NotAllowed) => view! {
                        <p>"Only the practice's administrators can change its services and places."</p>
                    }.into_any(),
                    Err(error) => view! { <ServiceProblem error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Setup(setup: PracticeSetupDto) -> impl IntoView {
    let PracticeSetupDto { services, places } = setup;
    let place_name = {
        let places = places.clone();
        move |reference: &str| {
            places
                .iter()
                .find(|p| p.reference() == reference)
                .map_or_else(|| "A place no longer listed".to_owned(), |p| p.name.clone())
        }
    };
    view! {
        <p><a href="/practice/emails">"Emails that could not be sent"</a></p>
        <h2>"Services"</h2>
        <p>"The kinds of appointment patients choose from when they book online."</p>
        <p><a class="button button-secondary" href="/practice/services/new">"Add a service"</a></p>
        <ScrollingTable
            caption="The practice's services"
            headings=&[
                Heading::Text("Service"),
                Heading::Text("What it is for"),
                Heading::Text("Where"),
                Heading::Text("Online cancelling closes"),
                Heading::Text("Offered to patients"),
                Heading::Action,
            ]
        >
            {services
                .into_iter()
                .map(|service| {
                    let ServiceSetupDto { id, name, description, cutoff_hours, offered, places, .. } = service;
                    let where_ = places.iter().map(|p| place_name(p)).collect::<Vec<_>>().join(", ");
                    let href = format!("/practice/services/{id}");
                    view! {
                        <tr>
                            <th scope="row">{name.clone()}</th>
                            <td>{description}</td>
                            <td>{where_}</td>
                            <td>{hours_before(cutoff_hours)}</td>
                            <td>{if offered { "Yes" } else { "No" }}</td>
                            <td><a href=href>"Change"<span class="sr-only">{format!(" {name}")}</span></a></td>
                        </tr>
                    }
                })
                .collect_view()}
        </ScrollingTable>
        <h2>"Places"</h2>
        <p>"Where patients are seen. Patients are told the address and how to get there when they book."</p>
        <p><a class="button button-secondary" href="/practice/places/new">"Add a place"</a></p>
        <ScrollingTable
            caption="The practice's places"
            headings=&[
                Heading::Text("Place"),
                Heading::Text("Address"),
                Heading::Text("Phone"),
                Heading::Text("Open to patients"),
                Heading::Action,
            ]
        >
            {places
                .into_iter()
                .map(|place| {
                    let PlaceSetupDto { id, name, address_lines, town, postcode, phone, open, .. } = place;
                    let address = address_lines
                        .into_iter()
                        .chain([town, postcode])
                        .filter(|line| !line.is_empty())
                        .collect::<Vec<_>>()
                        .join(", ");
                    let href = format!("/practice/places/{id}");
                    view! {
                        <tr>
                            <th scope="row">{name.clone()}</th>
                            <td>{address}</td>
                            <td>{phone}</td>
                            <td>{if open { "Yes" } else { "No" }}</td>
                            <td><a href=href>"Change"<span class="sr-only">{format!(" {name}")}</span></a></td>
                        </tr>
                    }
                })
                .collect_view()}
        </ScrollingTable>
    }
}

/// "2 hours before", "1 hour before", "At the start".
pub(crate) fn hours_before(hours: i64) -> String {
    match hours {
        0 => "At the start".to_owned(),
        1 => "1 hour before".to_owned(),
        n => format!("{n} hours before"),
    }
}
