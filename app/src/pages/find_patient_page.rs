//! "Find a patient" (staff): by NHS number, with the modulus-11 check said out loud. A plain GET
//! form, so it works without JavaScript; the answer shows just enough to pick the right person.

use std::sync::Arc;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::Form, hooks::use_query_map};

use crate::{
    components::{BackLink, ErrorSummary, FieldError},
    error::AppError,
    pages::ServiceProblem,
    patients::{FindPatientView, NHS_NUMBER_FIELD, PatientMatchDto, find_patient},
};

#[component]
pub fn FindPatientPage() -> impl IntoView {
    let query = use_query_map();
    let submitted = Memo::new(move |_| query.read().get(NHS_NUMBER_FIELD));
    let result = Resource::new(
        move || submitted.get(),
        |nhs_number| async move {
            match nhs_number {
                Some(nhs_number) => find_patient(nhs_number).await.map(Some),
                None => Ok(None),
            }
        },
    );
    view! {
        <BackLink href="/" label="Back to home" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let answer = result.await;
                let field_error = match &answer {
                    Err(AppError::Invalid { problems }) => problems.first().map(|p| p.message.clone()),
                    _ => None,
                };
                let title = if field_error.is_some() { "Error: Find a patient" } else { "Find a patient" };
                view! {
                    <Title text=title />
                    {field_error.clone().map(|message| view! {
                        <ErrorSummary errors=vec![FieldError { field_id: NHS_NUMBER_FIELD.to_owned(), message }] />
                    })}
                    <h1>"Find a patient"</h1>
                    <SearchForm value=submitted.get_untracked().unwrap_or_default() error=field_error />
                    {match answer {
                        Ok(Some(FindPatientView::Found(found))) => view! { <Found found /> }.into_any(),
                        Ok(Some(FindPatientView::NoMatch)) => view! {
                            <h2>"No patient found"</h2>
                            <p>"No patient has that NHS number here. Check it with the patient, or ask them for a letter from the NHS that shows it."</p>
                        }.into_any(),
                        Err(AppError::NotAllowed) => view! {
                            <p>"Only practice staff can look patients up."</p>
                        }.into_any(),
                        Ok(None) | Err(AppError::Invalid { .. }) => ().into_any(),
                        Err(AppError::SignInRequired) => view! {
                            <p>
                                <a class="button" href="/sign-in?return_to=/patients" rel="external">"Sign in"</a>
                            </p>
                        }.into_any(),
                        Err(error) => view! { <ServiceProblem error /> }.into_any(),
                    }}
                }
            })}
        </Suspense>
    }
}

#[component]
fn SearchForm(value: String, error: Option<String>) -> impl IntoView {
    let has_error = error.is_some();
    view! {
        <Form method="GET" action="" on_form_data=Arc::new(|data: &leptos::web_sys::FormData| data.delete(""))>
            <div class="form-group" class:form-group-error=has_error>
                <label class="label" for=NHS_NUMBER_FIELD>"NHS number"</label>
                <div class="hint" id="nhs-number-hint">"10 digits, for example 999 123 4567. Spaces and dashes are fine."</div>
                {error.map(|message| view! {
                    <p class="error-message" id="nhs-number-error">
                        <span class="sr-only">"Error: "</span>
                        {message}
                    </p>
                })}
                <input
                    class="input w-full max-w-xs"
                    class:input-error=has_error
                    id=NHS_NUMBER_FIELD
                    name=NHS_NUMBER_FIELD
                    type="text"
                    inputmode="numeric"
                    autocomplete="off"
                    spellcheck="false"
                    aria-describedby=if has_error { "nhs-number-hint nhs-number-error" } else { "nhs-number-hint" }
                    value=value
                />
            </div>
            <button class="button" type="submit">"Search"</button>
        </Form>
    }
}

#[component]
fn Found(found: PatientMatchDto) -> impl IntoView {
    let PatientMatchDto {
        patient_id,
        name,
        birth_date,
        nhs_number,
        postcode,
        registered_here,
    } = found;
    view! {
        <h2>"Patient found"</h2>
        <div class="card">
            <h3 class="card-heading">
                // A full page load: opening a record is its own audited request.
                <a href=format!("/patients/{patient_id}") rel="external">{name}</a>
            </h3>
            <dl class="summary-list">
                <div class="summary-list-row">
                    <dt>"NHS number"</dt>
                    <dd>{nhs_number}</dd>
                </div>
                <div class="summary-list-row">
                    <dt>"Date of birth"</dt>
                    <dd>{birth_date.unwrap_or_else(|| "Not recorded".to_owned())}</dd>
                </div>
                <div class="summary-list-row">
                    <dt>"Postcode"</dt>
                    <dd>{postcode.unwrap_or_else(|| "Not recorded".to_owned())}</dd>
                </div>
                <div class="summary-list-row">
                    <dt>"Registered"</dt>
                    <dd>{if registered_here { "At your practice" } else { "At another practice" }}</dd>
                </div>
            </dl>
        </div>
    }
}
