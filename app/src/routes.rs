//! The route table and the page frame every route shares.
//!
//! Every route renders with `SsrMode::Async`: the server waits for the data and sends the whole
//! page, since out-of-order streaming would leave `<Suspense>` content invisible until scripts
//! run, and every page must work without JavaScript.

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
        ActingForPage, AddToRecordPage, AppointmentBookedPage, AppointmentCancelledPage,
        BlockTimePage, CancelAppointmentPage, CheckBookingPage, CheckNhsNumberPage, ChooseDayPage,
        ChooseServicePage, ChooseTimePage, ClinicPage, ConversationPage, DecidePrescriptionPage,
        DiariesPage, EmailChoicesPage, FailingEmailsPage, FindPatientPage, HomePage,
        InboxConversationPage, InboxPage, MyAppointmentsPage, MyMessagesPage, MyRecordPage,
        NewMessagePage, NotFoundPage, OpenTimesPage, PatientRecordPage, PlaceFormPage,
        PracticeCancelPage, PracticeCancelledPage, PracticeSetupPage, PrescriptionRequestsPage,
        RecordAccessPage, RecordVitalSignsPage, RepeatPrescriptionsPage, ServiceFormPage,
        SignInPage, SignedOutPage, TimeBlockedPage, TimeUnavailablePage, WriteToPatientPage,
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
                // `tabindex=-1` lets the skip link move focus here.
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
                        <Route path=StaticSegment("your-record") view=MyRecordPage ssr=SsrMode::Async />
                        <Route path=StaticSegment("acting-for") view=ActingForPage ssr=SsrMode::Async />
                        <Route
                            path=(StaticSegment("your-record"), StaticSegment("who-has-looked"))
                            view=RecordAccessPage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=StaticSegment("appointments")
                            view=MyAppointmentsPage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=(StaticSegment("appointments"), ParamSegment("id"), StaticSegment("booked"))
                            view=AppointmentBookedPage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=(StaticSegment("appointments"), ParamSegment("id"), StaticSegment("cancel"))
                            view=CancelAppointmentPage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=(StaticSegment("appointments"), ParamSegment("id"), StaticSegment("cancelled"))
                            view=AppointmentCancelledPage
                            ssr=SsrMode::Async
                        />
                        <Route path=StaticSegment("book") view=ChooseServicePage ssr=SsrMode::Async />
                        <Route
                            path=(StaticSegment("book"), StaticSegment("day"))
                            view=ChooseDayPage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=(StaticSegment("book"), StaticSegment("time"))
                            view=ChooseTimePage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=(StaticSegment("book"), StaticSegment("check"))
                            view=CheckBookingPage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=(StaticSegment("book"), StaticSegment("unavailable"))
                            view=TimeUnavailablePage
                            ssr=SsrMode::Async
                        />
                        <Route path=StaticSegment("clinic") view=ClinicPage ssr=SsrMode::Async />
                        <Route
                            path=(StaticSegment("clinic"), StaticSegment("appointments"), ParamSegment("id"), StaticSegment("cancel"))
                            view=PracticeCancelPage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=(StaticSegment("clinic"), StaticSegment("appointments"), ParamSegment("id"), StaticSegment("cancelled"))
                            view=PracticeCancelledPage
                            ssr=SsrMode::Async
                        />
                        <Route path=StaticSegment("messages") view=MyMessagesPage ssr=SsrMode::Async />
                        <Route
                            path=(StaticSegment("messages"), StaticSegment("new"))
                            view=NewMessagePage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=(StaticSegment("messages"), ParamSegment("id"))
                            view=ConversationPage
                            ssr=SsrMode::Async
                        />
                        <Route path=StaticSegment("prescriptions") view=RepeatPrescriptionsPage ssr=SsrMode::Async />
                        <Route
                            path=(StaticSegment("prescriptions"), StaticSegment("requests"))
                            view=PrescriptionRequestsPage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=(StaticSegment("prescriptions"), StaticSegment("requests"), ParamSegment("id"))
                            view=DecidePrescriptionPage
                            ssr=SsrMode::Async
                        />
                        <Route path=StaticSegment("inbox") view=InboxPage ssr=SsrMode::Async />
                        <Route
                            path=(StaticSegment("inbox"), ParamSegment("id"))
                            view=InboxConversationPage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=(StaticSegment("settings"), StaticSegment("emails"))
                            view=EmailChoicesPage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=(StaticSegment("practice"), StaticSegment("emails"))
                            view=FailingEmailsPage
                            ssr=SsrMode::Async
                        />
                        <Route path=StaticSegment("availability") view=DiariesPage ssr=SsrMode::Async />
                        <Route path=StaticSegment("practice") view=PracticeSetupPage ssr=SsrMode::Async />
                        <Route
                            path=(StaticSegment("practice"), StaticSegment("services"), ParamSegment("id"))
                            view=ServiceFormPage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=(StaticSegment("practice"), StaticSegment("places"), ParamSegment("id"))
                            view=PlaceFormPage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=(StaticSegment("availability"), StaticSegment("open"))
                            view=OpenTimesPage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=(StaticSegment("availability"), StaticSegment("block"))
                            view=BlockTimePage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=(StaticSegment("availability"), StaticSegment("blocked"))
                            view=TimeBlockedPage
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
                        <Route
                            path=(StaticSegment("patients"), ParamSegment("id"), StaticSegment("add"), ParamSegment("kind"))
                            view=AddToRecordPage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=(StaticSegment("patients"), ParamSegment("id"), StaticSegment("message"))
                            view=WriteToPatientPage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=(StaticSegment("patients"), ParamSegment("id"), StaticSegment("vital-signs"))
                            view=RecordVitalSignsPage
                            ssr=SsrMode::Async
                        />
                    </Routes>
                </main>
            </div>
            <Footer />
        </Router>
    }
}
