//! "Clinic list" (`/clinic?date=…&clinician=…`): a day's appointments for the practice's staff,
//! in time order, with where each patient is and a form on each row to change it.
//!
//! Plain HTML: a GET form chooses the day and clinician, each row's form posts and comes back to
//! the same list, and a refresh shows the truth. With JavaScript the list (`#clinic-list`) is
//! kept current by a `LiveUpdates` island: whenever any appointment changes (a mark on another
//! screen, a booking, a cancellation) it is fetched again, and screen readers are told.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    clinic::{ClinicAppointmentDto, ClinicDayDto, EVERYONE, MarkAttendance, get_clinic_day},
    components::{
        ErrorSummary, Heading, IslandScripts, KeptInput, LiveUpdates, ScrollingTable,
        ServiceProblem,
    },
    error::AppError,
};

/// The id of the element the live updates keep current.
const LIST: &str = "clinic-list";

#[component]
pub fn ClinicPage() -> impl IntoView {
    let query = use_query_map();
    // What the last mark failed with, when the browser was sent back here with it.
    let mark = ServerAction::<MarkAttendance>::new();
    let day = Resource::new(
        move || {
            let query = query.read();
            (query.get("date"), query.get("clinician"))
        },
        |(date, clinician)| get_clinic_day(date, clinician),
    );
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match day.await {
                    Ok(day) => view! { <ClinicDay day mark /> }.into_any(),
                    Err(AppError::SignInRequired) => view! {
                        <Title text="Clinic list" />
                        <h1>"Clinic list"</h1>
                        <p>"You need to sign in to see the clinic list."</p>
                        <p><a class="button" href="/sign-in">"Sign in"</a></p>
                    }.into_any(),
                    Err(AppError::NotAllowed) => view! {
                        <Title text="Clinic list" />
                        <h1>"The clinic list is for practice staff"</h1>
                        <p>"To see or change your own appointments, go to "<a href="/appointments">"your appointments"</a>"."</p>
                    }.into_any(),
                    Err(AppError::Invalid { problems }) => view! {
                        <Title text="Error: Clinic list" />
                        <ErrorSummary errors=problems />
                        <h1>"Clinic list"</h1>
                        <p><a href="/clinic">"Show today's list"</a></p>
                    }.into_any(),
                    Err(AppError::NotFound) => view! {
                        <Title text="Clinic list" />
                        <h1>"Clinic list"</h1>
                        <p>"That clinician is not at this practice. "<a href="/clinic">"Show your list for today"</a>"."</p>
                    }.into_any(),
                    Err(error) => view! { <ServiceProblem error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ClinicDay(day: ClinicDayDto, mark: ServerAction<MarkAttendance>) -> impl IntoView {
    let ClinicDayDto {
        date,
        day: day_words,
        previous_day,
        next_day,
        is_today,
        clinicians,
        chosen,
        appointments,
        writes_notes,
    } = day;
    let whose = chosen
        .as_ref()
        .map_or("every clinician".to_owned(), |(_, name)| name.clone());
    let clinician_value = chosen
        .as_ref()
        .map_or(EVERYONE.to_owned(), |(role, _)| role.clone());
    let day_link = |date: &str| format!("/clinic?date={date}&clinician={clinician_value}");
    let problems = move || match mark.value().get() {
        Some(Err(AppError::Invalid { problems })) => problems,
        _ => Vec::new(),
    };
    let conflict = move || {
        mark.value()
            .get()
            .and_then(Result::err)
            .filter(|e| !matches!(e, AppError::Invalid { .. }))
    };
    let title = if mark.value().get_untracked().is_some_and(|r| r.is_err()) {
        format!("Error: Clinic list, {day_words}")
    } else {
        format!("Clinic list, {day_words}")
    };
    let caption = format!("Appointments on {day_words} for {whose}");
    let count = appointments.len();
    view! {
        <Title text=title />
        {move || {
            let problems = problems();
            (!problems.is_empty()).then(|| view! { <ErrorSummary errors=problems /> })
        }}
        {move || conflict().map(|error| view! {
            <div class="error-summary" role="alert" tabindex="-1">
                <h2 class="error-summary-title">"The status was not changed"</h2>
                <p>{error.to_string()}</p>
            </div>
        })}
        <h1>
            <span class="caption">"Clinic list"</span>
            {if is_today { format!("Today, {day_words}") } else { day_words.clone() }}
        </h1>
        <form method="get" action="/clinic" class="clinic-filter">
            <div class="form-group">
                <label class="label" for="date">"Day"</label>
                <input class="input input-date" type="date" id="date" name="date" value=date.clone() />
            </div>
            <div class="form-group">
                <label class="label" for="clinician">"Clinician"</label>
                <select class="select" id="clinician" name="clinician">
                    <option value=EVERYONE selected=chosen.is_none()>"Every clinician"</option>
                    {clinicians
                        .into_iter()
                        .map(|(role, name)| {
                            let selected = chosen.as_ref().is_some_and(|(c, _)| *c == role);
                            view! { <option value=role selected=selected>{name}</option> }
                        })
                        .collect_view()}
                </select>
            </div>
            <button class="button button-secondary" type="submit">"Show list"</button>
        </form>
        <nav class="day-nav" aria-label="Other days">
            <a href=day_link(&previous_day)>"Previous day"</a>
            <a href=day_link(&next_day)>"Next day"</a>
        </nav>
        <LiveUpdates events="/clinic/events".to_owned() region=LIST.to_owned() />
        <IslandScripts />
        <div id=LIST>
        {if count == 0 {
            view! { <p>{format!("No appointments on {day_words} for {whose}.")}</p> }.into_any()
        } else {
            let caption = format!("{caption} ({count})");
                    view! {
                // Wider than a tablet held upright: it scrolls on its own, by keyboard too.
                <ScrollingTable
                    caption=caption
                    class="clinic-table"
                    headings=&[
                        Heading::Text("Time"),
                        Heading::Text("Patient"),
                        Heading::Text("Appointment"),
                        Heading::Text("Status"),
                        Heading::Text("Change status"),
                    ]
                >
                {appointments
                    .into_iter()
                    .map(|appointment| view! {
                        <Row appointment mark date=date.clone() clinician=clinician_value.clone() writes_notes />
                    })
                    .collect_view()}
                </ScrollingTable>
            }
            .into_any()
        }}
        </div>
    }
}

#[component]
fn Row(
    appointment: ClinicAppointmentDto,
    mark: ServerAction<MarkAttendance>,
    date: String,
    clinician: String,
    /// Offer "Write a note" (to clinicians, not to reception).
    writes_notes: bool,
) -> impl IntoView {
    let ClinicAppointmentDto {
        id,
        time,
        length,
        patient_id,
        patient_name,
        nhs_number,
        birth_date,
        service,
        clinician: with,
        place,
        status,
        status_label,
        when: _,
    } = appointment;
    let field = format!("{}-{id}", crate::clinic::STATUS_FIELD);
    let error = {
        let field = field.clone();
        move || match mark.value().get() {
            Some(Err(AppError::Invalid { problems })) => problems
                .into_iter()
                .find(|p| p.field_id == field)
                .map(|p| p.message),
            _ => None,
        }
    };
    let label = format!("New status for {patient_name}, {time}");
    let save_label = format!(" status for {patient_name}, {time}");
    let note = writes_notes.then(|| {
        (
            format!("/patients/{patient_id}/add/note?appointment={id}"),
            format!(" for {patient_name}, {time}"),
        )
    });
    let finished = matches!(status.as_str(), "fulfilled" | "noshow");
    // Before the patient has arrived, the practice may still cancel it.
    let cancel = (status == "booked").then(|| {
        (
            format!("/clinic/appointments/{id}/cancel"),
            format!(" for {patient_name}, {time}"),
        )
    });
    // The status chosen for this row, when its form came back with an error.
    let chosen = KeptInput::of_page()
        .filter(|form| form.value("id") == Some(id.as_str()))
        .and_then(|form| form.value("status").map(str::to_owned))
        .unwrap_or(status);
    view! {
        <tr>
            <th scope="row" class="whitespace-nowrap">
                {time}
                <span class="block font-normal text-nhs-secondary-text">{length}</span>
            </th>
            <td>
                <a href=format!("/patients/{patient_id}")>{patient_name}</a>
                {nhs_number.map(|n| view! { <span class="block whitespace-nowrap">"NHS number "{n}</span> })}
                {birth_date.map(|b| view! { <span class="block">"Born "{b}</span> })}
            </td>
            <td>
                {service}
                <span class="block">{with}</span>
                {note.map(|(href, label)| view! {
                    <a class="block" href=href>
                        "Write a note"<span class="sr-only">{label}</span>
                    </a>
                })}
                {cancel.map(|(href, label)| view! {
                    <a class="block" href=href>
                        "Cancel appointment"<span class="sr-only">{label}</span>
                    </a>
                })}
                <span class="block text-nhs-secondary-text">{place}</span>
            </td>
            <td>
                <strong class=if finished { "tag tag-grey" } else { "tag tag-blue" }>{status_label}</strong>
            </td>
            <td>
                <ActionForm action=mark attr:class="clinic-mark">
                    <input type="hidden" name="id" value=id.clone() />
                    <input type="hidden" name="date" value=date />
                    <input type="hidden" name="clinician" value=clinician />
                    <label class="label sr-only" for=field.clone()>{label}</label>
                    {move || error().map(|message| view! {
                        <span class="error-message">
                            <span class="sr-only">"Error: "</span>
                            {message}
                        </span>
                    })}
                    <select class="select" id=field.clone() name="status">
                        {domain::clinic::Attendance::ALL
                            .into_iter()
                            .map(|a| view! {
                                <option value=a.fhir_status() selected=a.fhir_status() == chosen>{a.label()}</option>
                            })
                            .collect_view()}
                    </select>
                    <button class="button button-secondary button-small" type="submit">
                        "Save"
                        <span class="sr-only">{save_label}</span>
                    </button>
                </ActionForm>
            </td>
        </tr>
    }
}
