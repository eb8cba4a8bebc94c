//! "Whose record do you want to use?" (`/acting-for`): a carer with proxy access chooses between
//! themselves and each person who has given them access, with what each access lets them do.
//! The choice holds for the rest of the session; every page's banner says whose record it is.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    account::ActingForDto,
    acting::{ActFor, ActingChoicesDto, PERSON_FIELD, THEMSELVES, get_acting_choices},
    components::{BackLink, ErrorSummary, error_prefix, form_outcome, kept, patient_page},
};

const TITLE: &str = "Whose record do you want to use?";

#[component]
pub fn ActingForPage() -> impl IntoView {
    let choices = Resource::new(|| (), |_| get_acting_choices());
    view! {
        <BackLink href="/" label="Back to home" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                patient_page(choices.await, TITLE, "act for someone you care for", "/acting-for", |choices| {
                    view! { <Choices choices /> }.into_any()
                })
            })}
        </Suspense>
    }
}

#[component]
fn Choices(choices: ActingChoicesDto) -> impl IntoView {
    let action = ServerAction::<ActFor>::new();
    let (problems, failed) = form_outcome(action.value());
    let title = move || format!("{}{TITLE}", error_prefix(failed));
    let ActingChoicesDto {
        own_name,
        choices,
        acting_for,
    } = choices;
    if choices.is_empty() {
        return view! {
            <Title text="Act for someone you care for" />
            <h1>"Act for someone you care for"</h1>
            <p>"Nobody has given you access to act for them."</p>
            <p>
                "If you look after someone (a child, or an adult who has asked you to help), their GP practice can give you access to their record, appointments or messages. Ask the practice: they will check who you both are first."
            </p>
        }
        .into_any();
    }
    // Chosen before the form came back with an error, else whom they act for now.
    let chosen = kept(PERSON_FIELD)
        .or(acting_for)
        .unwrap_or_else(|| THEMSELVES.to_owned());
    let error = move || {
        problems
            .get()
            .into_iter()
            .next()
            .map(|problem| problem.message)
    };
    let first_id = format!("{PERSON_FIELD}-{THEMSELVES}");
    view! {
        <Title text=title />
        {move || (!problems.get().is_empty()).then(|| view! { <ErrorSummary errors=problems.get() /> })}
        <ActionForm action>
            <div class="form-group" class:form-group-error=move || error().is_some()>
                <fieldset class="fieldset" aria-describedby=move || error().map(|_| "person-error")>
                    <legend class="fieldset-legend">
                        <h1 class="fieldset-heading">{TITLE}</h1>
                    </legend>
                    {move || error().map(|message| view! {
                        <p class="error-message" id="person-error"><span class="sr-only">"Error: "</span>{message}</p>
                    })}
                    <div class="radios">
                        <div class="radios-item">
                            <input class="radios-input" id=first_id.clone() name=PERSON_FIELD type="radio"
                                value=THEMSELVES checked=chosen == THEMSELVES />
                            <label class="radios-label" for=first_id>{format!("Yourself ({own_name})")}</label>
                        </div>
                        {choices
                            .into_iter()
                            .map(|person| view! { <Person checked=chosen == person.patient_id person /> })
                            .collect_view()}
                    </div>
                </fieldset>
            </div>
            <button class="button" type="submit">"Continue"</button>
        </ActionForm>
    }
    .into_any()
}

/// One person to act for: their name and relationship, and what the access lets the carer do.
#[component]
fn Person(person: ActingForDto, checked: bool) -> impl IntoView {
    let id = format!("{PERSON_FIELD}-{}", person.patient_id);
    let hint_id = format!("{id}-hint");
    let allows = if person.allows.is_empty() {
        "Your access does not let you do anything for them online.".to_owned()
    } else {
        format!("You can {}.", in_words(&person.allows))
    };
    view! {
        <div class="radios-item">
            <input class="radios-input" id=id.clone() name=PERSON_FIELD type="radio"
                value=person.patient_id checked=checked aria-describedby=hint_id.clone() />
            <label class="radios-label" for=id>{format!("{} ({})", person.name, person.relationship)}</label>
            <div class="hint radios-hint" id=hint_id>{allows}</div>
        </div>
    }
}

/// "a, b and c".
fn in_words(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}
