//! A patient's record, for a clinician: the banner (who this is) stays in view, allergies come
//! first, then problems and medicines. A patient registered elsewhere is opened only by breaking
//! the glass: the page says whose record it is and asks why, and tells the clinician that the
//! patient will read their name and reason.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::{
    components::{
        BackLink, ErrorSummary, PatientBanner, RecordEntries, ServiceProblem, TestResults,
        error_prefix, form_outcome, kept,
    },
    error::{AppError, FieldError},
    patients::{
        BannerDto, BreakGlass, PatientRecordDto, PatientRecordView, REASON_FIELD,
        get_patient_record,
    },
};

#[component]
pub fn PatientRecordPage() -> impl IntoView {
    let params = use_params_map();
    let patient_id = move || params.read().get("id").unwrap_or_default();
    // Created here, not in the form: a successful break-glass leaves the address as it was, so
    // the record is fetched again whenever the action has run.
    let break_glass = ServerAction::<BreakGlass>::new();
    // For the "Error: " in front of the title while the reason's error shows.
    let (_, failed) = form_outcome(break_glass.value());
    let record = Resource::new(
        move || (patient_id(), break_glass.version().get()),
        |(id, _)| get_patient_record(id),
    );
    view! {
        <BackLink href="/patients" label="Find another patient" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let record = record.await;
                let title = match &record {
                    Ok(PatientRecordView::Record(record)) => {
                        format!("{} – Patient record", record.banner.name)
                    }
                    Ok(PatientRecordView::BreakGlassNeeded(_)) => {
                        "Emergency access – Patient record".to_owned()
                    }
                    _ => "Patient record".to_owned(),
                };
                // Only the emergency access form has errors to show.
                let errors_can_show = matches!(record, Ok(PatientRecordView::BreakGlassNeeded(_)));
                let page = match record {
                    Ok(PatientRecordView::Record(record)) => view! { <Record record=*record /> }.into_any(),
                    Ok(PatientRecordView::BreakGlassNeeded(banner)) => {
                        view! { <BreakGlassForm action=break_glass patient_id=patient_id() banner /> }.into_any()
                    }
                    Err(AppError::NotAllowed) => view! {
                        <h1>"You cannot see this record"</h1>
                        <p>"A patient's clinical record is open to the patient, to people they have given proxy access, to clinicians at their practice and, in an emergency, to other clinicians."</p>
                        <p>"Practice administrators do not see clinical records. If your role should give you access, ask your practice manager or Registration Authority."</p>
                    }.into_any(),
                    Ok(PatientRecordView::NotFound) => view! {
                        <h1>"Patient not found"</h1>
                        <p>"There is no patient record at this address. "<a href="/patients">"Find the patient"</a>" by their NHS number."</p>
                    }.into_any(),
                    Err(AppError::SignInRequired) => view! {
                        <h1>"Patient record"</h1>
                        <p>"You need to sign in to see patient records."</p>
                        <p><a class="button" href="/sign-in">"Sign in"</a></p>
                    }.into_any(),
                    Err(error) => view! { <ServiceProblem error /> }.into_any(),
                };
                let title = move || {
                    let prefix = if errors_can_show { error_prefix(failed) } else { "" };
                    format!("{prefix}{title}")
                };
                view! {
                    <Title text=title />
                    {page}
                }
            })}
        </Suspense>
    }
}

#[component]
fn Record(record: PatientRecordDto) -> impl IntoView {
    let PatientRecordDto {
        patient_id,
        banner,
        break_glass_reason,
        allergies,
        problems,
        medicines,
        immunisations,
        results,
        vital_signs,
        upcoming_appointments,
        past_appointments,
        documents,
        ..
    } = record;
    let query = leptos_router::hooks::use_query_map();
    // What was just written, said once on coming back from the form.
    let recorded = move || match query.read().get("recorded").as_deref() {
        Some("vital-signs") => Some("Vital signs saved"),
        Some("problem") => Some("Problem added"),
        Some("allergy") => Some("Allergy added"),
        Some("vaccination") => Some("Vaccination recorded"),
        Some("note") => Some("Consultation note saved"),
        _ => None,
    };
    let add = |kind: &str| format!("/patients/{patient_id}/add/{kind}");
    view! {
        <PatientBanner banner />
        {move || recorded().map(|what| view! {
            <div class="panel-confirmation" role="status">
                <h2 class="mt-0">{what}</h2>
                <p class="mb-0">"It is in the record below, and in the patient's own record."</p>
            </div>
        })}
        {break_glass_reason.map(|reason| view! {
            <div class="warning-callout">
                <h2>"You opened this record in an emergency"</h2>
                <p>"This patient is registered at another practice. The patient can see that you opened it, and your reason: "</p>
                <p><strong>{reason}</strong></p>
            </div>
        })}
        <p><a href=format!("/patients/{patient_id}/message")>"Send the patient a message"</a></p>
        <section class="allergies" aria-labelledby="allergies-heading">
            <h2 id="allergies-heading">"Allergies"</h2>
            <p><a class="button button-secondary" href=add("allergy")>"Add an allergy"</a></p>
            <RecordEntries entries=allergies empty="No allergies recorded. Check with the patient." />
        </section>
        <section aria-labelledby="problems-heading" class="mb-8">
            <h2 id="problems-heading">"Problems"</h2>
            <p><a class="button button-secondary" href=add("problem")>"Add a problem"</a></p>
            <RecordEntries entries=problems empty="No active problems recorded." />
        </section>
        <section aria-labelledby="medicines-heading" class="mb-8">
            <h2 id="medicines-heading">"Medicines"</h2>
            <RecordEntries entries=medicines empty="No medicines recorded." />
        </section>
        <section aria-labelledby="vitals-heading" class="mb-8">
            <h2 id="vitals-heading">"Vital signs"</h2>
            <p><a class="button button-secondary" href=format!("/patients/{patient_id}/vital-signs")>"Record vital signs"</a></p>
            <TestResults results=vital_signs empty="No vital signs recorded." chart_prefix="vitals" />
        </section>
        <section aria-labelledby="results-heading" class="mb-8">
            <h2 id="results-heading">"Test results"</h2>
            <TestResults results empty="No test results recorded." chart_prefix="results" />
        </section>
        <section aria-labelledby="appointments-heading" class="mb-8">
            <h2 id="appointments-heading">"Appointments"</h2>
            <h3>"Coming up"</h3>
            <RecordEntries entries=upcoming_appointments empty="No appointments booked." />
            <h3>"Past"</h3>
            <RecordEntries entries=past_appointments empty="No past appointments." />
        </section>
        <section aria-labelledby="documents-heading" class="mb-8">
            <h2 id="documents-heading">"Documents"</h2>
            <p><a class="button button-secondary" href=add("note")>"Write a consultation note"</a></p>
            <RecordEntries entries=documents empty="No letters or reports." />
        </section>
        <section aria-labelledby="vaccinations-heading" class="mb-8">
            <h2 id="vaccinations-heading">"Vaccinations"</h2>
            <p><a class="button button-secondary" href=add("vaccination")>"Record a vaccination"</a></p>
            <RecordEntries entries=immunisations empty="No vaccinations recorded." />
        </section>
    }
}

/// Whose record it is (so the clinician can check they have the right person), and the reason
/// form. A plain form post without JavaScript; with it, the same server function, no reload.
#[component]
fn BreakGlassForm(
    action: ServerAction<BreakGlass>,
    patient_id: String,
    banner: BannerDto,
) -> impl IntoView {
    let error = move || match action.value().get() {
        Some(Err(AppError::Invalid { problems })) => problems.into_iter().next().map(|p| p.message),
        _ => None,
    };
    let refused = move || matches!(action.value().get(), Some(Err(AppError::NotAllowed)));
    view! {
        {move || error().map(|message| view! {
            <ErrorSummary errors=vec![FieldError { field_id: REASON_FIELD.to_owned(), message }] />
        })}
        <PatientBanner banner />
        <div class="warning-callout">
            <h2>"This patient is not registered at your practice"</h2>
            <p>"You can open their record only if you need it to care for them now, for example in an emergency."</p>
            <p>"The patient will be able to see your name, when you opened the record and the reason you give."</p>
        </div>
        {move || refused().then(|| view! {
            <p class="error-message" role="alert">"Only clinicians can open a record in an emergency."</p>
        })}
        <ActionForm action>
            <input type="hidden" name="patient_id" value=patient_id />
            <div class="form-group" class:form-group-error=move || error().is_some()>
                <label class="label" for=REASON_FIELD>"Why do you need to see this record?"</label>
                <div class="hint" id="reason-hint">"For example: seen in A&E, unconscious, no other history available. At least 10 characters."</div>
                {move || error().map(|message| view! {
                    <p class="error-message" id="reason-error">
                        <span class="sr-only">"Error: "</span>
                        {message}
                    </p>
                })}
                <textarea
                    class="textarea max-w-2xl"
                    class:input-error=move || error().is_some()
                    id=REASON_FIELD
                    name=REASON_FIELD
                    rows="4"
                    aria-describedby=move || if error().is_some() { "reason-hint reason-error" } else { "reason-hint" }
                >{kept(REASON_FIELD)}</textarea>
            </div>
            <button class="button" type="submit">"Open the record"</button>
        </ActionForm>
    }
}
