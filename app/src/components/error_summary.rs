//! The NHS.UK error summary: a box at the top of the page that lists every problem and links to
//! the field that has it. It takes focus when the page loads, so screen readers announce it.

use leptos::prelude::*;

use crate::error::{AppError, FieldError};

#[component]
pub fn ErrorSummary(errors: Vec<FieldError>) -> impl IntoView {
    view! {
        <div
            class="error-summary"
            aria-labelledby="error-summary-title"
            role="alert"
            tabindex="-1"
            // Every form is sent by the browser (islands: no client-side submits), so the page
            // with the summary is always a new page load, and the browser focuses it.
            autofocus=true
        >
            <h2 class="error-summary-title" id="error-summary-title">
                "There is a problem"
            </h2>
            <ul class="error-summary-list">
                {errors
                    .into_iter()
                    .map(|error| {
                        view! {
                            <li>
                                <a href=format!("#{}", error.field_id)>
                                    {error.message}
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </div>
    }
}

/// What a form's last submit failed with as a whole (not one field's problem), announced at the
/// top of the page.
#[component]
pub fn FailureSummary(message: String) -> impl IntoView {
    view! {
        <div class="error-summary" role="alert"><p class="mb-0 font-bold">{message}</p></div>
    }
}

/// The message of an action's last failure, if its last call failed.
pub fn failure(
    value: impl Get<Value = Option<Result<(), AppError>>> + Send + Sync + 'static,
) -> Signal<Option<String>> {
    Signal::derive(move || value.get().and_then(Result::err).map(|e| e.to_string()))
}
