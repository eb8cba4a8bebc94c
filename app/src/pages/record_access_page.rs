//! "Who has looked at your record": every access to the patient's record, newest first, in
//! plain English, including emergency ("break-glass") access with the reason given. A patient
//! with proxy access for someone sees theirs too (`?for=<patient id>`).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    components::{BackLink, ProveWhoYouAre, ServiceProblem},
    error::AppError,
    record_access::{AccessLogDto, GrantDto, RecordAccessDto, RecordAccessView, get_record_access},
};

#[component]
pub fn RecordAccessPage() -> impl IntoView {
    let query = use_query_map();
    let view = Resource::new(move || query.read().get("for"), get_record_access);
    view! {
        <Title text="Who has looked at your record" />
        <BackLink href="/" label="Back to home" />
        <h1>"Who has looked at your record"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match view.await {
                    Ok(RecordAccessView::Accesses(log)) => view! { <AccessLog log /> }.into_any(),
                    Ok(RecordAccessView::ProofingTooLow) => view! {
                        <ProveWhoYouAre to="see who has looked at your record" />
                    }.into_any(),
                    Ok(RecordAccessView::NoRecord) => view! {
                        <p>"We could not find a record for you at this practice."</p>
                        <p>"If you are registered here, contact the practice so that they can check your details."</p>
                    }.into_any(),
                    Err(AppError::SignInRequired) => view! { <SignInToSee /> }.into_any(),
                    Err(AppError::NotAllowed) => view! {
                        <p>"You cannot see this list. It is for the patient, and for people they have given proxy access."</p>
                        <p><a href="/your-record/who-has-looked">"See who has looked at your own record"</a></p>
                    }.into_any(),
                    Err(error) => view! { <ServiceProblem error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn AccessLog(log: AccessLogDto) -> impl IntoView {
    let AccessLogDto {
        acting_for,
        accesses,
        grants,
    } = log;
    view! {
        {acting_for.map(|name| view! {
            <p class="inset-text">
                "You are looking at " <strong>{name}</strong> "'s record, with the proxy access they gave you."
            </p>
        })}
        <AccessList accesses />
        {(!grants.is_empty()).then(|| view! { <Grants grants /> })}
    }
}

/// The records the reader may also look at, and a way back to their own.
#[component]
fn Grants(grants: Vec<GrantDto>) -> impl IntoView {
    view! {
        <section aria-labelledby="proxy-heading" class="mt-8">
            <h2 id="proxy-heading">"People you act for"</h2>
            <ul class="list-bullet">
                <li><a href="/your-record/who-has-looked">"Your own record"</a></li>
                {grants
                    .into_iter()
                    .map(|grant| view! {
                        <li>
                            <a href=format!("/your-record/who-has-looked?for={}", grant.patient_id)>
                                {grant.name}
                            </a>
                            " (" {grant.relationship} ")"
                        </li>
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn AccessList(accesses: Vec<RecordAccessDto>) -> impl IntoView {
    view! {
        <p>
            "Every time someone looks at or changes a GP record here, we write down who, when and what. Nobody can change or delete this list."
        </p>
        <p>"If you do not recognise something, contact the practice."</p>
        {if accesses.is_empty() {
            view! { <p>"Nobody has looked at your record yet."</p> }.into_any()
        } else {
            view! {
                <ol class="access-list" aria-label="Accesses to your record, newest first">
                    {accesses
                        .into_iter()
                        .map(|access| {
                            view! {
                                <li class="access">
                                    <p class="access-when">
                                        <time datetime=access.datetime>{access.when}</time>
                                    </p>
                                    <p>
                                        <strong>{access.who}</strong>
                                        " "
                                        {access.what}
                                        {access.refused.then(|| view! { " " <span class="tag">"Refused: nothing was seen or changed"</span> })}
                                    </p>
                                    {access.reason.map(|reason| view! {
                                        <p class="inset-text">"Reason given for emergency access: " {reason}</p>
                                    })}
                                </li>
                            }
                        })
                        .collect_view()}
                </ol>
            }
                .into_any()
        }}
    }
}

#[component]
fn SignInToSee() -> impl IntoView {
    view! {
        <p>"You need to sign in to see who has looked at your record."</p>
        <p>
            <a class="button" href="/sign-in?return_to=/your-record/who-has-looked">
                "Sign in"
            </a>
        </p>
    }
}
