//! One module per page; each page component ends in `Page`.

mod appointment_booked_page;
mod appointment_cancelled_page;
mod cancel_appointment_page;
mod check_booking_page;
mod check_nhs_number_page;
mod choose_day_page;
mod choose_service_page;
mod choose_time_page;
mod find_patient_page;
mod home_page;
mod my_appointments_page;
mod not_found_page;
mod patient_record_page;
mod record_access_page;
mod service_problem;
mod sign_in_page;
mod signed_out_page;
mod time_unavailable_page;

pub use appointment_booked_page::AppointmentBookedPage;
pub use appointment_cancelled_page::AppointmentCancelledPage;
pub use cancel_appointment_page::CancelAppointmentPage;
pub use check_booking_page::CheckBookingPage;
pub use check_nhs_number_page::CheckNhsNumberPage;
pub use choose_day_page::ChooseDayPage;
pub use choose_service_page::ChooseServicePage;
pub use choose_time_page::ChooseTimePage;
pub use find_patient_page::FindPatientPage;
pub use home_page::HomePage;
pub use my_appointments_page::MyAppointmentsPage;
pub use not_found_page::NotFoundPage;
pub use patient_record_page::PatientRecordPage;
pub use record_access_page::RecordAccessPage;
pub use service_problem::ServiceProblem;
pub use sign_in_page::SignInPage;
pub use signed_out_page::SignedOutPage;
pub use time_unavailable_page::TimeUnavailablePage;
