//! Earlier appointments: the times offered to a patient in place of a booked appointment, each
//! with a button to take it (a plain form, so it works without JavaScript) or, once someone else
//! took it first, saying so; and, on an upcoming appointment, asking to be told of an earlier
//! time or stopping that.

use leptos::prelude::*;

use super::FailureSummary;
use crate::{
    appointments::{EarlierOfferDto, TakeEarlierTime, WantEarlierTime},
    error::AppError,
};

#[component]
pub fn EarlierOffers(offers: Vec<EarlierOfferDto>) -> impl IntoView {
    let take = ServerAction::<TakeEarlierTime>::new();
    // Of the ways taking it can fail, someone else taking it first is the one to expect.
    let failed = Signal::derive(move || {
        take.value()
            .get()
            .and_then(Result::err)
            .map(|error| match error {
                AppError::Conflict => "Someone else took that time first. It has gone.".to_owned(),
                other => other.to_string(),
            })
    });
    // Type-erased: the pages that show it are deep enough already for the compiler's limits.
    (!offers.is_empty()).then(|| {
        view! {
            <section aria-labelledby="earlier-heading" class="mb-8">
                <h2 id="earlier-heading">"Earlier appointments"</h2>
                {move || failed.get().map(|message| view! { <FailureSummary message /> })}
                <ul class="appointment-list">
                    {offers.into_iter().map(|offer| view! { <Offer offer take /> }).collect_view()}
                </ul>
            </section>
        }
        .into_any()
    })
}

#[component]
fn Offer(offer: EarlierOfferDto, take: ServerAction<TakeEarlierTime>) -> impl IntoView {
    if offer.gone {
        return view! {
            <li class="card">
                <p class="mb-0">{format!(
                    "The earlier time on {} has gone: someone else took it first. We will tell you if another comes up.",
                    offer.when
                )}</p>
            </li>
        }
        .into_any();
    }
    view! {
        <li class="card">
            <h3 class="card-heading">"Free now: "<time datetime=offer.datetime>{offer.when.clone()}</time></h3>
            <p>{format!(
                "Instead of the appointment on {}. The first person to take it gets it.",
                offer.instead_of_when
            )}</p>
            <ActionForm action=take>
                <input type="hidden" name="id" value=offer.instead_of />
                <input type="hidden" name="slot_id" value=offer.slot_id />
                <button class="button mb-0" type="submit">
                    "Take this time"
                    <span class="sr-only">{format!(" on {}", offer.when)}</span>
                </button>
            </ActionForm>
        </li>
    }
    .into_any()
}

/// On upcoming appointment `id` (`when`): asked for an earlier time, or not, and the button that
/// changes it.
#[component]
pub fn EarlierTimeWanted(id: String, when: String, asked: bool) -> impl IntoView {
    let want = ServerAction::<WantEarlierTime>::new();
    let (said, button) = if asked {
        (
            Some("We will tell you if an earlier time comes up."),
            "Stop looking for an earlier time",
        )
    } else {
        (None, "Tell me if an earlier time comes up")
    };
    view! {
        {said.map(|said| view! { <p class="mb-2">{said}</p> })}
        <ActionForm action=want attr:class="mt-2">
            <input type="hidden" name="id" value=id />
            <input type="hidden" name="wanted" value=if asked { "no" } else { "yes" } />
            <button class="button button-secondary mb-0" type="submit">
                {button}
                <span class="sr-only">{format!(" (your appointment on {when})")}</span>
            </button>
        </ActionForm>
    }
    .into_any()
}
