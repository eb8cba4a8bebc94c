//! "Messages" (`/messages`): the patient's conversations with the practice, newest first, each
//! with its state in words, and a way to write to the practice.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    components::patient_page,
    messages::{ConversationDto, get_my_messages},
};

const TITLE: &str = "Messages";

#[component]
pub fn MyMessagesPage() -> impl IntoView {
    let conversations = Resource::new(|| (), |_| get_my_messages());
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                patient_page(conversations.await, TITLE, "send messages to your GP practice", "/messages", |conversations| {
                    view! { <Conversations conversations /> }.into_any()
                })
            })}
        </Suspense>
    }
}

#[component]
fn Conversations(conversations: Vec<ConversationDto>) -> impl IntoView {
    view! {
        <Title text=TITLE />
        <h1>{TITLE}</h1>
        <p>"Write to your GP practice about admin, a medical question or your test results. Someone at the practice reads every message."</p>
        <div class="warning-callout">
            <h2>"Do not use messages for urgent help"</h2>
            <p class="mb-0">"If you need medical help urgently, call 111. In an emergency, call 999."</p>
        </div>
        <p><a class="button" href="/messages/new">"Write to the practice"</a></p>
        {if conversations.is_empty() {
            view! { <p>"You have no messages."</p> }.into_any()
        } else {
            view! {
                <h2>"Your conversations"</h2>
                <ul class="appointment-list">
                    {conversations
                        .into_iter()
                        .map(|c| view! {
                            <li class="card">
                                <h3 class="card-heading"><a href=format!("/messages/{}", c.id)>{c.subject}</a></h3>
                                <p class="mb-0">{c.topic}</p>
                                <p class="mb-0"><strong class="tag tag-blue">{c.status}</strong></p>
                                <p class="mb-0 text-nhs-secondary-text">"Last changed "<time datetime=c.datetime>{c.changed}</time></p>
                            </li>
                        })
                        .collect_view()}
                </ul>
            }
            .into_any()
        }}
    }
}
