//! Book an appointment, step 1: "What kind of appointment do you need?" (`/book`).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    appointments::get_booking_options,
    components::{BackLink, ServiceQuestion, patient_page},
};

#[component]
pub fn ChooseServicePage() -> impl IntoView {
    let options = Resource::new(|| (), |_| get_booking_options(None, None));
    view! {
        <BackLink href="/appointments" label="Your appointments" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                patient_page(options.await, BOOKING, BOOK_ONLINE, "/book", |options| view! {
                    <Title text="Choose the kind of appointment – Book an appointment" />
                    <ServiceQuestion services=options.services error=None />
                }.into_any())
            })}
        </Suspense>
    }
}

/// The title of the booking pages' explanations, and what a patient below P9 cannot do yet.
pub(super) const BOOKING: &str = "Book an appointment";
pub(super) const BOOK_ONLINE: &str = "book appointments online";
