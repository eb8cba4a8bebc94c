//! The frame both diary forms share ("Open appointment times", "Block time off"): a way back to
//! the diaries, then the form once the choices it offers have loaded, or why there is none.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    components::{BackLink, ServiceProblem},
    diaries::{DiaryChoicesDto, get_diary_choices},
    error::AppError,
};

#[component]
pub fn DiaryFormFrame(title: &'static str, form: fn(DiaryChoicesDto) -> AnyView) -> impl IntoView {
    let choices = Resource::new(|| (), |_| get_diary_choices());
    view! {
        <BackLink href="/availability" label="Back to diaries" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match choices.await {
                    Ok(choices) => form(choices),
                    Err(AppError::SignInRequired) => view! {
                        <Title text=title />
                        <h1>{title}</h1>
                        <p><a class="button" href="/sign-in">"Sign in"</a></p>
                    }.into_any(),
                    Err(AppError::NotAllowed) => view! {
                        <Title text=title />
                        <h1>"The diaries are for the practice's staff"</h1>
                    }.into_any(),
                    Err(error) => view! { <ServiceProblem error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
