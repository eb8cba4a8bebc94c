//! A list of record entries, as the patient's and the clinician's record pages both show them.

use leptos::prelude::*;

use crate::patients::EntryDto;

/// Entries of a record (allergies, problems, medicines): what each is, and the detail beside it;
/// `empty` says what no entry means.
#[component]
pub fn RecordEntries(entries: Vec<EntryDto>, empty: &'static str) -> impl IntoView {
    if entries.is_empty() {
        return view! { <p>{empty}</p> }.into_any();
    }
    view! {
        <ul class="record-list">
            {entries
                .into_iter()
                .map(|entry| view! {
                    <li>
                        <strong>{entry.text}</strong>
                        {entry.detail.map(|detail| view! { <span class="block">{detail}</span> })}
                    </li>
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}
