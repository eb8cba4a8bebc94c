//! "Record vital signs" (`/patients/{id}/vital-signs`): the patient banner, then one field per
//! measurement with its unit, any of them left empty. Impossible values (a typo of 1200 for
//! 120) come back in an error summary, each linked to its field; saved, back to the record.

use domain::vitals::Vital;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::{
    components::{
        BackLink, ErrorSummary, PatientBanner, ServiceProblem, error_prefix, form_outcome, kept,
    },
    error::AppError,
    patients::{PatientRecordView, RecordVitalSigns, get_patient_record},
};

#[component]
pub fn RecordVitalSignsPage() -> impl IntoView {
    let params = use_params_map();
    let patient_id = move || params.read().get("id").unwrap_or_default();
    let record = Resource::new(patient_id, get_patient_record);
    view! {
        <BackLink href=format!("/patients/{}", patient_id()) label="Back to the record" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match record.await {
                    Ok(PatientRecordView::Record(record)) => view! {
                        <VitalSignsForm patient_id=record.patient_id banner=record.banner />
                    }.into_any(),
                    Ok(PatientRecordView::BreakGlassNeeded(_)) => view! {
                        <Title text="Record vital signs" />
                        <h1>"Open the record first"</h1>
                        <p>"This patient is registered at another practice. "<a href=format!("/patients/{}", patient_id())>"Open their record"</a>" in an emergency before you write to it."</p>
                    }.into_any(),
                    Ok(PatientRecordView::NotFound) | Err(AppError::NotFound) => view! {
                        <Title text="Patient not found" />
                        <h1>"Patient not found"</h1>
                        <p><a href="/patients">"Find the patient"</a>" by their NHS number."</p>
                    }.into_any(),
                    Err(AppError::NotAllowed) => view! {
                        <Title text="Record vital signs" />
                        <h1>"You cannot write to this record"</h1>
                        <p>"Only clinicians write to a patient's record."</p>
                    }.into_any(),
                    Err(AppError::SignInRequired) => view! {
                        <Title text="Record vital signs" />
                        <h1>"Record vital signs"</h1>
                        <p>"You need to sign in to write to patient records."</p>
                        <p><a class="button" href="/sign-in">"Sign in"</a></p>
                    }.into_any(),
                    Err(error) => view! { <ServiceProblem error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn VitalSignsForm(patient_id: String, banner: crate::patients::BannerDto) -> impl IntoView {
    let action = ServerAction::<RecordVitalSigns>::new();
    let (problems, failed) = form_outcome(action.value());
    let name = banner.name.clone();
    // Reactive: with JavaScript the form stays on the page, and the title must say "Error".
    let title = move || format!("{}Record vital signs – {name}", error_prefix(failed));
    let field = move |vital: Vital, label: &'static str, hint: &'static str| {
        let id = vital.field();
        let error = move || {
            problems
                .get()
                .into_iter()
                .find(|p| p.field_id == id)
                .map(|p| p.message)
        };
        let decimal = vital.decimals() > 0;
        view! {
            <div class="form-group" class:form-group-error=move || error().is_some()>
                <label class="label" for=id>{label}</label>
                <div class="hint" id=format!("{id}-hint")>{hint}</div>
                {move || error().map(|message| view! {
                    <p class="error-message" id=format!("{id}-error")>
                        <span class="sr-only">"Error: "</span>
                        {message}
                    </p>
                })}
                <div class="input-wrapper">
                    <input
                        class="input input-width-5"
                        class:input-error=move || error().is_some()
                        id=id
                        name=id
                        type="text"
                        inputmode=if decimal { "decimal" } else { "numeric" }
                        autocomplete="off"
                        spellcheck="false"
                        value=kept(id)
                        aria-describedby=move || if error().is_some() { format!("{id}-hint {id}-error") } else { format!("{id}-hint") }
                    />
                    <span class="input-suffix" aria-hidden="true">{vital.unit()}</span>
                </div>
            </div>
        }
    };
    view! {
        <Title text=title />
        {move || {
            let problems = problems.get();
            (!problems.is_empty()).then(|| view! { <ErrorSummary errors=problems /> })
        }}
        <PatientBanner banner />
        <h2>"Record vital signs"</h2>
        <p>"Enter what you measured now. Leave anything you did not measure empty. BMI is worked out from weight and height."</p>
        <ActionForm action>
            <input type="hidden" name="patient_id" value=patient_id />
            <fieldset class="fieldset">
                <legend class="fieldset-legend text-xl font-bold">"Blood pressure"</legend>
                <div class="flex flex-wrap gap-x-6">
                    {field(Vital::Systolic, "Systolic (upper number)", "In mmHg, for example 120")}
                    {field(Vital::Diastolic, "Diastolic (lower number)", "In mmHg, for example 80")}
                </div>
            </fieldset>
            {field(Vital::Pulse, "Pulse", "Beats per minute, for example 72")}
            {field(Vital::Temperature, "Temperature", "In degrees Celsius, to one decimal place, for example 36.8")}
            {field(Vital::Weight, "Weight", "In kilograms, to one decimal place, for example 70.5")}
            {field(Vital::Height, "Height", "In centimetres, for example 172")}
            <button class="button" type="submit">"Save vital signs"</button>
        </ActionForm>
    }
}
