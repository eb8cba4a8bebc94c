//! One module per page; each page component ends in `Page`.

mod check_nhs_number_page;
mod home_page;
mod not_found_page;
mod service_problem;

pub use check_nhs_number_page::CheckNhsNumberPage;
pub use home_page::HomePage;
pub use not_found_page::NotFoundPage;
pub use service_problem::ServiceProblem;
