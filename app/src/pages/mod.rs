//! One module per page; each page component ends in `Page`.

mod check_nhs_number_page;
mod find_patient_page;
mod home_page;
mod not_found_page;
mod patient_record_page;
mod record_access_page;
mod service_problem;
mod sign_in_page;
mod signed_out_page;

pub use check_nhs_number_page::CheckNhsNumberPage;
pub use find_patient_page::FindPatientPage;
pub use home_page::HomePage;
pub use not_found_page::NotFoundPage;
pub use patient_record_page::PatientRecordPage;
pub use record_access_page::RecordAccessPage;
pub use service_problem::ServiceProblem;
pub use sign_in_page::SignInPage;
pub use signed_out_page::SignedOutPage;
