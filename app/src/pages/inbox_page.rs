//! "Inbox" (`/inbox?queue=…`): the practice's conversations with its patients, by queue
//! (unassigned, assigned to you, assigned to others, waiting for the patient, closed), most
//! recently changed first. For the practice's staff.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    components::{Heading, ScrollingTable, ServiceProblem},
    error::AppError,
    messages::{InboxDto, QUEUES, get_inbox},
};

#[component]
pub fn InboxPage() -> impl IntoView {
    let query = use_query_map();
    let inbox = Resource::new(move || query.read().get("queue"), get_inbox);
    view! {
        <Title text="Inbox" />
        <h1>"Inbox"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match inbox.await {
                    Ok(inbox) => view! { <Queue inbox /> }.into_any(),
                    Err(AppError::SignInRequired) => view! {
                        <p>"You need to sign in to see the practice's inbox."</p>
                        <p><a class="button" href="/sign-in">"Sign in"</a></p>
                    }.into_any(),
                    Err(AppError::NotAllowed) => view! {
                        <p>"The inbox is for the practice's staff. Patients see their messages in "<a href="/messages">"Messages"</a>"."</p>
                    }.into_any(),
                    Err(error) => view! { <ServiceProblem error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Queue(inbox: InboxDto) -> impl IntoView {
    let InboxDto {
        queue,
        conversations,
    } = inbox;
    let name = QUEUES
        .iter()
        .find(|(code, _)| *code == queue)
        .map_or("Unassigned", |(_, name)| *name);
    view! {
        <nav aria-label="Queues">
            <ul class="list-none p-0 flex flex-wrap gap-x-6">
                {QUEUES
                    .iter()
                    .map(|(code, label)| {
                        let current = *code == queue;
                        view! {
                            <li>
                                <a class="inline-block py-2" href=format!("/inbox?queue={code}") aria-current=current.then_some("page")>
                                    {if current { view! { <strong>{*label}</strong> }.into_any() } else { (*label).into_any() }}
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </nav>
        {if conversations.is_empty() {
            view! { <p>{format!("Nothing in “{name}”.")}</p> }.into_any()
        } else {
            view! {
                <ScrollingTable
                    caption=format!("{name} ({})", conversations.len())
                    headings=&[Heading::Text("Patient"), Heading::Text("Subject"), Heading::Text("About"), Heading::Text("Last changed"), Heading::Text("Assigned to")]
                >
                    {conversations
                        .into_iter()
                        .map(|c| view! {
                            <tr>
                                <th scope="row">
                                    {c.patient_name.unwrap_or_default()}
                                    {c.nhs_number.map(|n| view! { <span class="block whitespace-nowrap font-normal">"NHS number "{n}</span> })}
                                </th>
                                <td><a href=format!("/inbox/{}", c.id)>{c.subject}</a></td>
                                <td>{c.topic}</td>
                                <td><time datetime=c.datetime>{c.changed}</time></td>
                                <td>{c.owner.unwrap_or_else(|| "Nobody".to_owned())}</td>
                            </tr>
                        })
                        .collect_view()}
                </ScrollingTable>
            }
            .into_any()
        }}
    }
}
