//! "Add a service" (`/practice/services/new`) and "Change a service" (`/practice/services/{id}`):
//! its name, what it is for, where it runs, when online cancelling closes, and whether patients
//! are offered it.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::{
    components::{
        ErrorSummary, FormField, KeptInput, YesNoQuestion, described_by, error_prefix,
        form_outcome, kept, kept_or,
    },
    error::FieldError,
    pages::SetupFormFrame,
    practice_setup::{PlaceSetupDto, PracticeSetupDto, SaveService, ServiceSetupDto},
};

#[component]
pub fn ServiceFormPage() -> impl IntoView {
    let params = use_params_map();
    let action = ServerAction::<SaveService>::new();
    view! {
        {move || {
            let id = params.read().get("id").unwrap_or_default();
            let title = if id == "new" { "Add a service" } else { "Change a service" };
            let form = Box::new(move |setup: PracticeSetupDto| {
                let PracticeSetupDto { services, places } = setup;
                let service = if id == "new" {
                    ServiceSetupDto {
                        id: String::new(),
                        version: 0,
                        name: String::new(),
                        description: String::new(),
                        cutoff_hours: 2,
                        offered: true,
                        // A practice with one place: that is where it runs.
                        places: match places.as_slice() {
                            [only] => vec![only.reference()],
                            _ => Vec::new(),
                        },
                    }
                } else {
                    services.into_iter().find(|s| s.id == id)?
                };
                Some(view! { <ServiceForm title action service places /> }.into_any())
            });
            view! { <SetupFormFrame title form /> }
        }}
    }
}

#[component]
fn ServiceForm(
    title: &'static str,
    action: ServerAction<SaveService>,
    service: ServiceSetupDto,
    places: Vec<PlaceSetupDto>,
) -> impl IntoView {
    let (problems, failed) = form_outcome(action.value());
    let page_title = move || format!("{}{title} – Services and places", error_prefix(failed));
    let ServiceSetupDto {
        id,
        version,
        name,
        description,
        cutoff_hours,
        offered,
        places: runs_at,
    } = service;
    let heading = if id.is_empty() {
        title.to_owned()
    } else {
        format!("Change {name}")
    };
    let back = KeptInput::of_page();
    let (name_typed, description_typed, cutoff_typed) = (
        kept_or("name", name),
        kept_or("description", description),
        kept_or("cutoff", cutoff_hours.to_string()),
    );
    let offered = kept("offered").map_or(offered, |answer| answer == "yes");
    let places_error = move || {
        problems
            .get()
            .into_iter()
            .find(|p| p.field_id == "places")
            .map(|p| p.message)
    };
    view! {
        <Title text=page_title />
        {move || {
            let problems: Vec<FieldError> = problems.get();
            (!problems.is_empty()).then(|| view! { <ErrorSummary errors=problems /> })
        }}
        <h1>{heading}</h1>
        <ActionForm action>
            <input type="hidden" name="id" value=id />
            <input type="hidden" name="version" value=version.to_string() />
            <FormField id="name" label="Name" hint="As patients choose it, for example Physiotherapy" problems>
                <input class="input w-full max-w-xl" type="text" id="name" name="name" value=name_typed autocomplete="off" aria-describedby=described_by("name", problems) />
            </FormField>
            <FormField id="description" label="What it is for" hint="Patients read this when they choose a kind of appointment" problems>
                <textarea class="textarea max-w-2xl" id="description" name="description" rows="3" aria-describedby=described_by("description", problems)>{description_typed}</textarea>
            </FormField>
            <div class="form-group" class:form-group-error=move || places_error().is_some()>
                <fieldset class="fieldset" aria-describedby="places-hint">
                    <legend class="fieldset-legend label">"Where it runs"</legend>
                    <div class="hint" id="places-hint">"Select every place it runs at."</div>
                    {move || places_error().map(|message| view! {
                        <p class="error-message" id="places-error"><span class="sr-only">"Error: "</span>{message}</p>
                    })}
                    <div class="checkboxes">
                        {places
                            .into_iter()
                            .enumerate()
                            .map(|(n, place)| {
                                // The first box carries the id the error summary links to.
                                let box_id = if n == 0 { "places".to_owned() } else { format!("places-{n}") };
                                let reference = place.reference();
                                let checked = match &back {
                                    Some(form) => form.has("places[]", &reference),
                                    None => runs_at.contains(&reference),
                                };
                                view! {
                                    <div class="checkboxes-item">
                                        <input class="checkboxes-input" type="checkbox" id=box_id.clone() name="places[]" value=reference checked=checked />
                                        <label class="checkboxes-label" for=box_id>{place.name}</label>
                                    </div>
                                }
                            })
                            .collect_view()}
                    </div>
                </fieldset>
            </div>
            <FormField id="cutoff" label="Online cancelling closes" hint="Patients can cancel online until this many hours before the appointment; after that, they phone the practice. From 0 to 168." problems>
                <div class="input-wrapper">
                    <input class="input input-width-5" type="text" inputmode="numeric" id="cutoff" name="cutoff" value=cutoff_typed aria-describedby=described_by("cutoff", problems) />
                    <span class="input-suffix" aria-hidden="true">"hours before"</span>
                </div>
            </FormField>
            <YesNoQuestion name="offered" legend="Offer it to patients?" yes="Yes, patients can book it online" no="No, not for now (appointments already booked stay booked)" answer=offered />
            <button class="button" type="submit">"Save the service"</button>
        </ActionForm>
    }
}
