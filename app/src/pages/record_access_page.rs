//! "Who has looked at your record": every access to the patient's record, a page at a time,
//! newest first, in plain English, including emergency ("break-glass") access with the reason
//! given, which is shown at the top until the patient has seen it. The list is filtered by who
//! looked (`?who=`; the patient's own looks are left out unless asked for) and paged by "older"
//! links (`?before=`), all plain links and a GET form, so it works without JavaScript. A patient
//! with proxy access for someone sees theirs too (`?for=<patient id>`).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    components::{BackLink, NotGrantedForThem, ProveWhoYouAre, ServiceProblem},
    error::AppError,
    record_access::{AccessLogDto, GrantDto, RecordAccessDto, RecordAccessView, get_record_access},
};

#[component]
pub fn RecordAccessPage() -> impl IntoView {
    let query = use_query_map();
    let view = Resource::new(
        move || {
            let query = query.read();
            (query.get("for"), query.get("who"), query.get("before"))
        },
        |(patient, who, before)| get_record_access(patient, who, before),
    );
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
                    Err(AppError::NotGranted) => view! {
                        <h2>"You cannot do this for them"</h2>
                        <NotGrantedForThem />
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
        for_patient,
        who,
        unseen_emergencies,
        accesses,
        is_older_page,
        older,
        grants,
        done_for,
    } = log;
    let whose = acting_for.clone();
    view! {
        {acting_for.map(|name| view! {
            <p class="inset-text">
                "You are looking at " <strong>{name}</strong> "'s record, with the proxy access they gave you."
            </p>
        })}
        {(!unseen_emergencies.is_empty()).then(|| view! { <EmergencyNotice accesses=unseen_emergencies /> })}
        <p>
            "Every time someone looks at or changes a GP record here, we write down who, when and what. Nobody can change or delete this list."
        </p>
        <p>"If you do not recognise something, contact the practice."</p>
        <WhoFilter who=who.clone() for_patient=for_patient.clone() whose />
        <AccessList accesses />
        <Pages who for_patient is_older_page older />
        {done_for
            .into_iter()
            .enumerate()
            .map(|(n, (grant, done))| view! { <DoneFor n grant done /> })
            .collect_view()}
        {(!grants.is_empty()).then(|| view! { <Grants grants /> })}
    }
}

/// Emergency accesses the patient has not been shown before: first, whatever the filter.
#[component]
fn EmergencyNotice(accesses: Vec<RecordAccessDto>) -> impl IntoView {
    view! {
        <section class="warning-callout" aria-labelledby="emergency-heading">
            <h2 id="emergency-heading">"Your record was opened in an emergency"</h2>
            <p>
                "Someone who does not work at your GP practice opened your record in an emergency. This is the first time we are showing you."
            </p>
            <ol class="access-list" aria-label="Emergency accesses you have not seen before">
                {accesses.into_iter().map(|access| view! { <Access access /> }).collect_view()}
            </ol>
            <p class="mb-0">"They stay in the list below. If you do not recognise one, contact the practice."</p>
        </section>
    }
}

/// Who looked: a GET form, so the choice is in the address and works without JavaScript.
#[component]
fn WhoFilter(who: String, for_patient: Option<String>, whose: Option<String>) -> impl IntoView {
    let (others, patient) = match &whose {
        Some(name) => (format!("Everyone except {name}"), name.clone()),
        None => ("Everyone except you".to_owned(), "You".to_owned()),
    };
    let choices = [
        ("others", others),
        ("staff", "Staff".to_owned()),
        ("systems", "Apps and computer systems".to_owned()),
        ("patient", patient),
        ("everyone", "Everyone".to_owned()),
    ];
    view! {
        <form method="get" action="/your-record/who-has-looked" class="mb-8">
            {for_patient.map(|id| view! { <input type="hidden" name="for" value=id /> })}
            <fieldset class="fieldset">
                <legend class="fieldset-legend"><h2 class="mb-0">"Who looked"</h2></legend>
                <div class="radios">
                    {choices
                        .into_iter()
                        .map(|(value, label)| {
                            let id = format!("who-{value}");
                            view! {
                                <div class="radios-item">
                                    <input class="radios-input" type="radio" id=id.clone() name="who" value=value checked=who == value />
                                    <label class="radios-label" for=id>{label}</label>
                                </div>
                            }
                        })
                        .collect_view()}
                </div>
            </fieldset>
            <button class="button button-secondary" type="submit">"Show"</button>
        </form>
    }
}

/// Links to the newest page and to the next, older one.
#[component]
fn Pages(
    who: String,
    for_patient: Option<String>,
    is_older_page: bool,
    older: Option<i64>,
) -> impl IntoView {
    let link = move |before: Option<i64>| {
        let mut href = format!("/your-record/who-has-looked?who={who}");
        if let Some(id) = &for_patient {
            href.push_str(&format!("&for={id}"));
        }
        if let Some(before) = before {
            href.push_str(&format!("&before={before}"));
        }
        href
    };
    (is_older_page || older.is_some()).then(|| view! {
        <nav class="pagination" aria-label="Pages of the list">
            <ul>
                {is_older_page.then(|| view! {
                    <li><a href=link(None)>"Newest entries"</a></li>
                })}
                {older.map(|before| view! {
                    <li class="pagination-older"><a href=link(Some(before))>"Older entries"</a></li>
                })}
            </ul>
        </nav>
    })
}

/// On a carer's own list: what they did lately for one person they act for (the `n`th), with
/// the way to that person's whole list.
#[component]
fn DoneFor(n: usize, grant: GrantDto, done: Vec<RecordAccessDto>) -> impl IntoView {
    let heading = format!("done-for-{n}");
    let labelled_by = heading.clone();
    view! {
        <section aria-labelledby=labelled_by class="mt-8">
            <h2 id=heading>{format!("What you did lately for {}", grant.name)}</h2>
            {if done.is_empty() {
                view! { <p>"Nothing yet."</p> }.into_any()
            } else {
                view! {
                    <ol class="access-list" aria-label=format!("What you did for {}, newest first", grant.name)>
                        {done.into_iter().map(|access| view! { <Access access /> }).collect_view()}
                    </ol>
                }.into_any()
            }}
            <p>
                <a href=format!("/your-record/who-has-looked?for={}", grant.patient_id)>
                    {format!("Everyone who has looked at {}'s record", grant.name)}
                </a>
            </p>
        </section>
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
    if accesses.is_empty() {
        return view! { <p>"There is nothing to show for this choice."</p> }.into_any();
    }
    view! {
        <ol class="access-list" aria-label="Accesses to the record, newest first">
            {accesses.into_iter().map(|access| view! { <Access access /> }).collect_view()}
        </ol>
    }
    .into_any()
}

#[component]
fn Access(access: RecordAccessDto) -> impl IntoView {
    view! {
        <li class="access">
            <p class="access-when">
                <time datetime=access.datetime>{access.when}</time>
            </p>
            <p>
                <strong>{access.who}</strong>
                " "
                {access.what}
                {access.emergency.then(|| view! { " " <span class="tag">"Emergency access"</span> })}
                {access.refused.then(|| view! { " " <span class="tag">"Refused: nothing was seen or changed"</span> })}
            </p>
            {access.reason.map(|reason| view! {
                <p class="inset-text">"Reason given for emergency access: " {reason}</p>
            })}
        </li>
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
