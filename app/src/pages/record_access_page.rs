//! "Who has looked at your record": every access to the patient's record, newest first, in
//! plain English, including emergency ("break-glass") access with the reason given.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    components::BackLink,
    error::AppError,
    pages::ServiceProblem,
    record_access::{RecordAccessDto, RecordAccessView, get_record_access},
};

#[component]
pub fn RecordAccessPage() -> impl IntoView {
    let view = Resource::new(|| (), |_| get_record_access());
    view! {
        <Title text="Who has looked at your record" />
        <BackLink href="/" label="Back to home" />
        <h1>"Who has looked at your record"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match view.await {
                    Ok(RecordAccessView::Accesses(accesses)) => {
                        view! { <AccessList accesses /> }.into_any()
                    }
                    Ok(RecordAccessView::ProofingTooLow) => view! { <ProveWhoYouAre /> }.into_any(),
                    Ok(RecordAccessView::NoRecord) => view! {
                        <p>"We could not find a record for you at this practice."</p>
                        <p>"If you are registered here, contact the practice so that they can check your details."</p>
                    }.into_any(),
                    Ok(RecordAccessView::NotAPatient) => view! {
                        <p>"This page is for patients, about their own record. Staff accounts have no record here."</p>
                    }.into_any(),
                    Err(AppError::SignInRequired) => view! { <SignInToSee /> }.into_any(),
                    Err(error) => view! { <ServiceProblem error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn AccessList(accesses: Vec<RecordAccessDto>) -> impl IntoView {
    view! {
        <p>
            "Every time someone looks at or changes your GP record here, we write down who, when and what. Nobody can change or delete this list."
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

/// NHS login has checked them below P9: say why the list is hidden and what to do.
#[component]
fn ProveWhoYouAre() -> impl IntoView {
    view! {
        <div class="inset-text">
            <p>"You need to prove who you are before you can see who has looked at your record."</p>
        </div>
        <p>
            "NHS login has not fully checked your identity yet. To protect your health information, only people whose identity has been fully checked can see anything from their GP record."
        </p>
        <h2>"What you can do"</h2>
        <ul class="list-bullet">
            <li>"prove who you are in the NHS App or on the NHS login website, using photo ID such as a passport or driving licence"</li>
            <li>"or ask your GP practice to confirm who you are"</li>
        </ul>
        <p>"Then sign out and sign in again."</p>
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
