//! "Sign in": patients go to NHS login, staff to NHS CIS2; in demo mode, synthetic personas too.
//!
//! Every way in is a plain link or form to the server's `/auth` routes, so it works without
//! JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    account::{PersonaDto, SignInOptionsDto, get_sign_in_options},
    components::ServiceProblem,
};

/// What went wrong on the way back from a provider (`/sign-in?error=…`), in words.
fn problem_message(code: &str) -> &'static str {
    match code {
        "cancelled" => "Sign-in was cancelled. Try again when you are ready.",
        "expired" => "Sign-in took too long or was started in another browser. Try again.",
        "no-role" => {
            "Your NHS Care Identity has no role that gives access to this service. Ask your Registration Authority."
        }
        "too-many" => {
            "There have been too many attempts to sign in. Wait a minute, then try again."
        }
        _ => "Sign-in did not work. Try again. If it keeps happening, contact the practice.",
    }
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let query = use_query_map();
    let problem = Memo::new(move |_| query.read().get("error").map(|code| problem_message(&code)));
    let return_to = Memo::new(move |_| query.read().get("return_to"));
    let options = Resource::new(|| (), |_| get_sign_in_options());
    // The title can be rendered after the page's reactive values are gone (the meta tags are
    // collected at the end of server rendering): then it goes by the problem as it was when the
    // page was made, which on the server is the only one there is.
    let rendered_with_problem = problem.with_untracked(Option::is_some);
    view! {
        <Title text=move || {
            let says_problem = problem.try_get().map_or(rendered_with_problem, |p| p.is_some());
            if says_problem { "Error: Sign in" } else { "Sign in" }
        } />
        {move || {
            problem
                .get()
                .map(|message| {
                    view! {
                        <div class="error-summary" role="alert" tabindex="-1" autofocus=true aria-labelledby="error-summary-title">
                            <h2 class="error-summary-title" id="error-summary-title">
                                "There is a problem"
                            </h2>
                            <p>{message}</p>
                        </div>
                    }
                })
        }}
        <h1>"Sign in"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match options.await {
                    Ok(options) => view! { <SignInChoices options return_to=return_to.get() /> }.into_any(),
                    Err(error) => view! { <ServiceProblem error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SignInChoices(options: SignInOptionsDto, return_to: Option<String>) -> impl IntoView {
    let SignInOptionsDto {
        patient_login,
        staff_login,
        personas,
    } = options;
    let link = move |provider: &str| match &return_to {
        Some(path) => format!(
            "/auth/sign-in/{provider}?return_to={}",
            encode_query_value(path)
        ),
        None => format!("/auth/sign-in/{provider}"),
    };
    let nothing_configured = !patient_login && !staff_login && personas.is_empty();
    view! {
        {patient_login.then(|| view! {
            <section aria-labelledby="patients-heading" class="mb-8">
                <h2 id="patients-heading">"Patients"</h2>
                <p>"Use NHS login, the same account as the NHS App, to book appointments and see your GP record."</p>
                <a class="button" href=link("patient")>"Continue to NHS login"</a>
            </section>
        })}
        {staff_login.then(|| view! {
            <section aria-labelledby="staff-heading" class="mb-8">
                <h2 id="staff-heading">"Practice staff"</h2>
                <p>"Use your NHS Care Identity: smartcard, security key or authenticator app."</p>
                <a class="button" href=link("staff")>"Sign in with NHS Care Identity"</a>
            </section>
        })}
        {nothing_configured.then(|| view! {
            <p>"Signing in has not been set up on this server yet. Ask the practice's IT team."</p>
        })}
        {(!personas.is_empty()).then(|| view! { <DemoPersonas personas /> })}
    }
}

/// Percent-encodes a local path for a query string (the path is ours: `/` and letters mostly).
fn encode_query_value(path: &str) -> String {
    path.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

#[component]
fn DemoPersonas(personas: Vec<PersonaDto>) -> impl IntoView {
    view! {
        <section aria-labelledby="demo-heading" class="warning-callout">
            <h2 id="demo-heading">"Sign in as a demo persona"</h2>
            <p>
                "This server runs in demo mode. Every person here is synthetic. Choose someone to see the service as they would, without an NHS login or NHS Care Identity."
            </p>
            <ul class="persona-list">
                {personas
                    .into_iter()
                    .map(|persona| {
                        view! {
                            <li class="card">
                                <form method="post" action="/auth/demo">
                                    <input type="hidden" name="persona" value=persona.key />
                                    <h3 class="card-heading">{persona.name.clone()}</h3>
                                    <p class="hint">{persona.role}</p>
                                    <p>{persona.description}</p>
                                    <button class="button" type="submit">
                                        "Sign in as "
                                        {persona.name}
                                    </button>
                                </form>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_paths_are_encoded_for_a_query_string() {
        assert_eq!(
            encode_query_value("/your-record?x=1&y"),
            "/your-record%3Fx%3D1%26y"
        );
    }

    #[test]
    fn every_problem_has_words() {
        for code in ["cancelled", "expired", "no-role", "too-many", "anything"] {
            assert!(!problem_message(code).is_empty());
        }
    }
}
