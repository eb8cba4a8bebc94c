//! One question of a form, the NHS.UK way: its label, a hint, and the error message above the
//! input when there is one (the field's group gets the red rule). The input itself is the
//! caller's, with `id` as its id and `{id}-hint {id}-error` in its `aria-describedby`.

use leptos::prelude::*;

use crate::error::{AppError, FieldError};

#[component]
pub fn FormField(
    id: &'static str,
    label: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
    /// Every problem the form has; this field shows its own.
    problems: Signal<Vec<FieldError>>,
    children: Children,
) -> impl IntoView {
    let error = move || {
        problems
            .get()
            .into_iter()
            .find(|p| p.field_id == id)
            .map(|p| p.message)
    };
    view! {
        <div class="form-group" class:form-group-error=move || error().is_some()>
            <label class="label" for=id>{label}</label>
            {hint.map(|hint| view! { <div class="hint" id=format!("{id}-hint")>{hint}</div> })}
            {move || error().map(|message| view! {
                <p class="error-message" id=format!("{id}-error")>
                    <span class="sr-only">"Error: "</span>
                    {message}
                </p>
            })}
            {children()}
        </div>
    }
}

/// A question answered yes or no, as NHS.UK radios: posts `name=yes` or `name=no`. The "yes"
/// radio's id is `name` (an error summary links there), the "no" one's `{name}-no`.
#[component]
pub fn YesNoQuestion(
    name: &'static str,
    legend: &'static str,
    yes: &'static str,
    no: &'static str,
    /// Which answer is chosen when the form is shown.
    answer: bool,
) -> impl IntoView {
    let no_id = format!("{name}-no");
    view! {
        <div class="form-group">
            <fieldset class="fieldset">
                <legend class="fieldset-legend label">{legend}</legend>
                <div class="radios">
                    <div class="radios-item">
                        <input class="radios-input" type="radio" id=name name=name value="yes" checked=answer />
                        <label class="radios-label" for=name>{yes}</label>
                    </div>
                    <div class="radios-item">
                        <input class="radios-input" type="radio" id=no_id.clone() name=name value="no" checked=!answer />
                        <label class="radios-label" for=no_id>{no}</label>
                    </div>
                </div>
            </fieldset>
        </div>
    }
}

/// The `aria-describedby` of field `id`'s input: its hint and, while it has one, its error.
pub fn described_by(id: &'static str, problems: Signal<Vec<FieldError>>) -> impl Fn() -> String {
    move || {
        if problems.get().iter().any(|p| p.field_id == id) {
            format!("{id}-hint {id}-error")
        } else {
            format!("{id}-hint")
        }
    }
}

/// What a form's last submit came back with: every problem, for the error summary and each
/// field (an error that is not about a field becomes one unlinked problem), and whether it
/// failed at all (for the "Error: " in the title).
pub fn form_outcome(
    value: impl Get<Value = Option<Result<(), AppError>>> + Clone + Send + Sync + 'static,
) -> (Signal<Vec<FieldError>>, Signal<bool>) {
    let again = value.clone();
    let problems = Signal::derive(move || match value.get() {
        Some(Err(AppError::Invalid { problems })) => problems,
        Some(Err(error)) => vec![FieldError {
            field_id: String::new(),
            message: error.to_string(),
        }],
        _ => Vec::new(),
    });
    let failed = Signal::derive(move || again.get().is_some_and(|r| r.is_err()));
    (problems, failed)
}

/// "Error: " when the form's last submit failed, for the front of its page title. The server
/// reads the title once more when it has streamed the page, and by then a form inside a
/// `Suspense` may already be disposed (a known Leptos race): a form that is gone shows no error
/// rather than panicking the request.
pub fn error_prefix(failed: Signal<bool>) -> &'static str {
    if failed.try_get().unwrap_or(false) {
        "Error: "
    } else {
        ""
    }
}
