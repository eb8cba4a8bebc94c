//! Book an appointment, step 4: "Check your answers before booking" (`/book/check?slot=…`).
//! The time is held for the patient meanwhile; each answer has a "Change" link back to its
//! question. They add what it is about and how to contact them, and book. If the hold ran out
//! or the time went, the nearest other times instead.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::choose_service_page::{BOOK_ONLINE, BOOKING};
use crate::{
    appointments::{
        BookAppointment, CHANGE_FIELD, CONTACT_FIELD, HeldDto, HeldView, HoldTime, REASON_FIELD,
        RescheduleAppointment, SLOT_FIELD, get_held_time,
    },
    components::{
        ErrorSummary, FailureSummary, RadioItem, TimeUnavailable, error_prefix, form_outcome, kept,
        patient_page,
    },
    error::AppError,
};

#[component]
pub fn CheckBookingPage() -> impl IntoView {
    let query = use_query_map();
    let held = Resource::new(
        move || query.read().get("slot").unwrap_or_default(),
        get_held_time,
    );
    let hold_again = ServerAction::<HoldTime>::new();
    let change = move || query.read().get(CHANGE_FIELD).filter(|id| !id.is_empty());
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                patient_page(held.await, BOOKING, BOOK_ONLINE, "/book", |held| match held {
                    HeldView::Held(held) => view! { <CheckAnswers held change=change() /> }.into_any(),
                    HeldView::Unavailable(unavailable) => view! {
                        <Title text="Choose another time – Book an appointment" />
                        <TimeUnavailable unavailable action=hold_again change=change() />
                    }.into_any(),
                })
            })}
        </Suspense>
    }
}

/// The answers and, to book, what it is about and how to contact them; to move an existing
/// appointment (`change`), only the confirmation.
#[component]
fn CheckAnswers(held: HeldDto, change: Option<String>) -> impl IntoView {
    let book = ServerAction::<BookAppointment>::new();
    let reschedule = ServerAction::<RescheduleAppointment>::new();
    let problems = move || match book.value().get() {
        Some(Err(AppError::Invalid { problems })) => problems,
        _ => Vec::new(),
    };
    let problem = move |field: &'static str| {
        move || {
            problems()
                .into_iter()
                .find(|p| p.field_id.starts_with(field))
                .map(|p| p.message)
        }
    };
    let failed = move || match (book.value().get(), reschedule.value().get()) {
        (Some(Err(AppError::Invalid { .. })), _) => None,
        (Some(Err(error)), _) | (_, Some(Err(error))) => Some(error.to_string()),
        _ => None,
    };
    let HeldDto {
        service,
        time,
        date,
        day_label,
        held_until,
    } = held;
    let (_, booking_failed) = form_outcome(book.value());
    let (_, rescheduling_failed) = form_outcome(reschedule.value());
    let title = move || {
        let prefix = match error_prefix(booking_failed) {
            "" => error_prefix(rescheduling_failed),
            prefix => prefix,
        };
        format!("{prefix}Check your answers – Book an appointment")
    };
    let carried = change
        .as_ref()
        .map(|id| format!("&change={id}"))
        .unwrap_or_default();
    let change_day = format!("/book/day?service={}{carried}", service.code);
    let change_time = format!("/book/time?service={}&day={date}{carried}", service.code);
    let reason_error = problem(REASON_FIELD);
    let contact_error = problem(CONTACT_FIELD);
    view! {
        <Title text=title />
        <div class="mb-6"><a class="back-link" href=change_time.clone()>"Back"</a></div>
        {move || (!problems().is_empty()).then(|| view! { <ErrorSummary errors=problems() /> })}
        {move || failed().map(|message| view! {
            <FailureSummary message />
        })}
        <h1>"Check your answers before booking"</h1>
        <dl class="summary-list mb-6">
            <div class="summary-list-row">
                <dt>"Appointment"</dt>
                <dd>{service.name.clone()}</dd>
                {change.is_none().then(|| view! {
                    <dd><a href="/book">"Change"<span class="sr-only">" the kind of appointment"</span></a></dd>
                })}
            </div>
            <div class="summary-list-row">
                <dt>"Day"</dt>
                <dd>{day_label}</dd>
                <dd><a href=change_day>"Change"<span class="sr-only">" the day"</span></a></dd>
            </div>
            <div class="summary-list-row">
                <dt>"Time"</dt>
                <dd>{time.time.clone()}</dd>
                <dd><a href=change_time.clone()>"Change"<span class="sr-only">" the time"</span></a></dd>
            </div>
            <div class="summary-list-row"><dt>"With"</dt><dd>{time.clinician.clone()}</dd></div>
            <div class="summary-list-row"><dt>"Where"</dt><dd>{time.place.clone()}</dd></div>
        </dl>
        <div class="inset-text">
            <p>{format!("We are keeping this time for you until {held_until}. After that, other people can book it.")}</p>
        </div>
        {match change {
            Some(id) => view! {
                <p>"Your current appointment will be cancelled when you confirm, and this time booked instead. What you told us it is about, and how to contact you, stay the same."</p>
                <ActionForm action=reschedule>
                    <input type="hidden" name="id" value=id />
                    <input type="hidden" name=SLOT_FIELD value=time.slot_id.clone() />
                    <button class="button" type="submit">"Change appointment"</button>
                </ActionForm>
            }.into_any(),
            None => view! {
                <ActionForm action=book>
                    <input type="hidden" name=SLOT_FIELD value=time.slot_id.clone() />
                    <div class="form-group" class:form-group-error=move || reason_error().is_some()>
                        <label class="label" for=REASON_FIELD>"What is the appointment about? (optional)"</label>
                        <div class="hint" id="reason-hint">"This helps the clinician prepare. Do not use this for anything urgent: call 111, or 999 in an emergency."</div>
                        {move || reason_error().map(|message| view! {
                            <p class="error-message" id="reason-error"><span class="sr-only">"Error: "</span>{message}</p>
                        })}
                        <textarea
                            class="textarea max-w-2xl"
                            id=REASON_FIELD
                            name=REASON_FIELD
                            rows="3"
                            aria-describedby=move || if reason_error().is_some() { "reason-hint reason-error" } else { "reason-hint" }
                        >{kept(REASON_FIELD)}</textarea>
                    </div>
                    <div class="form-group" class:form-group-error=move || contact_error().is_some()>
                        <fieldset class="fieldset" aria-describedby=move || contact_error().map(|_| "contact-error")>
                            <legend class="fieldset-legend"><span class="label">"How should we contact you about this appointment?"</span></legend>
                            {move || contact_error().map(|message| view! {
                                <p class="error-message" id="contact-error"><span class="sr-only">"Error: "</span>{message}</p>
                            })}
                            <div class="radios">
                                {domain::booking::ContactPreference::ALL
                                    .into_iter()
                                    .map(|preference| view! {
                                        <RadioItem
                                            name=CONTACT_FIELD
                                            id=format!("{CONTACT_FIELD}-{}", preference.code())
                                            value=preference.code().to_owned()
                                            label=preference.label().to_owned()
                                        />
                                    })
                                    .collect_view()}
                            </div>
                        </fieldset>
                    </div>
                    <button class="button" type="submit">"Book appointment"</button>
                </ActionForm>
            }.into_any(),
        }}
    }
}
