//! "Emails we send you" (`/settings/emails`): the address on the patient's record that emails go
//! to, and a checkbox for each thing we email about, all on until turned off. Saving comes back
//! here saying so.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    components::{FailureSummary, failure, patient_page},
    notifications::{
        APPOINTMENTS_FIELD, ChooseEmails, EMERGENCY_ACCESS_FIELD, EmailChoicesDto, MESSAGES_FIELD,
        PRESCRIPTIONS_FIELD, get_email_choices,
    },
};

const TITLE: &str = "Emails we send you";

#[component]
pub fn EmailChoicesPage() -> impl IntoView {
    let query = use_query_map();
    // Read again after each save, so the boxes show what is kept.
    let saved = move || query.read().get("saved").is_some();
    let choices = Resource::new(saved, |_| get_email_choices());
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                patient_page(choices.await, TITLE, "choose the emails we send you", "/settings/emails", |choices| {
                    view! { <Choices choices saved=saved() /> }.into_any()
                })
            })}
        </Suspense>
    }
}

#[component]
fn Choices(choices: EmailChoicesDto, saved: bool) -> impl IntoView {
    let action = ServerAction::<ChooseEmails>::new();
    let EmailChoicesDto {
        address,
        appointments,
        emergency_access,
        messages,
        prescriptions,
    } = choices;
    let failed = failure(action.value());
    view! {
        <Title text=TITLE />
        {saved.then(|| view! {
            <div class="panel-confirmation" role="status">
                <h2 class="mt-0">"Your choices are saved"</h2>
                <p class="mb-0">"We will email you only about what you have chosen."</p>
            </div>
        })}
        {move || failed.get().map(|message| view! {
            <FailureSummary message />
        })}
        <h1>{TITLE}</h1>
        {match address {
            Some(address) => view! {
                <p>"We send emails to "<strong>{address}</strong>", the address your GP practice has for you."</p>
            }.into_any(),
            None => view! {
                <div class="inset-text">
                    <p class="mb-0">"Your GP practice does not have an email address for you, so we cannot send you emails. Ask the practice to add one; your choices below will apply once they have."</p>
                </div>
            }.into_any(),
        }}
        <p>"To change it, contact your GP practice."</p>
        <p>"Our emails never say what an appointment is for or anything about your health: they tell you something has happened and ask you to sign in to read it."</p>
        <ActionForm action>
            <div class="form-group">
                <fieldset class="fieldset" aria-describedby="topics-hint">
                    <legend class="fieldset-legend"><h2 class="mb-0">"What should we email you about?"</h2></legend>
                    <div class="hint" id="topics-hint">"Select all that apply."</div>
                    <div class="checkboxes">
                        <TopicCheckbox field=APPOINTMENTS_FIELD checked=appointments label="Appointments"
                            hint="When you book one and ask to be contacted by email: a confirmation, a reminder the day before, and a message if the practice has to cancel it. And when an earlier time you asked to be told of comes up." />
                        <TopicCheckbox field=MESSAGES_FIELD checked=messages label="Messages from the practice"
                            hint="When the practice replies to you or writes to you. The email asks you to sign in to read it." />
                        <TopicCheckbox field=PRESCRIPTIONS_FIELD checked=prescriptions label="Repeat prescriptions"
                            hint="When a clinician has decided on a repeat prescription you asked for. The email asks you to sign in to see what they decided." />
                        <TopicCheckbox field=EMERGENCY_ACCESS_FIELD checked=emergency_access label="Your record opened in an emergency"
                            hint="When a clinician outside your GP practice opens your record in an emergency. You can always see who has looked at your record online." />
                    </div>
                </fieldset>
            </div>
            <button class="button" type="submit">"Save your choices"</button>
        </ActionForm>
    }
}

/// One thing we email about: its box (named `field`), what it is and when such an email comes.
#[component]
fn TopicCheckbox(
    field: &'static str,
    checked: bool,
    label: &'static str,
    hint: &'static str,
) -> impl IntoView {
    let hint_id = format!("{field}-hint");
    view! {
        <div class="checkboxes-item">
            <input class="checkboxes-input" id=field name=field type="checkbox" value="on"
                checked=checked aria-describedby=hint_id.clone() />
            <label class="label checkboxes-label" for=field>{label}</label>
            <div class="hint checkboxes-hint" id=hint_id>{hint}</div>
        </div>
    }
}
