//! "Your health record" (`/your-record`): the patient's own record on their phone, allergies
//! first and unmistakable, then problems, medicines, vaccinations and test results, in plain
//! words.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    components::{BackLink, RecordEntries, TestResults, patient_page},
    health_record::get_my_record,
    patients::PatientRecordDto,
};

#[component]
pub fn MyRecordPage() -> impl IntoView {
    let record = Resource::new(|| (), |_| get_my_record());
    view! {
        <BackLink href="/" label="Back to home" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                patient_page(record.await, "Your health record", "see your health record online", "/your-record", |record| {
                    view! {
                        <Title text="Your health record" />
                        <Record record />
                    }.into_any()
                })
            })}
        </Suspense>
    }
}

#[component]
fn Record(record: PatientRecordDto) -> impl IntoView {
    let PatientRecordDto {
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
        <h1>"Your health record"</h1>
        <p class="lede">{banner.name}</p>
        <p>
            "This is what your GP practice has recorded about you. If something is wrong or missing, tell the practice."
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
        <p><a href="/your-record/who-has-looked">"See who has looked at your record"</a></p>
    }
}
