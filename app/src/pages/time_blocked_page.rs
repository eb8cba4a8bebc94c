//! "Time off blocked" (`/availability/blocked?clinician=…&from=…&until=…&closed=N`): how many free
//! times closed, and the appointments still booked in that time, for someone to rearrange with
//! each patient. Nothing here cancels anyone's appointment.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    components::{BackLink, Heading, ScrollingTable, ServiceProblem},
    diaries::{InTheWayDto, get_times_in_the_way},
    error::AppError,
};

#[component]
pub fn TimeBlockedPage() -> impl IntoView {
    let query = use_query_map();
    let in_the_way = Resource::new(
        move || {
            let query = query.read();
            (
                query.get("clinician").unwrap_or_default(),
                query.get("from").unwrap_or_default(),
                query.get("until").unwrap_or_default(),
            )
        },
        |(clinician, from, until)| get_times_in_the_way(clinician, from, until),
    );
    let closed = move || {
        query
            .read()
            .get("closed")
            .and_then(|c| c.parse::<usize>().ok())
            .unwrap_or(0)
    };
    view! {
        <Title text="Time off blocked – Diaries" />
        <BackLink href="/availability" label="Back to diaries" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match in_the_way.await {
                    Ok(found) => view! { <Blocked found closed=closed() /> }.into_any(),
                    Err(AppError::NotFound) => view! {
                        <h1>"Time off"</h1>
                        <p>"We could not find that time off. "<a href="/availability/block">"Block time off"</a>"."</p>
                    }.into_any(),
                    Err(AppError::NotAllowed | AppError::SignInRequired) => view! {
                        <h1>"The diaries are for the practice's staff"</h1>
                    }.into_any(),
                    Err(error) => view! { <ServiceProblem error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Blocked(found: InTheWayDto, closed: usize) -> impl IntoView {
    let InTheWayDto {
        clinician,
        span,
        appointments,
    } = found;
    let count = appointments.len();
    view! {
        <div class="panel-confirmation">
            <h1 class="mt-0">"Time off blocked"</h1>
            <p class="mb-0">{format!("{clinician}, {span}. ")}{match closed { 1 => "1 free time closed.".to_owned(), n => format!("{n} free times closed.") }}</p>
        </div>
        {if count == 0 {
            view! { <p class="mt-6">"No appointments were booked in that time."</p> }.into_any()
        } else {
            let heading = if count == 1 { "1 appointment is still booked in that time".to_owned() } else { format!("{count} appointments are still booked in that time") };
            view! {
                <div class="warning-callout">
                    <h2>{heading}</h2>
                    <p class="mb-0">"They have not been cancelled. Contact each patient to arrange another time, or cancel the appointment for the practice."</p>
                </div>
                <ScrollingTable
                    caption="Appointments still booked"
                    headings=&[Heading::Text("When"), Heading::Text("Patient"), Heading::Text("Appointment"), Heading::Action]
                >
                    {appointments
                        .into_iter()
                        .map(|a| {
                            let cancel_label = format!(" the appointment of {}, {}", a.patient_name, a.when);
                            view! {
                            <tr>
                                <th scope="row">{a.when}</th>
                                <td>
                                    {a.patient_name}
                                    {a.nhs_number.map(|n| view! { <span class="block whitespace-nowrap">"NHS number "{n}</span> })}
                                </td>
                                <td>{a.service}</td>
                                <td>
                                    <a href=format!("/clinic/appointments/{}/cancel", a.id)>
                                        "Cancel"<span class="sr-only">{cancel_label}</span>
                                    </a>
                                </td>
                            </tr>
                        }})
                        .collect_view()}
                </ScrollingTable>
            }
            .into_any()
        }}
    }
}
