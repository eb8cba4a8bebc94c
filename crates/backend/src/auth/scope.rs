//! SMART on FHIR v2 system scopes (`system/Patient.rs`, `system/*.cruds`) and the rule of which
//! FHIR interaction each one permits. Pure: parsed once at the token endpoint, checked per request.

use std::{fmt, str::FromStr};

use fhir::ResourceType;

/// What a request does to a resource type, in SMART v2's terms (`c r u d s`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interaction {
    Create,
    /// read and vread, and instance history.
    Read,
    Update,
    Delete,
    /// search and type history.
    Search,
}

impl Interaction {
    const ALL: [Self; 5] = [
        Self::Create,
        Self::Read,
        Self::Update,
        Self::Delete,
        Self::Search,
    ];

    fn letter(self) -> char {
        match self {
            Self::Create => 'c',
            Self::Read => 'r',
            Self::Update => 'u',
            Self::Delete => 'd',
            Self::Search => 's',
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// One `system/<Type or *>.<permissions>` scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SystemScope {
    /// `None` is `*`: every type.
    resource_type: Option<ResourceType>,
    permissions: u8,
}

impl SystemScope {
    fn permits(self, resource_type: ResourceType, interaction: Interaction) -> bool {
        self.resource_type.is_none_or(|t| t == resource_type)
            && self.permissions & interaction.bit() != 0
    }

    /// This scope cut down to what `allowed` grants; `None` when nothing is left.
    fn within(self, allowed: &Scopes) -> Option<Self> {
        let permissions = allowed
            .0
            .iter()
            .filter(|a| a.resource_type.is_none() || a.resource_type == self.resource_type)
            .fold(0, |bits, a| bits | a.permissions)
            & self.permissions;
        (permissions != 0).then_some(Self {
            resource_type: self.resource_type,
            permissions,
        })
    }
}

impl fmt::Display for SystemScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let resource = self.resource_type.map_or("*", ResourceType::as_str);
        write!(f, "system/{resource}.")?;
        for interaction in Interaction::ALL {
            if self.permissions & interaction.bit() != 0 {
                write!(f, "{}", interaction.letter())?;
            }
        }
        Ok(())
    }
}

/// A scope string the server does not grant; the text says which part.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a scope this server grants (expected e.g. system/Patient.rs)")]
pub struct ScopeError(String);

impl FromStr for SystemScope {
    type Err = ScopeError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let error = || ScopeError(text.to_owned());
        let (resource, permissions) = text
            .strip_prefix("system/")
            .and_then(|rest| rest.split_once('.'))
            .ok_or_else(error)?;
        let resource_type = match resource {
            "*" => None,
            name => Some(name.parse::<ResourceType>().map_err(|_| error())?),
        };
        let permissions = match permissions {
            // SMART v1 names, which v2 servers still accept.
            "read" => Interaction::Read.bit() | Interaction::Search.bit(),
            "write" => {
                Interaction::Create.bit() | Interaction::Update.bit() | Interaction::Delete.bit()
            }
            "*" => Interaction::ALL.iter().fold(0, |bits, i| bits | i.bit()),
            letters => parse_letters(letters).ok_or_else(error)?,
        };
        Ok(Self {
            resource_type,
            permissions,
        })
    }
}

/// `cruds` letters, each at most once and in that order, as SMART v2 requires.
fn parse_letters(letters: &str) -> Option<u8> {
    let mut rest = letters;
    let mut bits = 0;
    for interaction in Interaction::ALL {
        if let Some(after) = rest.strip_prefix(interaction.letter()) {
            bits |= interaction.bit();
            rest = after;
        }
    }
    (rest.is_empty() && bits != 0).then_some(bits)
}

/// A set of scopes, as a token carries them or a client is registered with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scopes(Vec<SystemScope>);

impl Scopes {
    pub fn permits(&self, resource_type: ResourceType, interaction: Interaction) -> bool {
        self.0.iter().any(|s| s.permits(resource_type, interaction))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// What of `self` (a request) `allowed` (a client's registration) grants: each scope cut down
    /// to the permissions allowed for its type, those with nothing left dropped.
    pub fn granted_by(&self, allowed: &Scopes) -> Scopes {
        Scopes(self.0.iter().filter_map(|s| s.within(allowed)).collect())
    }
}

impl FromStr for Scopes {
    type Err = ScopeError;

    /// A space-separated list; an unknown scope is an error (never silently widened or ignored).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        text.split_ascii_whitespace()
            .map(str::parse)
            .collect::<Result<_, _>>()
            .map(Scopes)
    }
}

impl fmt::Display for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, scope) in self.0.iter().enumerate() {
            if index > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{scope}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{Interaction::*, *};
    use ResourceType::{Appointment, Observation, Patient};

    fn scopes(text: &str) -> Scopes {
        text.parse().unwrap()
    }

    #[test]
    fn a_type_scope_permits_exactly_its_letters_on_its_type() {
        let read_search = scopes("system/Patient.rs");
        assert!(read_search.permits(Patient, Read));
        assert!(read_search.permits(Patient, Search));
        assert!(!read_search.permits(Patient, Create));
        assert!(!read_search.permits(Patient, Update));
        assert!(!read_search.permits(Patient, Delete));
        assert!(!read_search.permits(Observation, Read));
    }

    #[test]
    fn a_wildcard_scope_covers_every_type() {
        let everything = scopes("system/*.cruds");
        for resource_type in ResourceType::ALL {
            for interaction in Interaction::ALL {
                assert!(everything.permits(*resource_type, interaction));
            }
        }
    }

    #[test]
    fn v1_names_map_to_their_v2_letters() {
        assert_eq!(
            scopes("system/Patient.read").to_string(),
            "system/Patient.rs"
        );
        assert_eq!(
            scopes("system/Patient.write").to_string(),
            "system/Patient.cud"
        );
        assert_eq!(scopes("system/*.*").to_string(), "system/*.cruds");
    }

    #[test]
    fn malformed_or_unknown_scopes_are_refused() {
        for text in [
            "patient/Patient.rs",
            "system/Patient",
            "system/Patient.sr",
            "system/Patient.rr",
            "system/Patient.x",
            "system/Patient.",
            "system/Nonsense.rs",
            "openid",
        ] {
            assert!(text.parse::<Scopes>().is_err(), "{text} was accepted");
        }
    }

    #[test]
    fn a_request_is_granted_only_what_the_client_is_allowed() {
        let allowed = scopes("system/Patient.rs system/Appointment.cruds");
        let granted = scopes("system/*.cruds system/Observation.r").granted_by(&allowed);
        // `*` is not narrowed into per-type scopes: what no single allowed scope covers for every
        // type is dropped.
        assert!(granted.is_empty(), "{granted}");
        let granted = scopes("system/Patient.cruds system/Appointment.rs").granted_by(&allowed);
        assert_eq!(
            granted.to_string(),
            "system/Patient.rs system/Appointment.rs"
        );
        assert!(!granted.permits(Patient, Create));
        assert!(granted.permits(Appointment, Search));
    }

    #[test]
    fn a_wildcard_registration_grants_any_narrower_request() {
        let allowed = scopes("system/*.cruds");
        let granted = scopes("system/Patient.r system/*.s").granted_by(&allowed);
        assert_eq!(granted.to_string(), "system/Patient.r system/*.s");
    }
}
