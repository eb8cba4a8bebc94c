//! "Block time off" (`/availability/block`): a clinician's time off (training, leave), from a day
//! and time to a day and time. Free times in it close; booked appointments are listed on the
//! next page, never cancelled.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    components::{BackLink, ErrorSummary, FieldError, FormField, described_by},
    diaries::{BlockTimeOff, DiaryChoicesDto, get_diary_choices},
    error::AppError,
    pages::ServiceProblem,
};

#[component]
pub fn BlockTimePage() -> impl IntoView {
    let choices = Resource::new(|| (), |_| get_diary_choices());
    view! {
        <BackLink href="/availability" label="Back to diaries" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match choices.await {
                    Ok(choices) => view! { <BlockForm choices /> }.into_any(),
                    Err(AppError::SignInRequired) => view! {
                        <Title text="Block time off" />
                        <h1>"Block time off"</h1>
                        <p><a class="button" href="/sign-in" rel="external">"Sign in"</a></p>
                    }.into_any(),
                    Err(AppError::NotAllowed) => view! {
                        <Title text="Block time off" />
                        <h1>"The diaries are for the practice's staff"</h1>
                    }.into_any(),
                    Err(error) => view! { <ServiceProblem error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn BlockForm(choices: DiaryChoicesDto) -> impl IntoView {
    let action = ServerAction::<BlockTimeOff>::new();
    let problems = Signal::derive(move || match action.value().get() {
        Some(Err(AppError::Invalid { problems })) => problems,
        _ => Vec::new(),
    });
    let failed = move || match action.value().get() {
        Some(Err(AppError::Invalid { .. })) | None | Some(Ok(())) => None,
        Some(Err(error)) => Some(error.to_string()),
    };
    let title = move || {
        if action.value().get().is_some_and(|r| r.is_err()) {
            "Error: Block time off – Diaries"
        } else {
            "Block time off – Diaries"
        }
    };
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
        {move || failed().map(|message| view! { <p class="error-message" role="alert">{message}</p> })}
        <ActionForm action>
            <FormField id="clinician" label="Clinician" problems>
                <select class="select" id="clinician" name="clinician">
                    {clinicians
                        .into_iter()
                        .map(|(value, name)| view! { <option value=value>{name}</option> })
                        .collect_view()}
                </select>
            </FormField>
            <div class="flex flex-wrap gap-x-6">
                <FormField id="from-day" label="From (day)" hint="For example, 2026-12-07" problems>
                    <input class="input" type="date" id="from-day" name="from_day" value=today aria-describedby=described_by("from-day", problems) />
                </FormField>
                <FormField id="from-time" label="From (time)" hint="For example, 09:00" problems>
                    <input class="input" type="time" id="from-time" name="from_time" value="09:00" aria-describedby=described_by("from-time", problems) />
                </FormField>
            </div>
            <div class="flex flex-wrap gap-x-6">
                <FormField id="until-day" label="Until (day)" hint="The same day, or a later one" problems>
                    <input class="input" type="date" id="until-day" name="until_day" value=until_day aria-describedby=described_by("until-day", problems) />
                </FormField>
                <FormField id="until-time" label="Until (time)" hint="For example, 13:00" problems>
                    <input class="input" type="time" id="until-time" name="until_time" value="13:00" aria-describedby=described_by("until-time", problems) />
                </FormField>
            </div>
            <FormField id="reason" label="Why" hint="For example: training, annual leave. Staff see it; patients do not." problems>
                <input class="input w-full max-w-md" type="text" id="reason" name="reason" autocomplete="off" aria-describedby=described_by("reason", problems) />
            </FormField>
            <button class="button" type="submit">"Block time off"</button>
        </ActionForm>
    }
}
