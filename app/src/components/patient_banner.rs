//! The patient banner: whose record this is (name, NHS number, date of birth and age, gender),
//! on every page of a clinician's work on one patient. It stays in view as the page scrolls.

use leptos::prelude::*;

use crate::patients::BannerDto;

#[component]
pub fn PatientBanner(banner: BannerDto) -> impl IntoView {
    let BannerDto {
        name,
        nhs_number,
        birth_date,
        age,
        gender,
    } = banner;
    let not_recorded = || "Not recorded".to_owned();
    view! {
        <section class="patient-banner" aria-label="Patient">
            <h1>{name}</h1>
            <dl>
                <div><dt>"NHS number"</dt><dd>{nhs_number.unwrap_or_else(not_recorded)}</dd></div>
                <div>
                    <dt>"Born"</dt>
                    <dd>
                        {birth_date.unwrap_or_else(not_recorded)}
                        {age.map(|age| format!(" ({age} years)"))}
                    </dd>
                </div>
                <div><dt>"Gender"</dt><dd>{gender.unwrap_or_else(not_recorded)}</dd></div>
            </dl>
        </section>
    }
}
