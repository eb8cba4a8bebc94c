//! "Check an NHS number": the modulus-11 check, for patients and staff alike.
//!
//! A plain GET form: the server renders the answer. The field is an island: with JavaScript the
//! number is also checked as it is typed, in WASM, with the very `domain::NhsNumber` the server
//! uses.

use domain::NhsNumber;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    components::{BackLink, ErrorSummary, IslandScripts},
    error::FieldError,
};

const FIELD: &str = "nhs-number";

#[component]
pub fn CheckNhsNumberPage() -> impl IntoView {
    // Rendered once, on the server: the page has nothing reactive outside its island.
    let submitted = use_query_map().read_untracked().get(FIELD);
    let outcome = submitted.as_deref().map(|raw| {
        NhsNumber::parse(raw)
            .map(|n| n.to_string())
            .map_err(|e| e.to_string())
    });
    let error = outcome.clone().and_then(Result::err);
    let valid = outcome.and_then(Result::ok);

    view! {
        <Title text=if error.is_some() { "Error: Check an NHS number" } else { "Check an NHS number" } />
        <BackLink href="/" label="Back to home" />
        {error
            .clone()
            .map(|message| {
                view! { <ErrorSummary errors=vec![FieldError { field_id: FIELD.to_owned(), message }] /> }
            })}
        <h1>"Check an NHS number"</h1>
        <p>
            "Every NHS number has 10 digits. The last one is a check digit, so most typing mistakes can be spotted."
        </p>
        <form method="get" action="/check-an-nhs-number">
            <div class="form-group" class:form-group-error=error.is_some()>
                <label class="label" for=FIELD>
                    "NHS number"
                </label>
                <div class="hint" id="nhs-number-hint">
                    "For example, 999 123 4567. You can use spaces or dashes."
                </div>
                {error
                    .clone()
                    .map(|message| {
                        view! {
                            <p class="error-message" id="nhs-number-error">
                                <span class="sr-only">"Error: "</span>
                                {message}
                            </p>
                        }
                    })}
                <NhsNumberField typed=submitted.unwrap_or_default() invalid=error.is_some() />
            </div>
            <button class="button" type="submit">
                "Check"
            </button>
        </form>
        <IslandScripts />
        {valid
            .map(|formatted| {
                view! {
                    <div class="panel-confirmation" role="status">
                        <h2>"This is a valid NHS number"</h2>
                        <p class="text-2xl font-bold tracking-wide">{formatted}</p>
                    </div>
                }
            })}
    }
}

/// The NHS number box, with the verdict read out as it is typed (JavaScript only; without it the
/// verdict stays empty and the Check button asks the server).
#[island]
fn NhsNumberField(
    /// What the box holds as the page is served: the number last checked.
    typed: String,
    /// Whether that number failed the check, so the box is described by its error message too.
    invalid: bool,
) -> impl IntoView {
    let (as_you_type, set_as_you_type) = signal(String::new());
    let described_by = if invalid {
        "nhs-number-hint nhs-number-error nhs-number-as-you-type"
    } else {
        "nhs-number-hint nhs-number-as-you-type"
    };
    view! {
        <input
            class="input w-full max-w-xs"
            class:input-error=invalid
            id=FIELD
            name=FIELD
            type="text"
            inputmode="numeric"
            autocomplete="off"
            spellcheck="false"
            aria-describedby=described_by
            value=typed
            on:input=move |ev| set_as_you_type.set(as_you_type_message(&event_target_value(&ev)))
        />
        <p class="hint mt-2" id="nhs-number-as-you-type" aria-live="polite">
            {as_you_type}
        </p>
    }
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
