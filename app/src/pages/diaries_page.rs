//! "Diaries" (`/availability?week=…`): a week of the practice's appointment times per clinician
//! (how many, booked, blocked, free), with the ways to change them: open times from a template,
//! block time off. After opening times, it says how many were opened.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    components::{Heading, ScrollingTable, ServiceProblem},
    diaries::{WeekUseDto, get_week_use},
    error::AppError,
};

#[component]
pub fn DiariesPage() -> impl IntoView {
    let query = use_query_map();
    let week = Resource::new(move || query.read().get("week"), get_week_use);
    let opened = move || {
        let query = query.read();
        let opened: usize = query.get("opened")?.parse().ok()?;
        let skipped: usize = query
            .get("skipped")
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        Some((opened, skipped))
    };
    view! {
        <Title text="Diaries" />
        {move || opened().map(|(opened, skipped)| view! {
            <div class="panel-confirmation" role="status">
                <h2 class="mt-0">{match opened { 1 => "1 appointment time opened".to_owned(), n => format!("{n} appointment times opened") }}</h2>
                <p class="mb-0">
                    {if skipped == 0 {
                        "Patients can book them online now.".to_owned()
                    } else {
                        format!("Patients can book them online now. {skipped} of the template's times were left out: they were already in the diary, or have passed.")
                    }}
                </p>
            </div>
        })}
        <h1>"Diaries"</h1>
        <ul class="mb-8 flex list-none flex-wrap gap-4 p-0">
            <li><a class="button button-secondary" href="/availability/open">"Open appointment times"</a></li>
            <li><a class="button button-secondary" href="/availability/block">"Block time off"</a></li>
        </ul>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match week.await {
                    Ok(week) => view! { <WeekUse week /> }.into_any(),
                    Err(AppError::SignInRequired) => view! {
                        <p>"You need to sign in to see the practice's diaries."</p>
                        <p><a class="button" href="/sign-in">"Sign in"</a></p>
                    }.into_any(),
                    Err(AppError::NotAllowed) => view! {
                        <p>"The diaries are for the practice's staff."</p>
                    }.into_any(),
                    Err(AppError::Invalid { .. } | AppError::NotFound) => view! {
                        <p>"That is not a week we can show. "<a href="/availability">"Show this week"</a>"."</p>
                    }.into_any(),
                    Err(error) => view! { <ServiceProblem error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn WeekUse(week: WeekUseDto) -> impl IntoView {
    let WeekUseDto {
        week_of,
        previous_week,
        next_week,
        clinicians,
    } = week;
    let caption = format!("Appointment times in the week beginning {week_of}");
    view! {
        <h2>{format!("Week beginning {week_of}")}</h2>
        <nav class="day-nav" aria-label="Other weeks">
            <a href=format!("/availability?week={previous_week}")>"Previous week"</a>
            <a href=format!("/availability?week={next_week}")>"Next week"</a>
        </nav>
        <ScrollingTable
            caption=caption
            headings=&[
                Heading::Text("Clinician"),
                Heading::Number("Times"),
                Heading::Number("Booked"),
                Heading::Number("Blocked"),
                Heading::Number("Free"),
                Heading::Number("Booked of open times"),
            ]
        >
            {clinicians
                .into_iter()
                .map(|c| view! {
                    <tr>
                        <th scope="row">{c.name}</th>
                        <td class="text-right">{c.total}</td>
                        <td class="text-right">{c.booked}</td>
                        <td class="text-right">{c.blocked}</td>
                        <td class="text-right">{c.free}</td>
                        <td class="text-right">{c.booked_percent.map_or("No open times".to_owned(), |p| format!("{p}%"))}</td>
                    </tr>
                })
                .collect_view()}
        </ScrollingTable>
    }
}
