//! Adding to a patient's record (`/patients/{id}/add/{problem|allergy|vaccination|note}`, a note
//! with `?appointment=…` from the clinic list): the patient banner, then one short form, coded from the bundled SNOMED CT lists where there are codes.
//! Saved, back to the record, which shows the new entry.

use domain::terminology::{ALLERGENS, AllergyRisk, Concept, PROBLEMS, REACTIONS, VACCINES};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::{
    components::{
        BackLink, ErrorSummary, FormField, PatientBanner, ServiceProblem, described_by,
        error_prefix, form_outcome, kept,
    },
    error::{AppError, FieldError},
    patients::{
        BannerDto, PatientRecordView, RecordAllergy, RecordConsultation, RecordImmunisation,
        RecordProblem, get_patient_record,
    },
};

/// What is being added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Problem,
    Allergy,
    Vaccination,
    Note,
}

impl Kind {
    fn parse(segment: &str) -> Option<Self> {
        match segment {
            "problem" => Some(Self::Problem),
            "allergy" => Some(Self::Allergy),
            "vaccination" => Some(Self::Vaccination),
            "note" => Some(Self::Note),
            _ => None,
        }
    }

    fn heading(self) -> &'static str {
        match self {
            Self::Problem => "Add a problem",
            Self::Allergy => "Add an allergy",
            Self::Vaccination => "Record a vaccination",
            Self::Note => "Write a consultation note",
        }
    }
}

#[component]
pub fn AddToRecordPage() -> impl IntoView {
    let params = use_params_map();
    let patient_id = move || params.read().get("id").unwrap_or_default();
    let kind = move || params.read().get("kind").as_deref().and_then(Kind::parse);
    let record = Resource::new(patient_id, get_patient_record);
    view! {
        <BackLink href=format!("/patients/{}", patient_id()) label="Back to the record" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let Some(kind) = kind() else {
                    return view! { <crate::pages::NotFoundPage /> }.into_any();
                };
                match record.await {
                    Ok(PatientRecordView::Record(record)) => view! {
                        <AddForm kind patient_id=record.patient_id banner=record.banner />
                    }.into_any(),
                    Ok(PatientRecordView::BreakGlassNeeded(_)) => view! {
                        <Title text=kind.heading() />
                        <h1>"Open the record first"</h1>
                        <p>"This patient is registered at another practice. "<a href=format!("/patients/{}", patient_id())>"Open their record"</a>" in an emergency before you write to it."</p>
                    }.into_any(),
                    Ok(PatientRecordView::NotFound) | Err(AppError::NotFound) => view! {
                        <Title text="Patient not found" />
                        <h1>"Patient not found"</h1>
                        <p><a href="/patients">"Find the patient"</a>" by their NHS number."</p>
                    }.into_any(),
                    Err(AppError::NotAllowed) => view! {
                        <Title text=kind.heading() />
                        <h1>"You cannot write to this record"</h1>
                        <p>"Only clinicians write to a patient's record."</p>
                    }.into_any(),
                    Err(AppError::SignInRequired) => view! {
                        <Title text=kind.heading() />
                        <h1>{kind.heading()}</h1>
                        <p><a class="button" href="/sign-in">"Sign in"</a></p>
                    }.into_any(),
                    Err(error) => view! { <ServiceProblem error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn AddForm(kind: Kind, patient_id: String, banner: BannerDto) -> impl IntoView {
    let name = banner.name.clone();
    match kind {
        Kind::Problem => view! { <ProblemForm patient_id banner name /> }.into_any(),
        Kind::Allergy => view! { <AllergyForm patient_id banner name /> }.into_any(),
        Kind::Vaccination => view! { <VaccinationForm patient_id banner name /> }.into_any(),
        Kind::Note => view! { <NoteForm patient_id banner name /> }.into_any(),
    }
}

/// The title, error summary, banner and heading every one of these forms starts with.
fn form_top(
    heading: &'static str,
    name: String,
    banner: BannerDto,
    failed: Signal<bool>,
    problems: Signal<Vec<FieldError>>,
) -> impl IntoView {
    let title = move || format!("{}{heading} – {name}", error_prefix(failed));
    view! {
        <Title text=title />
        {move || {
            let problems = problems.get();
            (!problems.is_empty()).then(|| view! { <ErrorSummary errors=problems /> })
        }}
        <PatientBanner banner />
        <h2>{heading}</h2>
    }
}

/// The options of a coded question, the one chosen in field `name` selected when its form comes
/// back.
fn concept_options(
    list: &'static [Concept],
    prompt: &'static str,
    name: &'static str,
) -> impl IntoView {
    let chosen = kept(name);
    view! {
        <option value="">{prompt}</option>
        {list
            .iter()
            .map(|concept| {
                let selected = chosen.as_deref() == Some(concept.code);
                view! { <option value=concept.code selected=selected>{concept.display}</option> }
            })
            .collect_view()}
    }
}

#[component]
fn ProblemForm(patient_id: String, banner: BannerDto, name: String) -> impl IntoView {
    let action = ServerAction::<RecordProblem>::new();
    let (problems, failed) = form_outcome(action.value());
    view! {
        {form_top("Add a problem", name, banner, failed, problems)}
        <ActionForm action>
            <input type="hidden" name="patient_id" value=patient_id />
            <FormField id="problem" label="Problem" hint="Coded in SNOMED CT" problems>
                <select class="select" id="problem" name="problem" aria-describedby=described_by("problem", problems)>
                    {concept_options(PROBLEMS, "Choose a problem", "problem")}
                </select>
            </FormField>
            <FormField id="onset" label="Since (optional)" hint="When it started, if known" problems>
                <input class="input" type="date" id="onset" name="onset" value=kept("onset") aria-describedby=described_by("onset", problems) />
            </FormField>
            <button class="button" type="submit">"Add the problem"</button>
        </ActionForm>
    }
}

#[component]
fn AllergyForm(patient_id: String, banner: BannerDto, name: String) -> impl IntoView {
    let action = ServerAction::<RecordAllergy>::new();
    let (problems, failed) = form_outcome(action.value());
    let risk_error = move || {
        problems
            .get()
            .into_iter()
            .find(|p| p.field_id == "risk")
            .map(|p| p.message)
    };
    view! {
        {form_top("Add an allergy", name, banner, failed, problems)}
        <ActionForm action>
            <input type="hidden" name="patient_id" value=patient_id />
            <FormField id="substance" label="Allergic to" hint="Coded in SNOMED CT" problems>
                <select class="select" id="substance" name="substance" aria-describedby=described_by("substance", problems)>
                    {concept_options(ALLERGENS, "Choose a substance", "substance")}
                </select>
            </FormField>
            <FormField id="reaction" label="Reaction (optional)" hint="What happened, if known" problems>
                <select class="select" id="reaction" name="reaction" aria-describedby=described_by("reaction", problems)>
                    {concept_options(REACTIONS, "Not known", "reaction")}
                </select>
            </FormField>
            <div class="form-group" class:form-group-error=move || risk_error().is_some()>
                <fieldset class="fieldset">
                    <legend class="fieldset-legend label">"How serious could a reaction be?"</legend>
                    {move || risk_error().map(|message| view! {
                        <p class="error-message" id="risk-error"><span class="sr-only">"Error: "</span>{message}</p>
                    })}
                    {let chosen = kept("risk");
                    AllergyRisk::ALL
                        .into_iter()
                        .enumerate()
                        .map(|(n, risk)| {
                            // The first option carries the id the error summary links to.
                            let id = if n == 0 { "risk".to_owned() } else { format!("risk-{}", risk.code()) };
                            let checked = chosen.as_deref() == Some(risk.code());
                            view! {
                                <div class="radios-item">
                                    <input class="radios-input" type="radio" id=id.clone() name="risk" value=risk.code() checked=checked />
                                    <label class="radios-label" for=id>{risk.label()}</label>
                                </div>
                            }
                        })
                        .collect_view()}
                </fieldset>
            </div>
            <button class="button" type="submit">"Add the allergy"</button>
        </ActionForm>
    }
}

#[component]
fn VaccinationForm(patient_id: String, banner: BannerDto, name: String) -> impl IntoView {
    let action = ServerAction::<RecordImmunisation>::new();
    let (problems, failed) = form_outcome(action.value());
    view! {
        {form_top("Record a vaccination", name, banner, failed, problems)}
        <ActionForm action>
            <input type="hidden" name="patient_id" value=patient_id />
            <FormField id="vaccine" label="Vaccine" problems>
                <select class="select" id="vaccine" name="vaccine" aria-describedby=described_by("vaccine", problems)>
                    <option value="">"Choose a vaccine"</option>
                    {let chosen = kept("vaccine");
                    VACCINES
                        .iter()
                        .map(|v| view! { <option value=*v selected=chosen.as_deref() == Some(*v)>{*v}</option> })
                        .collect_view()}
                </select>
            </FormField>
            <FormField id="given" label="Given on" hint="Today, or the day it was given" problems>
                <input class="input" type="date" id="given" name="given" value=kept("given") aria-describedby=described_by("given", problems) />
            </FormField>
            <button class="button" type="submit">"Record the vaccination"</button>
        </ActionForm>
    }
}

#[component]
fn NoteForm(patient_id: String, banner: BannerDto, name: String) -> impl IntoView {
    let action = ServerAction::<RecordConsultation>::new();
    let (problems, failed) = form_outcome(action.value());
    // From the clinic list, the note is for the appointment the patient is in.
    let appointment = leptos_router::hooks::use_query_map()
        .read_untracked()
        .get("appointment")
        .unwrap_or_default();
    view! {
        {form_top("Write a consultation note", name, banner, failed, problems)}
        <ActionForm action>
            <input type="hidden" name="patient_id" value=patient_id />
            <input type="hidden" name="appointment" value=appointment />
            <FormField id="note" label="Consultation note" hint="History, examination, what you agreed. The patient can ask to read it." problems>
                <textarea class="textarea max-w-2xl" id="note" name="note" rows="10" aria-describedby=described_by("note", problems)>{kept("note")}</textarea>
            </FormField>
            <button class="button" type="submit">"Save the note"</button>
        </ActionForm>
    }
}
