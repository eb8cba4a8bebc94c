//! "Write to the practice" (`/messages/new`): what it is about, a subject and the message. A
//! problem comes back in an error summary with what was typed kept.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    components::{
        BackLink, ErrorSummary, FormField, RadioItem, described_by, error_prefix, form_outcome,
        kept,
    },
    error::FieldError,
    messages::{MESSAGE_FIELD, SUBJECT_FIELD, StartConversation, TOPIC_FIELD},
};

#[component]
pub fn NewMessagePage() -> impl IntoView {
    let action = ServerAction::<StartConversation>::new();
    let (problems, failed) = form_outcome(action.value());
    let title = move || format!("{}Write to the practice – Messages", error_prefix(failed));
    view! {
        <Title text=title />
        <BackLink href="/messages" label="Messages" />
        {move || (!problems.get().is_empty()).then(|| view! { <ErrorSummary errors=problems.get() /> })}
        <h1>"Write to the practice"</h1>
        <div class="inset-text">
            <p class="mb-0">"Do not use this for urgent help: call 111, or 999 in an emergency."</p>
        </div>
        <ActionForm action>
            <OpeningFields problems topic_labels=domain::messages::Topic::label />
            <button class="button" type="submit">"Send message"</button>
        </ActionForm>
    }
}

/// A new conversation's questions: what it is about (each topic worded by `topic_labels`), a
/// subject and the message, each showing its problem from `problems` and what was typed.
#[component]
pub(super) fn OpeningFields(
    problems: Signal<Vec<FieldError>>,
    topic_labels: fn(domain::messages::Topic) -> &'static str,
) -> impl IntoView {
    let topic_error = move || {
        problems
            .get()
            .into_iter()
            .find(|p| p.field_id.starts_with(TOPIC_FIELD))
            .map(|p| p.message)
    };
    view! {
        <div class="form-group" class:form-group-error=move || topic_error().is_some()>
            <fieldset class="fieldset" aria-describedby=move || topic_error().map(|_| "topic-error")>
                <legend class="fieldset-legend"><span class="label">"What is your message about?"</span></legend>
                {move || topic_error().map(|message| view! {
                    <p class="error-message" id="topic-error"><span class="sr-only">"Error: "</span>{message}</p>
                })}
                <div class="radios">
                    {domain::messages::Topic::ALL
                        .into_iter()
                        .map(|topic| view! {
                            <RadioItem
                                name=TOPIC_FIELD
                                id=format!("{TOPIC_FIELD}-{}", topic.code())
                                value=topic.code().to_owned()
                                label=topic_labels(topic).to_owned()
                            />
                        })
                        .collect_view()}
                </div>
            </fieldset>
        </div>
        <FormField id=SUBJECT_FIELD label="Subject" hint="A few words, such as \"Fit note for work\"" problems>
            <input class="input w-full max-w-2xl" id=SUBJECT_FIELD name=SUBJECT_FIELD type="text" maxlength="100"
                value=kept(SUBJECT_FIELD) aria-describedby=described_by(SUBJECT_FIELD, problems) />
        </FormField>
        <FormField id=MESSAGE_FIELD label="Your message" hint="Up to 2000 characters." problems>
            <textarea class="textarea max-w-2xl" id=MESSAGE_FIELD name=MESSAGE_FIELD rows="8"
                aria-describedby=described_by(MESSAGE_FIELD, problems)>{kept(MESSAGE_FIELD)}</textarea>
        </FormField>
    }
}
