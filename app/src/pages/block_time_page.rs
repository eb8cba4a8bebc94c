//! "Block time off" (`/availability/block`): a clinician's time off (training, leave), from a day
//! and time to a day and time. Free times in it close; booked appointments are listed on the
//! next page, never cancelled.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    components::{
        ErrorSummary, FormField, described_by, error_prefix, form_outcome, kept, kept_or,
    },
    diaries::{BlockTimeOff, DiaryChoicesDto},
    error::FieldError,
    pages::DiaryFormFrame,
};

#[component]
pub fn BlockTimePage() -> impl IntoView {
    view! {
        <DiaryFormFrame title="Block time off" form=|choices| view! { <BlockForm choices /> }.into_any() />
    }
}

#[component]
fn BlockForm(choices: DiaryChoicesDto) -> impl IntoView {
    let action = ServerAction::<BlockTimeOff>::new();
    let (problems, failed) = form_outcome(action.value());
    let title = move || format!("{}Block time off – Diaries", error_prefix(failed));
    let DiaryChoicesDto {
        clinicians, today, ..
    } = choices;
    let until_day = today.clone();
    view! {
        <Title text=title />
        {move || {
            let problems: Vec<FieldError> = problems.get();
            (!problems.is_empty()).then(|| view! { <ErrorSummary errors=problems /> })
        }}
        <h1>"Block time off"</h1>
        <p>"Free times in it close at once. Appointments already booked in it stay booked: the next page lists them, so that you can rearrange them with the patients."</p>
        <ActionForm action>
            <FormField id="clinician" label="Clinician" problems>
                <select class="select" id="clinician" name="clinician">
                    {let chosen = kept("clinician");
                    clinicians
                        .into_iter()
                        .map(|(value, name)| {
                            let selected = chosen.as_ref() == Some(&value);
                            view! { <option value=value selected=selected>{name}</option> }
                        })
                        .collect_view()}
                </select>
            </FormField>
            <div class="flex flex-wrap gap-x-6">
                <FormField id="from-day" label="From (day)" hint="For example, 2026-12-07" problems>
                    <input class="input" type="date" id="from-day" name="from_day" value=kept_or("from_day", today) aria-describedby=described_by("from-day", problems) />
                </FormField>
                <FormField id="from-time" label="From (time)" hint="For example, 09:00" problems>
                    <input class="input" type="time" id="from-time" name="from_time" value=kept_or("from_time", "09:00") aria-describedby=described_by("from-time", problems) />
                </FormField>
            </div>
            <div class="flex flex-wrap gap-x-6">
                <FormField id="until-day" label="Until (day)" hint="The same day, or a later one" problems>
                    <input class="input" type="date" id="until-day" name="until_day" value=kept_or("until_day", until_day) aria-describedby=described_by("until-day", problems) />
                </FormField>
                <FormField id="until-time" label="Until (time)" hint="For example, 13:00" problems>
                    <input class="input" type="time" id="until-time" name="until_time" value=kept_or("until_time", "13:00") aria-describedby=described_by("until-time", problems) />
                </FormField>
            </div>
            <FormField id="reason" label="Why" hint="For example: training, annual leave. Staff see it; patients do not." problems>
                <input class="input w-full max-w-md" type="text" id="reason" name="reason" value=kept("reason") autocomplete="off" aria-describedby=described_by("reason", problems) />
            </FormField>
            <button class="button" type="submit">"Block time off"</button>
        </ActionForm>
    }
}
