//! "Repeat prescriptions" (`/prescriptions`): the patient's repeat medicines (or those of the
//! person they act for) to tick, the pharmacy to send them to and a note; those due for a review
//! apart, with why they cannot be ordered online; and every request with what became of it.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    components::{
        ErrorSummary, FormField, KeptInput, RadioItem, described_by, error_prefix, form_outcome,
        kept, patient_page,
    },
    error::FieldError,
    prescriptions::{
        MEDICINES_FIELD, NOTE_FIELD, PHARMACY_FIELD, PrescriptionRequestDto, RepeatMedicineDto,
        RepeatPrescriptionsDto, RequestPrescriptions, get_repeat_prescriptions,
    },
};

const TITLE: &str = "Repeat prescriptions";

#[component]
pub fn RepeatPrescriptionsPage() -> impl IntoView {
    let query = use_query_map();
    let requested = move || query.read().get("requested");
    let repeats = Resource::new(requested, |_| get_repeat_prescriptions());
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                patient_page(repeats.await, TITLE, "order repeat prescriptions", "/prescriptions", |repeats| {
                    view! { <Repeats repeats requested=requested() /> }.into_any()
                })
            })}
        </Suspense>
    }
}

#[component]
fn Repeats(repeats: RepeatPrescriptionsDto, requested: Option<String>) -> impl IntoView {
    let RepeatPrescriptionsDto {
        acting_for,
        medicines,
        pharmacies,
        usual_pharmacy,
        requests,
    } = repeats;
    let action = ServerAction::<RequestPrescriptions>::new();
    let (problems, failed) = form_outcome(action.value());
    let title = move || format!("{}{TITLE}", error_prefix(failed));
    let heading = acting_for.map_or_else(
        || TITLE.to_owned(),
        |name| format!("{name}'s repeat prescriptions"),
    );
    let (due, orderable): (Vec<RepeatMedicineDto>, Vec<RepeatMedicineDto>) = medicines
        .into_iter()
        .partition(|medicine| medicine.review_due);
    let orderable: Vec<RepeatMedicineDto> = orderable
        .into_iter()
        .filter(|medicine| !medicine.requested)
        .collect();
    let nothing_at_all = due.is_empty() && orderable.is_empty() && requests.is_empty();
    view! {
        <Title text=title />
        {requested.map(|count| view! {
            <div class="panel-confirmation" role="status">
                <h2 class="mt-0">"Your request has been sent"</h2>
                <p class="mb-0">{match count.as_str() {
                    "1" => "You asked for 1 medicine. A clinician at your GP practice will look at it, and you can see what they decide on this page.".to_owned(),
                    n => format!("You asked for {n} medicines. A clinician at your GP practice will look at them, and you can see what they decide on this page."),
                }}</p>
            </div>
        })}
        {move || (!problems.get().is_empty()).then(|| view! { <ErrorSummary errors=problems.get() /> })}
        <h1>{heading}</h1>
        {nothing_at_all.then(|| view! {
            <p>"There are no repeat medicines to order online. If you think there should be, "<a href="/messages/new">"message your GP practice"</a>"."</p>
        })}
        {(!due.is_empty()).then(|| view! {
            <div class="inset-text">
                <h2 class="mt-0">"Due for a review"</h2>
                <p>"These cannot be ordered online until your GP has reviewed them with you:"</p>
                <ul class="list-bullet">
                    {due.into_iter().map(|medicine| view! { <li>{medicine.name}</li> }).collect_view()}
                </ul>
                <p class="mb-0"><a href="/book">"Book a medication review"</a>" with your GP, or call the practice."</p>
            </div>
        })}
        {(!orderable.is_empty()).then(|| view! {
            <ActionForm action>
                <MedicineChoice medicines=orderable problems />
                <PharmacyChoice pharmacies usual_pharmacy problems />
                <FormField id=NOTE_FIELD label="Anything the practice should know? (optional)" hint="For example, if you are going away. Up to 500 characters." problems>
                    <textarea class="textarea max-w-2xl" id=NOTE_FIELD name=NOTE_FIELD rows="3"
                        aria-describedby=described_by(NOTE_FIELD, problems)>{kept(NOTE_FIELD)}</textarea>
                </FormField>
                <button class="button" type="submit">"Send request"</button>
            </ActionForm>
        })}
        <Requests requests />
    }
}

/// The repeats to tick, the first box carrying the group's id for the error summary.
#[component]
fn MedicineChoice(
    medicines: Vec<RepeatMedicineDto>,
    problems: Signal<Vec<FieldError>>,
) -> impl IntoView {
    let error = move || group_error(problems, MEDICINES_FIELD);
    let back = KeptInput::of_page();
    let name = format!("{MEDICINES_FIELD}[]");
    view! {
        <div class="form-group" class:form-group-error=move || error().is_some()>
            <fieldset class="fieldset" aria-describedby=move || {
                if error().is_some() { "medicines-hint medicines-error" } else { "medicines-hint" }
            }>
                <legend class="fieldset-legend"><h2 class="mb-0">"Which medicines do you need?"</h2></legend>
                <div class="hint" id="medicines-hint">"Select all that you need."</div>
                {move || error().map(|message| view! {
                    <p class="error-message" id="medicines-error"><span class="sr-only">"Error: "</span>{message}</p>
                })}
                <div class="checkboxes">
                    {medicines
                        .into_iter()
                        .enumerate()
                        .map(|(n, medicine)| {
                            let box_id = if n == 0 { MEDICINES_FIELD.to_owned() } else { format!("{MEDICINES_FIELD}-{n}") };
                            let hint_id = format!("{box_id}-hint");
                            let checked = back.as_ref().is_some_and(|form| form.has(&name, &medicine.id));
                            view! {
                                <div class="checkboxes-item">
                                    <input class="checkboxes-input" type="checkbox" id=box_id.clone() name=name.clone()
                                        value=medicine.id checked=checked aria-describedby=medicine.dosage.as_ref().map(|_| hint_id.clone()) />
                                    <label class="checkboxes-label" for=box_id>{medicine.name}</label>
                                    {medicine.dosage.map(|dosage| view! { <div class="hint checkboxes-hint" id=hint_id>{dosage}</div> })}
                                </div>
                            }
                        })
                        .collect_view()}
                </div>
            </fieldset>
        </div>
    }
}

/// The pharmacies, the one used last chosen at first.
#[component]
fn PharmacyChoice(
    pharmacies: Vec<crate::prescriptions::PharmacyDto>,
    usual_pharmacy: Option<String>,
    problems: Signal<Vec<FieldError>>,
) -> impl IntoView {
    let error = move || group_error(problems, PHARMACY_FIELD);
    view! {
        <div class="form-group" class:form-group-error=move || error().is_some()>
            <fieldset class="fieldset" aria-describedby=move || error().map(|_| "pharmacy-error")>
                <legend class="fieldset-legend"><h2 class="mb-0">"Which pharmacy should we send it to?"</h2></legend>
                {move || error().map(|message| view! {
                    <p class="error-message" id="pharmacy-error"><span class="sr-only">"Error: "</span>{message}</p>
                })}
                <div class="radios">
                    {pharmacies
                        .into_iter()
                        .enumerate()
                        .map(|(n, pharmacy)| {
                            let chosen = usual_pharmacy.as_ref() == Some(&pharmacy.id);
                            view! {
                                <RadioItem
                                    name=PHARMACY_FIELD
                                    id=if n == 0 { PHARMACY_FIELD.to_owned() } else { format!("{PHARMACY_FIELD}-{n}") }
                                    value=pharmacy.id
                                    label=pharmacy.name
                                    chosen
                                />
                            }
                        })
                        .collect_view()}
                </div>
            </fieldset>
        </div>
    }
}

/// The problem with the group of boxes or radios `field`, if there is one.
fn group_error(problems: Signal<Vec<FieldError>>, field: &str) -> Option<String> {
    problems
        .get()
        .into_iter()
        .find(|problem| problem.field_id == field)
        .map(|problem| problem.message)
}

/// Every request, newest first, with what became of it.
#[component]
fn Requests(requests: Vec<PrescriptionRequestDto>) -> impl IntoView {
    (!requests.is_empty()).then(|| {
        view! {
            <h2>"Your requests"</h2>
            <ul class="appointment-list">
                {requests
                    .into_iter()
                    .map(|request| {
                        let tag = match request.state.as_str() {
                            "approved" => "tag tag-green",
                            "refused" => "tag",
                            _ => "tag tag-blue",
                        };
                        view! {
                            <li class="card">
                                <h3 class="card-heading">{request.medicine}</h3>
                                <p class="mb-0"><strong class=tag>{request.status}</strong></p>
                                <p class="mb-0 text-nhs-secondary-text">"Requested "<time datetime=request.datetime>{request.requested}</time></p>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
    })
}
