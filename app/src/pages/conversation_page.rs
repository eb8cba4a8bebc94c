//! One conversation: "Messages" › the subject (`/messages/{id}`) for the patient, and the same
//! from the inbox (`/inbox/{id}`) for the practice, with whose it is and the practice's actions
//! (take it, close it). Messages oldest first, then the reply form while it is open.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::{
    components::{
        BackLink, ErrorSummary, FailureSummary, FormField, described_by, error_prefix,
        form_outcome, kept, patient_page,
    },
    messages::{
        CloseConversation, MESSAGE_FIELD, ReplyToConversation, TakeConversation, ThreadDto,
        get_conversation,
    },
};

#[component]
pub fn ConversationPage() -> impl IntoView {
    view! {
        <BackLink href="/messages" label="Messages" />
        <Conversation return_to="/messages" />
    }
}

#[component]
pub fn InboxConversationPage() -> impl IntoView {
    view! {
        <BackLink href="/inbox" label="Inbox" />
        <Conversation return_to="/inbox" />
    }
}

#[component]
fn Conversation(return_to: &'static str) -> impl IntoView {
    let params = use_params_map();
    let reply = ServerAction::<ReplyToConversation>::new();
    let take = ServerAction::<TakeConversation>::new();
    let close = ServerAction::<CloseConversation>::new();
    let thread = Resource::new(
        move || params.read().get("id").unwrap_or_default(),
        get_conversation,
    );
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                patient_page(thread.await, "Messages", "send messages to your GP practice", return_to, |thread| {
                    view! { <Thread thread reply take close /> }.into_any()
                })
            })}
        </Suspense>
    }
}

#[component]
fn Thread(
    thread: ThreadDto,
    reply: ServerAction<ReplyToConversation>,
    take: ServerAction<TakeConversation>,
    close: ServerAction<CloseConversation>,
) -> impl IntoView {
    let query = use_query_map();
    let (problems, failed) = form_outcome(reply.value());
    let ThreadDto {
        conversation,
        messages,
        closed,
        for_the_practice,
        theirs,
    } = thread;
    let id = conversation.id.clone();
    let (take_id, close_id) = (id.clone(), id.clone());
    let subject = conversation.subject.clone();
    let title = {
        let subject = subject.clone();
        move || format!("{}{subject} – Messages", error_prefix(failed))
    };
    let action_failed = move || {
        [take.value().get(), close.value().get()]
            .into_iter()
            .flatten()
            .find_map(Result::err)
            .map(|e| e.to_string())
    };
    let notice = move || {
        let query = query.read();
        if query.get("sent").is_some() {
            Some("Your message has been sent")
        } else if query.get("taken").is_some() {
            Some("The conversation is assigned to you")
        } else if query.get("closed").is_some() {
            Some("The conversation is closed")
        } else {
            None
        }
    };
    view! {
        <Title text=title />
        {move || notice().map(|notice| view! {
            <div class="panel-confirmation" role="status"><h2 class="m-0">{notice}</h2></div>
        })}
        {move || (!problems.get().is_empty()).then(|| view! { <ErrorSummary errors=problems.get() /> })}
        {move || action_failed().map(|message| view! {
            <FailureSummary message />
        })}
        <h1>{subject}</h1>
        <dl class="summary-list mb-6">
            {conversation.patient_name.clone().map(|name| view! {
                <div class="summary-list-row">
                    <dt>"Patient"</dt>
                    <dd>{name}{conversation.nhs_number.clone().map(|n| view! { <span class="block">"NHS number "{n}</span> })}</dd>
                </div>
            })}
            <div class="summary-list-row"><dt>"About"</dt><dd>{conversation.topic.clone()}</dd></div>
            <div class="summary-list-row"><dt>"Status"</dt><dd>{conversation.status.clone()}</dd></div>
            {for_the_practice.then(|| view! {
                <div class="summary-list-row"><dt>"Assigned to"</dt><dd>{conversation.owner.clone().unwrap_or_else(|| "Nobody yet".to_owned())}</dd></div>
            })}
        </dl>
        <ol class="list-none p-0" aria-label="Messages, oldest first">
            {messages
                .into_iter()
                .map(|m| view! {
                    <li class="card">
                        <h2 class="card-heading text-lg">
                            {m.from}{m.from_the_practice.then_some(", the practice")}
                            <span class="block font-normal text-nhs-secondary-text"><time datetime=m.datetime>{m.when}</time></span>
                        </h2>
                        <p class="mb-0 whitespace-pre-line">{m.text}</p>
                    </li>
                })
                .collect_view()}
        </ol>
        {if closed {
            view! {
                <p>"This conversation is closed. "{(!for_the_practice).then(|| view! { <a href="/messages/new">"Write to the practice"</a>" to start another." })}</p>
            }.into_any()
        } else {
            view! {
                <ActionForm action=reply>
                    <input type="hidden" name="id" value=id />
                    <FormField id=MESSAGE_FIELD label="Reply" problems>
                        <textarea class="textarea max-w-2xl" id=MESSAGE_FIELD name=MESSAGE_FIELD rows="6"
                            aria-describedby=described_by(MESSAGE_FIELD, problems)>{kept(MESSAGE_FIELD)}</textarea>
                    </FormField>
                    <button class="button" type="submit">"Send reply"</button>
                </ActionForm>
            }.into_any()
        }}
        {(for_the_practice && !closed).then(|| view! {
            <div class="mt-6 flex flex-wrap gap-x-6">
                {(!theirs).then(|| view! {
                    <ActionForm action=take>
                        <input type="hidden" name="id" value=take_id />
                        <button class="button button-secondary" type="submit">"Assign to me"</button>
                    </ActionForm>
                })}
                <ActionForm action=close>
                    <input type="hidden" name="id" value=close_id />
                    <button class="button button-secondary" type="submit">"Close the conversation"</button>
                </ActionForm>
            </div>
        })}
    }
}
