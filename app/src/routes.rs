//! The route table and the page frame every route shares.

use leptos::prelude::*;
use leptos_meta::{Title, provide_meta_context};
use leptos_router::{
    ParamSegment, SsrMode, StaticSegment,
    components::{Route, Router, Routes},
};

use crate::{
    SERVICE_NAME,
    components::{Footer, Header, SkipLink},
    pages::{
        CheckNhsNumberPage, FindPatientPage, HomePage, NotFoundPage, PatientRecordPage,
        RecordAccessPage, SignInPage, SignedOutPage,
    },
};

/// The application: header, one page in `<main>`, footer.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        // Every title ends with the service name, so a tab or a screen reader says where you are.
        <Title formatter=|page: String| format!("{page} – {SERVICE_NAME}") />
        <Router>
            <SkipLink />
            <Header />
            <div class="page-width">
                // `tabindex=-1` lets the skip link and client-side navigation move focus here.
                <main id="maincontent" class="main-wrapper" tabindex="-1">
                    <Routes fallback=NotFoundPage>
                        // Async: the server waits for data and sends finished HTML, which is what
                        // works without JavaScript. Out-of-order streaming would need scripts.
                        <Route path=StaticSegment("") view=HomePage ssr=SsrMode::Async />
                        <Route
                            path=StaticSegment("check-an-nhs-number")
                            view=CheckNhsNumberPage
                            ssr=SsrMode::Async
                        />
                        <Route path=StaticSegment("sign-in") view=SignInPage ssr=SsrMode::Async />
                        <Route
                            path=StaticSegment("signed-out")
                            view=SignedOutPage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=(StaticSegment("your-record"), StaticSegment("who-has-looked"))
                            view=RecordAccessPage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=StaticSegment("patients")
                            view=FindPatientPage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=(StaticSegment("patients"), ParamSegment("id"))
                            view=PatientRecordPage
                            ssr=SsrMode::Async
                        />
                    </Routes>
                </main>
            </div>
            <Footer />
        </Router>
    }
}
