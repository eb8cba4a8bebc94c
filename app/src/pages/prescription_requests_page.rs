//! "Prescription requests" (`/prescriptions/requests`): the repeat medicines the practice's
//! patients asked for, oldest first, each linking to its decision. For the practice's
//! clinicians; once one is decided, the page says which way.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    components::{Heading, ScrollingTable, StaffPageRefusal},
    prescriptions::{PrescriptionRequestDto, get_prescription_requests},
};

const TITLE: &str = "Prescription requests";

#[component]
pub fn PrescriptionRequestsPage() -> impl IntoView {
    let query = use_query_map();
    let decided = move || query.read().get("decided");
    let waiting = Resource::new(decided, |_| get_prescription_requests());
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match waiting.await {
                    Ok(waiting) => view! { <Waiting waiting decided=decided() /> }.into_any(),
                    Err(error) => view! {
                        <StaffPageRefusal error why="Prescription requests are decided by the practice's clinicians. Patients order their repeat medicines in Repeat prescriptions." />
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Waiting(waiting: Vec<PrescriptionRequestDto>, decided: Option<String>) -> impl IntoView {
    view! {
        <Title text=TITLE />
        {decided.map(|decided| view! {
            <div class="panel-confirmation" role="status">
                <h2 class="m-0">{if decided == "approved" {
                    "The request is approved and sent to the patient's pharmacy"
                } else {
                    "The request is refused; the patient can read your reason"
                }}</h2>
            </div>
        })}
        <h1>{TITLE}</h1>
        {if waiting.is_empty() {
            view! { <p>"No requests are waiting."</p> }.into_any()
        } else {
            view! {
                <ScrollingTable
                    caption=format!("Waiting for a decision ({})", waiting.len())
                    headings=&[Heading::Text("Patient"), Heading::Text("Medicine"), Heading::Text("Requested"), Heading::Text("Pharmacy")]
                >
                    {waiting
                        .into_iter()
                        .map(|request| view! {
                            <tr>
                                <th scope="row">
                                    {request.patient_name.unwrap_or_default()}
                                    {request.nhs_number.map(|n| view! { <span class="block whitespace-nowrap font-normal">"NHS number "{n}</span> })}
                                </th>
                                <td><a href=format!("/prescriptions/requests/{}", request.id)>{request.medicine}</a></td>
                                <td><time datetime=request.datetime>{request.requested}</time></td>
                                <td>{request.pharmacy}</td>
                            </tr>
                        })
                        .collect_view()}
                </ScrollingTable>
            }
            .into_any()
        }}
    }
}
