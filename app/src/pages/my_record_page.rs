//! "Your health record" (`/your-record`): the patient's own record on their phone, allergies
//! first and unmistakable, then problems, medicines, vaccinations and test results, in plain
//! words. A carer acting for someone sees theirs ("Amina Patel's health record"); `?for=<id>`
//! asks for a given person's, refused with an explanation unless they act for them.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    components::{BackLink, RecordEntries, TestResults, patient_page},
    health_record::get_my_record,
    patients::PatientRecordDto,
};

#[component]
pub fn MyRecordPage() -> impl IntoView {
    let query = use_query_map();
    let record = Resource::new(move || query.read().get("for"), get_my_record);
    view! {
        <BackLink href="/" label="Back to home" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                patient_page(record.await, "Your health record", "see your health record online", "/your-record", |record| {
                    let title = if record.by_proxy {
                        format!("{}'s health record", record.banner.name)
                    } else {
                        "Your health record".to_owned()
                    };
                    view! {
                        <Title text=title.clone() />
                        <Record record title />
                    }.into_any()
                })
            })}
        </Suspense>
    }
}

#[component]
fn Record(record: PatientRecordDto, title: String) -> impl IntoView {
    let PatientRecordDto {
        patient_id,
        by_proxy,
        banner,
        allergies,
        problems,
        medicines,
        immunisations,
        results,
        vital_signs,
        ..
    } = record;
    view! {
        <h1>{title}</h1>
        <p class="lede">{banner.name}</p>
        <p>
            {if by_proxy {
                "This is what their GP practice has recorded about them. If something is wrong or missing, tell the practice."
            } else {
                "This is what your GP practice has recorded about you. If something is wrong or missing, tell the practice."
            }}
        </p>
        <section class="allergies" aria-labelledby="allergies-heading">
            <h2 id="allergies-heading">"Allergies"</h2>
            <RecordEntries entries=allergies empty="No allergies are recorded. If you have one, tell the practice." />
        </section>
        <section aria-labelledby="problems-heading" class="mb-8">
            <h2 id="problems-heading">"Health problems"</h2>
            <RecordEntries entries=problems empty="No current health problems are recorded." />
        </section>
        <section aria-labelledby="medicines-heading" class="mb-8">
            <h2 id="medicines-heading">"Medicines"</h2>
            <RecordEntries entries=medicines empty="No medicines are recorded." />
        </section>
        <section aria-labelledby="vaccinations-heading" class="mb-8">
            <h2 id="vaccinations-heading">"Vaccinations"</h2>
            <RecordEntries entries=immunisations empty="No vaccinations are recorded." />
        </section>
        <section aria-labelledby="results-heading" class="mb-8">
            <h2 id="results-heading">"Test results"</h2>
            <p>"A result outside the normal range is not always a problem. If it needs action, your GP practice will contact you."</p>
            <TestResults results empty="No test results are recorded." chart_prefix="results" />
        </section>
        <section aria-labelledby="measurements-heading" class="mb-8">
            <h2 id="measurements-heading">"Health measurements"</h2>
            <p>"Blood pressure, pulse, weight and other measurements taken at the practice."</p>
            <TestResults results=vital_signs empty="No measurements are recorded." chart_prefix="measurements" />
        </section>
        {if by_proxy {
            view! { <p><a href=format!("/your-record/who-has-looked?for={patient_id}")>"See who has looked at their record"</a></p> }.into_any()
        } else {
            view! { <p><a href="/your-record/who-has-looked">"See who has looked at your record"</a></p> }.into_any()
        }}
    }
}
