//! "Send a message to {patient}" (`/patients/{id}/message`): for the staff of the patient's
//! practice, whose it is (name and NHS number, to check), then what it is about, a subject and
//! the message. Sent, it opens in the inbox, waiting for the patient.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::new_message_page::OpeningFields;
use crate::{
    components::{BackLink, ErrorSummary, StaffPageRefusal, error_prefix, form_outcome},
    error::AppError,
    messages::{RecipientDto, WriteToPatient, get_message_recipient},
};

#[component]
pub fn WriteToPatientPage() -> impl IntoView {
    let params = use_params_map();
    let recipient = Resource::new(
        move || params.read().get("id").unwrap_or_default(),
        get_message_recipient,
    );
    view! {
        <BackLink href="/inbox" label="Inbox" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match recipient.await {
                    Ok(recipient) => view! { <Write recipient /> }.into_any(),
                    Err(AppError::NotFound) => view! {
                        <Title text="Patient not found" />
                        <h1>"Patient not found"</h1>
                        <p><a href="/patients">"Find a patient"</a></p>
                    }.into_any(),
                    Err(error) => view! {
                        <StaffPageRefusal error why="Only the staff of the patient's GP practice can send them a message." />
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Write(recipient: RecipientDto) -> impl IntoView {
    let action = ServerAction::<WriteToPatient>::new();
    let (problems, failed) = form_outcome(action.value());
    let RecipientDto {
        patient_id,
        name,
        nhs_number,
    } = recipient;
    let heading = format!("Send a message to {name}");
    let title = {
        let heading = heading.clone();
        move || format!("{}{heading}", error_prefix(failed))
    };
    view! {
        <Title text=title />
        {move || (!problems.get().is_empty()).then(|| view! { <ErrorSummary errors=problems.get() /> })}
        <h1>{heading}</h1>
        {nhs_number.map(|n| view! { <p>"NHS number "{n}</p> })}
        <p>"They are emailed that there is a message from the practice, if they want such emails, and read it when they sign in. Their replies come to the inbox."</p>
        <ActionForm action>
            <input type="hidden" name="patient_id" value=patient_id />
            <OpeningFields problems topic_labels=domain::messages::Topic::short_label />
            <button class="button" type="submit">"Send message"</button>
        </ActionForm>
    }
}
