//! "Check an NHS number": the modulus-11 check, for patients and staff alike.
//!
//! Without JavaScript this is a plain GET form and the server renders the answer. Once hydrated,
//! the same form navigates in the browser (no reload), and the check also runs as you type, in
//! WASM, with the very `domain::NhsNumber` the server uses: the visible proof the page hydrated.

use std::sync::Arc;

use domain::NhsNumber;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::Form, hooks::use_query_map};

use crate::{
    components::{BackLink, ErrorSummary},
    error::FieldError,
};

const FIELD: &str = "nhs-number";

#[component]
pub fn CheckNhsNumberPage() -> impl IntoView {
    let query = use_query_map();
    let submitted = Memo::new(move |_| query.read().get(FIELD));
    let outcome = Memo::new(move |_| {
        submitted.get().map(|raw| {
            NhsNumber::parse(&raw)
                .map(|n| n.to_string())
                .map_err(|e| e.to_string())
        })
    });
    let error = move || outcome.try_get().flatten().and_then(Result::err);
    // The page title can be rendered after the page's reactive values are gone (meta tags are
    // collected at the end of server rendering): then it goes by the answer as it was when the
    // page was made, which on the server is the only one there is.
    let rendered_with_error = outcome.with_untracked(|o| matches!(o, Some(Err(_))));
    let title_says_error = move || {
        outcome
            .try_get()
            .map_or(rendered_with_error, |o| matches!(o, Some(Err(_))))
    };
    let valid = move || outcome.get().and_then(Result::ok);
    let (as_you_type, set_as_you_type) = signal(String::new());

    view! {
        <Title text=move || {
            if title_says_error() { "Error: Check an NHS number" } else { "Check an NHS number" }
        } />
        <BackLink href="/" label="Back to home" />
        {move || {
            error()
                .map(|message| {
                    view! { <ErrorSummary errors=vec![FieldError { field_id: FIELD.to_owned(), message }] /> }
                })
        }}
        <h1>"Check an NHS number"</h1>
        <p>
            "Every NHS number has 10 digits. The last one is a check digit, so most typing mistakes can be spotted."
        </p>
        <Form method="GET" action="" on_form_data=Arc::new(drop_unnamed_fields)>
            <div class="form-group" class:form-group-error=move || error().is_some()>
                <label class="label" for=FIELD>
                    "NHS number"
                </label>
                <div class="hint" id="nhs-number-hint">
                    "For example, 999 123 4567. You can use spaces or dashes."
                </div>
                {move || {
                    error()
                        .map(|message| {
                            view! {
                                <p class="error-message" id="nhs-number-error">
                                    <span class="sr-only">"Error: "</span>
                                    {message}
                                </p>
                            }
                        })
                }}
                <input
                    class="input w-full max-w-xs"
                    class:input-error=move || error().is_some()
                    id=FIELD
                    name=FIELD
                    type="text"
                    inputmode="numeric"
                    autocomplete="off"
                    spellcheck="false"
                    aria-describedby=move || {
                        if error().is_some() {
                            "nhs-number-hint nhs-number-error nhs-number-as-you-type"
                        } else {
                            "nhs-number-hint nhs-number-as-you-type"
                        }
                    }
                    value=move || submitted.get().unwrap_or_default()
                    on:input=move |ev| set_as_you_type.set(as_you_type_message(&event_target_value(&ev)))
                />
                <p class="hint mt-2" id="nhs-number-as-you-type" aria-live="polite">
                    {as_you_type}
                </p>
            </div>
            <button class="button" type="submit">
                "Check"
            </button>
        </Form>
        {move || {
            valid()
                .map(|formatted| {
                    view! {
                        <div class="panel-confirmation" role="status">
                            <h2>"This is a valid NHS number"</h2>
                            <p class="text-2xl font-bold tracking-wide">{formatted}</p>
                        </div>
                    }
                })
        }}
    }
}

/// Leptos' `<Form>` adds the submit button to the query even when it has no name, which would
/// end every URL in `&=`; a browser without scripts leaves unnamed buttons out, and so do we.
fn drop_unnamed_fields(data: &leptos::web_sys::FormData) {
    data.delete("");
}

/// What to say while someone is still typing: nothing until there are ten digits, so nobody is
/// told off halfway through.
fn as_you_type_message(raw: &str) -> String {
    let digits = raw.chars().filter(char::is_ascii_digit).count();
    match NhsNumber::parse(raw) {
        Ok(_) => "That looks like a valid NHS number.".to_owned(),
        Err(_) if digits < 10 => String::new(),
        Err(error) => format!("{error}."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn says_nothing_until_ten_digits_then_the_verdict() {
        assert_eq!(as_you_type_message("999 000"), "");
        assert_eq!(
            as_you_type_message("999 000 0018"),
            "That looks like a valid NHS number."
        );
        assert_eq!(
            as_you_type_message("999 000 0019"),
            "Enter a valid NHS number: the check digit does not match."
        );
    }
}
