//! "Emails that could not be sent" (`/practice/emails`): for the practice's office, the emails
//! the mail server kept refusing, whose they were and what it answered, each with a button to
//! send it again once the address has been checked with the patient.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    components::{BackLink, FailureSummary, Heading, ScrollingTable, ServiceProblem, failure},
    error::AppError,
    notifications::{FailingEmailDto, SendEmailAgain, get_failing_emails},
};

const TITLE: &str = "Emails that could not be sent";

#[component]
pub fn FailingEmailsPage() -> impl IntoView {
    let query = use_query_map();
    let sent = move || query.read().get("sent").is_some();
    let action = ServerAction::<SendEmailAgain>::new();
    // Read again after each "Send again" (nothing is typed here to lose).
    let failing = Resource::new(
        move || (sent(), action.version().get()),
        |_| get_failing_emails(),
    );
    view! {
        <Title text=TITLE />
        <BackLink href="/practice" label="Services and places" />
        {move || sent().then(|| view! {
            <div class="panel-confirmation" role="status">
                <h2 class="mt-0">"The email will be sent again"</h2>
                <p class="mb-0">"If the mail server refuses it again, it comes back to this list."</p>
            </div>
        })}
        <h1>{TITLE}</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match failing.await {
                    Ok(emails) => view! { <Failing emails action /> }.into_any(),
                    Err(AppError::SignInRequired) => view! {
                        <p>"You need to sign in to see the practice's emails."</p>
                        <p><a class="button" href="/sign-in">"Sign in"</a></p>
                    }.into_any(),
                    Err(AppError::NotAllowed) => view! {
                        <p>"Only the practice's administrators can see the emails that could not be sent."</p>
                    }.into_any(),
                    Err(error) => view! { <ServiceProblem error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Failing(emails: Vec<FailingEmailDto>, action: ServerAction<SendEmailAgain>) -> impl IntoView {
    if emails.is_empty() {
        return view! { <p>"Every email has been sent. None is waiting for you to check."</p> }
            .into_any();
    }
    let failed = failure(action.value());
    view! {
        <p>"The mail server refused these emails after every try, often because the address is wrong or the mailbox is full. Check the patient's email address with them, then send the email again."</p>
        {move || failed.get().map(|message| view! {
            <FailureSummary message />
        })}
        <ScrollingTable
            caption="Emails that could not be sent"
            caption_hidden=true
            headings=&[
                Heading::Text("Patient"),
                Heading::Text("Email"),
                Heading::Text("Given up"),
                Heading::Text("What the mail server said"),
                Heading::Action,
            ]
        >
            {emails
                .into_iter()
                .map(|email| view! {
                    <tr>
                        <th scope="row">
                            {email.patient_name.clone()}
                            {email.nhs_number.map(|n| view! { <span class="block whitespace-nowrap">"NHS number "{n}</span> })}
                        </th>
                        <td>{email.what.clone()}</td>
                        <td>{email.failed_at}{format!(", after {} tries", email.attempts)}</td>
                        <td>{email.failure}</td>
                        <td>
                            <ActionForm action>
                                <input type="hidden" name="id" value=email.id />
                                <button class="button button-secondary mb-0" type="submit">
                                    "Send again"<span class="sr-only">{format!(": {} to {}", email.what, email.patient_name)}</span>
                                </button>
                            </ActionForm>
                        </td>
                    </tr>
                })
                .collect_view()}
        </ScrollingTable>
    }
    .into_any()
}
