//! One prescription request (`/prescriptions/requests/{id}`): whose, what and the patient's
//! note, then approve or refuse with a reason the patient reads. For the clinicians of the
//! patient's practice. A problem comes back in an error summary with what was typed kept.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::{
    components::{
        BackLink, ErrorSummary, FormField, RadioItem, StaffPageRefusal, described_by, error_prefix,
        form_outcome, kept,
    },
    prescriptions::{
        DECISION_FIELD, DecidePrescription, PrescriptionRequestDto, REASON_FIELD,
        get_prescription_request,
    },
};

#[component]
pub fn DecidePrescriptionPage() -> impl IntoView {
    let params = use_params_map();
    let request = Resource::new(
        move || params.read().get("id").unwrap_or_default(),
        get_prescription_request,
    );
    view! {
        <BackLink href="/prescriptions/requests" label="Prescription requests" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match request.await {
                    Ok(request) => view! { <Decision request /> }.into_any(),
                    Err(error) => view! {
                        <StaffPageRefusal error why="Prescription requests are decided by the clinicians of the patient's practice." />
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Decision(request: PrescriptionRequestDto) -> impl IntoView {
    let action = ServerAction::<DecidePrescription>::new();
    let (problems, failed) = form_outcome(action.value());
    let decided = request.state != "requested";
    let title = {
        let medicine = request.medicine.clone();
        move || format!("{}{medicine} – Prescription requests", error_prefix(failed))
    };
    let decision_error = move || {
        problems
            .get()
            .into_iter()
            .find(|problem| problem.field_id == DECISION_FIELD)
            .map(|problem| problem.message)
    };
    view! {
        <Title text=title />
        {move || (!problems.get().is_empty()).then(|| view! { <ErrorSummary errors=problems.get() /> })}
        <h1>{request.medicine.clone()}</h1>
        <dl class="summary-list mb-6">
            <div class="summary-list-row">
                <dt class="summary-list-key">"Patient"</dt>
                <dd class="summary-list-value">
                    {request.patient_name.clone().unwrap_or_default()}
                    {request.nhs_number.clone().map(|n| view! { <span class="block">"NHS number "{n}</span> })}
                </dd>
            </div>
            {request.dosage.clone().map(|dosage| view! {
                <div class="summary-list-row">
                    <dt class="summary-list-key">"Dosage"</dt>
                    <dd class="summary-list-value">{dosage}</dd>
                </div>
            })}
            <div class="summary-list-row">
                <dt class="summary-list-key">"Requested"</dt>
                <dd class="summary-list-value"><time datetime=request.datetime.clone()>{request.requested.clone()}</time></dd>
            </div>
            <div class="summary-list-row">
                <dt class="summary-list-key">"Pharmacy"</dt>
                <dd class="summary-list-value">{request.pharmacy.clone()}</dd>
            </div>
            <div class="summary-list-row">
                <dt class="summary-list-key">"Note from the patient"</dt>
                <dd class="summary-list-value whitespace-pre-line">{request.note.clone().unwrap_or_else(|| "None".to_owned())}</dd>
            </div>
        </dl>
        {if decided {
            view! { <p><strong>{request.status.clone()}</strong></p> }.into_any()
        } else {
            view! {
                <ActionForm action>
                    <input type="hidden" name="id" value=request.id.clone() />
                    <div class="form-group" class:form-group-error=move || decision_error().is_some()>
                        <fieldset class="fieldset" aria-describedby=move || decision_error().map(|_| "decision-error")>
                            <legend class="fieldset-legend"><h2 class="mb-0">"Your decision"</h2></legend>
                            {move || decision_error().map(|message| view! {
                                <p class="error-message" id="decision-error"><span class="sr-only">"Error: "</span>{message}</p>
                            })}
                            <div class="radios">
                                <RadioItem name=DECISION_FIELD id=DECISION_FIELD.to_owned() value="approve".to_owned()
                                    label="Approve".to_owned() hint=format!("It is sent to {}.", request.pharmacy) />
                                <RadioItem name=DECISION_FIELD id=format!("{DECISION_FIELD}-refuse") value="refuse".to_owned()
                                    label="Refuse".to_owned() hint="Give the reason below.".to_owned() />
                            </div>
                        </fieldset>
                    </div>
                    <FormField id=REASON_FIELD label="Reason for refusing" hint="The patient reads this, for example \"Please book a medication review\". Up to 500 characters." problems>
                        <textarea class="textarea max-w-2xl" id=REASON_FIELD name=REASON_FIELD rows="3"
                            aria-describedby=described_by(REASON_FIELD, problems)>{kept(REASON_FIELD)}</textarea>
                    </FormField>
                    <button class="button" type="submit">"Save decision"</button>
                </ActionForm>
            }
            .into_any()
        }}
    }
}
