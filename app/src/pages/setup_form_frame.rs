//! The frame both setup forms share (a service, a place): a way back to the list, then the form
//! once the practice's services and places have loaded, or why there is none.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    components::{BackLink, ServiceProblem},
    error::AppError,
    practice_setup::{PracticeSetupDto, get_practice_setup},
};

/// `form` gets the setup and answers with the form, or `None` when the address names nothing
/// the practice has.
#[component]
pub fn SetupFormFrame(
    title: &'static str,
    form: Box<dyn Fn(PracticeSetupDto) -> Option<AnyView> + Send + Sync>,
) -> impl IntoView {
    let setup = Resource::new(|| (), |()| get_practice_setup());
    let form = std::sync::Arc::new(form);
    view! {
        <BackLink href="/practice" label="Back to services and places" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || {
                let form = form.clone();
                Suspend::new(async move {
                    match setup.await {
                        Ok(setup) => form(setup).unwrap_or_else(|| view! {
                            <Title text="Not found" />
                            <h1>"We could not find that"</h1>
                            <p><a href="/practice">"See the practice's services and places"</a></p>
                        }.into_any()),
                        Err(AppError::SignInRequired) => view! {
                            <Title text=title />
                            <h1>{title}</h1>
                            <p><a class="button" href="/sign-in">"Sign in"</a></p>
                        }.into_any(),
                        Err(AppError::NotAllowed) => view! {
                            <Title text=title />
                            <h1>"Only the practice's administrators can change its services and places"</h1>
                        }.into_any(),
                        Err(error) => view! { <ServiceProblem error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}
