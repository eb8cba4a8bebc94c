//! "Cancel an appointment for the practice" (`/clinic/appointments/{id}/cancel`): for the
//! practice's staff, whose appointment it is, how they asked to be contacted, and the reason the
//! patient will read, then a warning button. Then "Appointment cancelled"
//! (`…/cancelled?emailed=yes|no`): whether an email tells the patient, or whom to call.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::{
    clinic::{
        CancelForThePractice, PRACTICE_REASON_FIELD, PracticeAppointmentDto,
        get_practice_appointment,
    },
    components::{BackLink, ErrorSummary, StaffPageRefusal, error_prefix, form_outcome, kept},
    error::AppError,
};

#[component]
pub fn PracticeCancelPage() -> impl IntoView {
    view! {
        <BackLink href="/clinic" label="Clinic list" />
        <PracticeAppointment ready=|appointment| view! { <Cancel appointment /> }.into_any() />
    }
}

#[component]
pub fn PracticeCancelledPage() -> impl IntoView {
    let query = use_query_map();
    let emailed = move || query.read().get("emailed").as_deref() == Some("yes");
    view! {
        <PracticeAppointment ready=move |appointment| view! { <Cancelled appointment emailed=emailed() /> }.into_any() />
    }
}

/// The appointment of the address's `id`, or why not.
#[component]
fn PracticeAppointment(
    ready: impl Fn(PracticeAppointmentDto) -> AnyView + Send + Sync + Clone + 'static,
) -> impl IntoView {
    let params = use_params_map();
    let found = Resource::new(
        move || params.read().get("id").unwrap_or_default(),
        get_practice_appointment,
    );
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || {
                let ready = ready.clone();
                Suspend::new(async move {
                    match found.await {
                        Ok(appointment) => ready(appointment),
                        Err(AppError::NotFound) => view! {
                            <Title text="Appointment not found" />
                            <h1>"Appointment not found"</h1>
                            <p>"We could not find that appointment. "<a href="/clinic">"Go to the clinic list"</a>"."</p>
                        }.into_any(),
                        Err(error) => view! {
                            <StaffPageRefusal error why="Only the staff of the patient's GP practice can cancel an appointment for the practice. Patients cancel their own online, from their appointments." />
                        }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn Summary(appointment: PracticeAppointmentDto) -> impl IntoView {
    let PracticeAppointmentDto {
        appointment,
        patient_name,
        nhs_number,
        contact,
        ..
    } = appointment;
    view! {
        <dl class="summary-list mb-6">
            <div class="summary-list-row">
                <dt>"Patient"</dt>
                <dd>{patient_name}{nhs_number.map(|n| view! { <span class="block">"NHS number "{n}</span> })}</dd>
            </div>
            <div class="summary-list-row"><dt>"Appointment"</dt><dd>{appointment.service}</dd></div>
            <div class="summary-list-row"><dt>"When"</dt><dd><time datetime=appointment.datetime>{appointment.when}</time></dd></div>
            <div class="summary-list-row"><dt>"With"</dt><dd>{appointment.clinician}</dd></div>
            <div class="summary-list-row"><dt>"Where"</dt><dd>{appointment.place}</dd></div>
            <div class="summary-list-row"><dt>"Contact them by"</dt><dd>{contact.unwrap_or_else(|| "Not given".to_owned())}</dd></div>
            {appointment.cancellation_reason.map(|why| view! {
                <div class="summary-list-row"><dt>"Why it was cancelled"</dt><dd>{why}</dd></div>
            })}
        </dl>
    }
}

#[component]
fn Cancel(appointment: PracticeAppointmentDto) -> impl IntoView {
    if !appointment.cancellable {
        return view! {
            <Title text="This appointment cannot be cancelled" />
            <h1>"This appointment cannot be cancelled"</h1>
            <p>"It has already been cancelled, or it has started."</p>
            <Summary appointment />
        }
        .into_any();
    }
    let action = ServerAction::<CancelForThePractice>::new();
    let id = appointment.appointment.id.clone();
    let (problems, failed) = form_outcome(action.value());
    let field_error = move || {
        problems
            .get()
            .into_iter()
            .find(|p| p.field_id == PRACTICE_REASON_FIELD)
            .map(|p| p.message)
    };
    let title = move || {
        format!(
            "{}Cancel an appointment for the practice",
            error_prefix(failed)
        )
    };
    view! {
        <Title text=title />
        {move || (!problems.get().is_empty()).then(|| view! { <ErrorSummary errors=problems.get() /> })}
        <h1>"Cancel an appointment for the practice"</h1>
        <Summary appointment />
        <ActionForm action>
            <input type="hidden" name="id" value=id />
            <div class="form-group" class:form-group-error=move || field_error().is_some()>
                <label class="label" for=PRACTICE_REASON_FIELD>"Why is the practice cancelling it?"</label>
                <div class="hint" id="reason-hint">"The patient reads this when they sign in. Our email to them says only that it is cancelled."</div>
                {move || field_error().map(|message| view! {
                    <p class="error-message" id="reason-error"><span class="sr-only">"Error: "</span>{message}</p>
                })}
                <textarea
                    class="textarea max-w-2xl"
                    id=PRACTICE_REASON_FIELD
                    name=PRACTICE_REASON_FIELD
                    rows="3"
                    aria-describedby=move || if field_error().is_some() { "reason-hint reason-error" } else { "reason-hint" }
                >{kept(PRACTICE_REASON_FIELD)}</textarea>
            </div>
            <button class="button button-warning" type="submit">"Cancel appointment"</button>
        </ActionForm>
    }
    .into_any()
}

#[component]
fn Cancelled(appointment: PracticeAppointmentDto, emailed: bool) -> impl IntoView {
    let name = appointment.patient_name.clone();
    let how = appointment
        .contact
        .as_ref()
        .map(|contact| format!(" by {}", contact.to_lowercase()))
        .unwrap_or_default();
    view! {
        <Title text="Appointment cancelled" />
        <div class="panel-confirmation mt-0 mb-8">
            <h1 class="mb-0">"Appointment cancelled"</h1>
        </div>
        {if emailed {
            view! { <p>{format!("We are emailing {name} to tell them. The email asks them to sign in to read why, and to book another time.")}</p> }.into_any()
        } else {
            view! { <p>{format!("{name} has not been told. Contact them{how} to tell them, and to offer another time.")}</p> }.into_any()
        }}
        <Summary appointment />
        <p><a href="/clinic">"Go to the clinic list"</a></p>
    }
}
