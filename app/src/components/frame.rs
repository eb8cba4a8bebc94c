//! The page frame: skip link, header, footer and the back link.

use leptos::prelude::*;

use crate::SERVICE_NAME;

/// The first focusable element: jumps keyboard and screen-reader users past the header.
#[component]
pub fn SkipLink() -> impl IntoView {
    view! {
        // rel="external" leaves the jump to the browser, which moves focus to <main>; the Leptos
        // router would only scroll, leaving keyboard focus behind.
        <a class="skip-link" href="#maincontent" rel="external">
            "Skip to main content"
        </a>
    }
}

#[component]
pub fn Header() -> impl IntoView {
    view! {
        <header class="bg-nhs-blue text-white" role="banner">
            <div class="page-width flex flex-wrap items-center justify-between gap-x-6 gap-y-2 py-3">
                <a class="header-link text-2xl font-bold" href="/" aria-label=format!("{SERVICE_NAME} homepage")>
                    {SERVICE_NAME}
                </a>
                <nav aria-label="Main">
                    <ul class="flex flex-wrap gap-x-6 gap-y-1">
                        <li>
                            <a class="header-link" href="/">
                                "Home"
                            </a>
                        </li>
                        <li>
                            <a class="header-link" href="/check-an-nhs-number">
                                "Check an NHS number"
                            </a>
                        </li>
                    </ul>
                </nav>
            </div>
        </header>
    }
}

#[component]
pub fn Footer() -> impl IntoView {
    view! {
        <footer class="mt-12 border-t-4 border-nhs-blue bg-nhs-grey-4" role="contentinfo">
            <div class="page-width py-8 text-base text-nhs-secondary-text">
                <p>
                    {SERVICE_NAME}
                    " is open-source software for GP practices, built on open standards (HL7 FHIR R4, OpenID Connect)."
                </p>
                <p class="mt-2">"Every person and record in this demonstration is synthetic."</p>
            </div>
        </footer>
    }
}

/// The NHS.UK back link: a plain link, so it works without JavaScript.
#[component]
pub fn BackLink(href: &'static str, #[prop(into)] label: String) -> impl IntoView {
    view! {
        <div class="mb-6">
            <a class="back-link" href=href>
                {label}
            </a>
        </div>
    }
}
