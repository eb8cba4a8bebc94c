//! "Open appointment times" (`/availability/open`): a weekly template for one clinician's diary
//! ("Mondays to Fridays, 9am to 12pm, 10-minute appointments, for 6 weeks, at this place, for
//! this service"). Times already in the diary are left as they are.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    components::{
        ErrorSummary, FormField, KeptInput, described_by, error_prefix, form_outcome, kept, kept_or,
    },
    diaries::{DiaryChoicesDto, OpenAppointmentTimes, WEEKDAYS},
    error::FieldError,
    pages::DiaryFormFrame,
};

#[component]
pub fn OpenTimesPage() -> impl IntoView {
    view! {
        <DiaryFormFrame title="Open appointment times" form=|choices| view! { <OpenTimesForm choices /> }.into_any() />
    }
}

#[component]
fn OpenTimesForm(choices: DiaryChoicesDto) -> impl IntoView {
    let action = ServerAction::<OpenAppointmentTimes>::new();
    let (problems, failed) = form_outcome(action.value());
    let title = move || format!("{}Open appointment times – Diaries", error_prefix(failed));
    let DiaryChoicesDto {
        clinicians,
        services,
        places,
        today,
    } = choices;
    // Weekdays at first; what was ticked when the form came back.
    let ticked: Vec<bool> = match KeptInput::of_page() {
        Some(form) => WEEKDAYS
            .iter()
            .map(|(day, _)| form.value(day).is_some())
            .collect(),
        None => WEEKDAYS.iter().enumerate().map(|(n, _)| n < 5).collect(),
    };
    // The choices of a list, the one chosen in field `field` selected when the form came back.
    let options = |list: Vec<(String, String)>, field: &str| {
        let chosen = kept(field);
        list.into_iter()
            .map(|(value, name)| {
                let selected = chosen.as_ref() == Some(&value);
                view! { <option value=value selected=selected>{name}</option> }
            })
            .collect_view()
    };
    view! {
        <Title text=title />
        {move || {
            let problems: Vec<FieldError> = problems.get();
            (!problems.is_empty()).then(|| view! { <ErrorSummary errors=problems /> })
        }}
        <h1>"Open appointment times"</h1>
        <p>"Describe a week of the clinician's sessions. Patients can book the times at once; times already in the diary are left as they are."</p>
        <ActionForm action>
            <FormField id="clinician" label="Clinician" problems>
                <select class="select" id="clinician" name="clinician">{options(clinicians, "clinician")}</select>
            </FormField>
            <FormField id="service" label="Kind of appointment" problems>
                <select class="select" id="service" name="service">{options(services, "service")}</select>
            </FormField>
            <FormField id="place" label="Place" problems>
                <select class="select" id="place" name="place">{options(places, "place")}</select>
            </FormField>
            <div class="form-group" class:form-group-error=move || problems.get().iter().any(|p| p.field_id == "days")>
                <fieldset class="fieldset" aria-describedby="days-hint">
                    <legend class="fieldset-legend label">"Days of the week"</legend>
                    <div class="hint" id="days-hint">"Select every day the sessions run."</div>
                    {move || problems.get().into_iter().find(|p| p.field_id == "days").map(|p| view! {
                        <p class="error-message" id="days-error"><span class="sr-only">"Error: "</span>{p.message}</p>
                    })}
                    <div class="checkboxes">
                        {WEEKDAYS
                            .iter()
                            .enumerate()
                            .map(|(n, (value, name))| {
                                // The first box carries the id the error summary links to.
                                let id = if n == 0 { "days".to_owned() } else { format!("days-{value}") };
                                let checked = ticked[n];
                                view! {
                                    <div class="checkboxes-item">
                                        <input class="checkboxes-input" type="checkbox" id=id.clone() name=*value value="on" checked=checked />
                                        <label class="checkboxes-label" for=id>{*name}</label>
                                    </div>
                                }
                            })
                            .collect_view()}
                    </div>
                </fieldset>
            </div>
            <div class="flex flex-wrap gap-x-6">
                <FormField id="from" label="Sessions start at" hint="For example, 09:00" problems>
                    <input class="input" type="time" id="from" name="from" value=kept_or("from", "09:00") aria-describedby=described_by("from", problems) />
                </FormField>
                <FormField id="until" label="Sessions end at" hint="For example, 12:00" problems>
                    <input class="input" type="time" id="until" name="until" value=kept_or("until", "12:00") aria-describedby=described_by("until", problems) />
                </FormField>
            </div>
            <FormField id="minutes" label="Each appointment lasts" hint="In minutes, from 5 to 60" problems>
                <div class="input-wrapper">
                    <input class="input input-width-5" type="text" inputmode="numeric" id="minutes" name="minutes" value=kept_or("minutes", "10") aria-describedby=described_by("minutes", problems) />
                    <span class="input-suffix" aria-hidden="true">"minutes"</span>
                </div>
            </FormField>
            <FormField id="first-day" label="First day" hint="Today or later" problems>
                <input class="input" type="date" id="first-day" name="first_day" value=kept_or("first_day", today) aria-describedby=described_by("first-day", problems) />
            </FormField>
            <FormField id="weeks" label="For how many weeks" hint="From 1 to 12" problems>
                <div class="input-wrapper">
                    <input class="input input-width-5" type="text" inputmode="numeric" id="weeks" name="weeks" value=kept_or("weeks", "6") aria-describedby=described_by("weeks", problems) />
                    <span class="input-suffix" aria-hidden="true">"weeks"</span>
                </div>
            </FormField>
            <button class="button" type="submit">"Open appointment times"</button>
        </ActionForm>
    }
}
