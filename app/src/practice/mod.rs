//! The practice's public details, as the browser receives them.

mod get_practice_summary;

pub use get_practice_summary::{GetPracticeSummary, get_practice_summary};
use serde::{Deserialize, Serialize};

/// What a visitor may see about the practice before signing in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PracticeDto {
    pub name: String,
    pub ods_code: String,
    pub address_lines: Vec<String>,
    pub phone: Option<String>,
    pub services: Vec<ServiceDto>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceDto {
    pub name: String,
    pub description: String,
}

#[cfg(feature = "ssr")]
impl From<backend::practice::PracticeSummary> for PracticeDto {
    fn from(summary: backend::practice::PracticeSummary) -> Self {
        Self {
            name: summary.name,
            ods_code: summary.ods_code,
            address_lines: summary.address_lines,
            phone: summary.phone,
            services: summary
                .services
                .into_iter()
                .map(|s| ServiceDto {
                    name: s.name,
                    description: s.description,
                })
                .collect(),
        }
    }
}
