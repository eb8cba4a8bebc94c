//! "Cancel your appointment" (`/appointments/{id}/cancel`): what is being cancelled, an optional
//! reason, and a warning button. Inside the service's cut-off, why it cannot be done online.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::appointment_booked_page::MANAGE_ONLINE;
use crate::{
    appointments::{
        AppointmentDto, CANCEL_REASON_FIELD, CancelAppointment, CancelDto, get_appointment,
    },
    components::{
        AppointmentSummary, BackLink, ErrorSummary, FailureSummary, error_prefix, form_outcome,
        kept, patient_page,
    },
    error::{AppError, FieldError},
};

#[component]
pub fn CancelAppointmentPage() -> impl IntoView {
    let params = use_params_map();
    let appointment = Resource::new(
        move || params.read().get("id").unwrap_or_default(),
        get_appointment,
    );
    view! {
        <BackLink href="/appointments" label="Your appointments" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                patient_page(appointment.await, "Cancel an appointment", MANAGE_ONLINE, "/appointments", |appointment| {
                    view! { <Cancel appointment /> }.into_any()
                })
            })}
        </Suspense>
    }
}

#[component]
fn Cancel(appointment: AppointmentDto) -> impl IntoView {
    let action = ServerAction::<CancelAppointment>::new();
    let id = appointment.id.clone();
    match appointment.cancel.clone() {
        CancelDto::Allowed => {}
        CancelDto::TooLate { cutoff } => {
            return view! {
                <Title text="You cannot cancel this appointment online" />
                <h1>"You cannot cancel this appointment online"</h1>
                <p>{format!("Online cancellation closes {cutoff} before the appointment, when we can no longer offer the time to someone else.")}</p>
                <p>"If you cannot go, call the practice as soon as you can."</p>
                <AppointmentSummary appointment />
            }
            .into_any();
        }
        CancelDto::Started | CancelDto::AlreadyCancelled => {
            return view! {
                <Title text="This appointment cannot be cancelled" />
                <h1>"This appointment cannot be cancelled"</h1>
                <p>"It has already been cancelled, or its time has passed."</p>
                <AppointmentSummary appointment />
            }
            .into_any();
        }
    }
    let error = move || match action.value().get() {
        Some(Err(AppError::Invalid { problems })) => problems.into_iter().next().map(|p| p.message),
        _ => None,
    };
    let failed = move || match action.value().get() {
        Some(Err(AppError::Invalid { .. })) | None | Some(Ok(())) => None,
        Some(Err(error)) => Some(error.to_string()),
    };
    let (_, cancelling_failed) = form_outcome(action.value());
    let title = move || format!("{}Cancel your appointment", error_prefix(cancelling_failed));
    view! {
        <Title text=title />
        {move || error().map(|message| view! {
            <ErrorSummary errors=vec![FieldError { field_id: CANCEL_REASON_FIELD.to_owned(), message }] />
        })}
        {move || failed().map(|message| view! {
            <FailureSummary message />
        })}
        <h1>"Cancel your appointment"</h1>
        <AppointmentSummary appointment />
        <ActionForm action>
            <input type="hidden" name="id" value=id />
            <div class="form-group" class:form-group-error=move || error().is_some()>
                <label class="label" for=CANCEL_REASON_FIELD>"Why are you cancelling? (optional)"</label>
                {move || error().map(|message| view! {
                    <p class="error-message" id="cancel-reason-error"><span class="sr-only">"Error: "</span>{message}</p>
                })}
                <textarea
                    class="textarea max-w-2xl"
                    id=CANCEL_REASON_FIELD
                    name=CANCEL_REASON_FIELD
                    rows="3"
                    aria-describedby=move || error().map(|_| "cancel-reason-error")
                >{kept(CANCEL_REASON_FIELD)}</textarea>
            </div>
            <button class="button button-warning" type="submit">"Cancel appointment"</button>
        </ActionForm>
    }
    .into_any()
}
