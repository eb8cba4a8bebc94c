//! The resource types this service stores and serves, parsed once from a URL or a body.

use std::{fmt, str::FromStr};

macro_rules! resource_types {
    ($($name:ident),* $(,)?) => {
        /// A FHIR R4 resource type the service supports.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum ResourceType { $($name),* }

        impl ResourceType {
            /// Every supported type, in alphabetical order (as the CapabilityStatement lists them).
            pub const ALL: &'static [ResourceType] = &[$(ResourceType::$name),*];

            pub fn as_str(self) -> &'static str {
                match self { $(ResourceType::$name => stringify!($name)),* }
            }
        }

        impl FromStr for ResourceType {
            type Err = UnknownResourceType;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $(stringify!($name) => Ok(ResourceType::$name),)*
                    _ => Err(UnknownResourceType),
                }
            }
        }
    };
}

resource_types!(
    AllergyIntolerance,
    Appointment,
    AuditEvent,
    Communication,
    Condition,
    Consent,
    DiagnosticReport,
    DocumentReference,
    Encounter,
    HealthcareService,
    Immunization,
    Location,
    MedicationRequest,
    MedicationStatement,
    Observation,
    Organization,
    Patient,
    Practitioner,
    PractitionerRole,
    Provenance,
    RelatedPerson,
    Schedule,
    Slot,
);

/// The name is not a resource type this service supports (it may not be a FHIR type at all).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("this server does not support that resource type")]
pub struct UnknownResourceType;

impl fmt::Display for ResourceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_ones_are_refused() {
        for t in ResourceType::ALL {
            assert_eq!(t.as_str().parse::<ResourceType>(), Ok(*t));
        }
        assert_eq!(ResourceType::ALL.len(), 23);
        assert_eq!("patient".parse::<ResourceType>(), Err(UnknownResourceType));
        assert_eq!(
            "Medication".parse::<ResourceType>(),
            Err(UnknownResourceType)
        );
    }

    #[test]
    fn all_is_sorted_for_a_stable_capability_statement() {
        assert!(
            ResourceType::ALL
                .windows(2)
                .all(|w| w[0].as_str() < w[1].as_str())
        );
    }
}
