//! What a practice administrator enters about the practice's services (the kinds of
//! appointment patients choose from) and its places (where they are seen): each form parsed once,
//! every problem named with the field it belongs to, so the form can say all of them at once.

use std::fmt;

/// The longest name a service or a place may have: it is one line on a phone.
pub const MAX_NAME: usize = 80;
/// The longest description of a service, or directions to a place.
pub const MAX_TEXT: usize = 500;
/// The longest online-cancellation cut-off: a week.
pub const MAX_CUTOFF_HOURS: i64 = 168;

/// A problem with what was entered, and the form field it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetupProblem {
    pub field: &'static str,
    pub message: String,
}

impl SetupProblem {
    fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

impl fmt::Display for SetupProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// A bookable service as the administrator describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceDetails {
    pub name: String,
    /// What it is for, shown to patients choosing one.
    pub description: String,
    /// Patients may cancel online until this many hours before the start.
    pub cancellation_cutoff_hours: i64,
    /// Offered to patients (and to the diaries); a withdrawn service keeps its history.
    pub offered: bool,
    /// `Location/…` references of the places it runs at: at least one.
    pub places: Vec<String>,
}

impl ServiceDetails {
    /// Parses the service form; every problem at once.
    pub fn parse(
        name: &str,
        description: &str,
        cutoff_hours: &str,
        offered: bool,
        places: Vec<String>,
    ) -> Result<Self, Vec<SetupProblem>> {
        let mut problems = Vec::new();
        let name = required_line(
            &mut problems,
            "name",
            "Enter a name for the service",
            "The name",
            name,
        );
        let description = tidy(description);
        if description.is_empty() {
            problems.push(SetupProblem::new(
                "description",
                "Enter what the service is for, as patients choosing it will read it",
            ));
        } else if description.chars().count() > MAX_TEXT {
            problems.push(SetupProblem::new(
                "description",
                format!("The description must be {MAX_TEXT} characters or fewer"),
            ));
        }
        let cancellation_cutoff_hours = match cutoff_hours.trim().parse::<i64>() {
            Ok(hours) if (0..=MAX_CUTOFF_HOURS).contains(&hours) => hours,
            Ok(_) => {
                problems.push(SetupProblem::new(
                    "cutoff",
                    format!("The cut-off must be between 0 and {MAX_CUTOFF_HOURS} hours"),
                ));
                0
            }
            Err(_) => {
                problems.push(SetupProblem::new(
                    "cutoff",
                    "Enter the cut-off as a whole number of hours, for example 2",
                ));
                0
            }
        };
        let mut places: Vec<String> = places
            .into_iter()
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty())
            .collect();
        places.dedup();
        if places.is_empty() {
            problems.push(SetupProblem::new(
                "places",
                "Select at least one place where the service runs",
            ));
        }
        if problems.is_empty() {
            Ok(Self {
                name,
                description,
                cancellation_cutoff_hours,
                offered,
                places,
            })
        } else {
            Err(problems)
        }
    }
}

/// A place patients are seen at, as the administrator describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaceDetails {
    pub name: String,
    /// One or two lines before the town.
    pub address_lines: Vec<String>,
    pub town: String,
    pub postcode: Postcode,
    pub phone: PhoneNumber,
    /// How to get there and in: entrances, step-free access, buses, parking.
    pub directions: String,
    /// Open to patients; a closed place stays in the history of appointments held there.
    pub open: bool,
}

impl PlaceDetails {
    /// Parses the place form; every problem at once.
    #[allow(clippy::too_many_arguments)] // One per form field.
    pub fn parse(
        name: &str,
        line1: &str,
        line2: &str,
        town: &str,
        postcode: &str,
        phone: &str,
        directions: &str,
        open: bool,
    ) -> Result<Self, Vec<SetupProblem>> {
        let mut problems = Vec::new();
        let name = required_line(
            &mut problems,
            "name",
            "Enter a name for the place",
            "The name",
            name,
        );
        let line1 = required_line(
            &mut problems,
            "line1",
            "Enter the first line of the address",
            "The first line of the address",
            line1,
        );
        let line2 = tidy(line2);
        let town = required_line(
            &mut problems,
            "town",
            "Enter the town or city",
            "The town or city",
            town,
        );
        let postcode = Postcode::parse(postcode)
            .map_err(|message| problems.push(SetupProblem::new("postcode", message)))
            .ok();
        let phone = PhoneNumber::parse(phone)
            .map_err(|message| problems.push(SetupProblem::new("phone", message)))
            .ok();
        let directions = tidy(directions);
        if directions.chars().count() > MAX_TEXT {
            problems.push(SetupProblem::new(
                "directions",
                format!("Directions must be {MAX_TEXT} characters or fewer"),
            ));
        }
        match (postcode, phone) {
            (Some(postcode), Some(phone)) if problems.is_empty() => Ok(Self {
                name,
                address_lines: [line1, line2]
                    .into_iter()
                    .filter(|l| !l.is_empty())
                    .collect(),
                town,
                postcode,
                phone,
                directions,
                open,
            }),
            _ => Err(problems),
        }
    }
}

/// A UK postcode, upper case with one space before the inward code ("LS6 2AB").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Postcode(String);

impl Postcode {
    pub fn parse(text: &str) -> Result<Self, &'static str> {
        let compact: String = text
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if compact.is_empty() {
            return Err("Enter the postcode");
        }
        let valid = compact.is_ascii() && (5..=7).contains(&compact.len()) && {
            let (outward, inward) = compact.split_at(compact.len() - 3);
            let inward = inward.as_bytes();
            let outward = outward.as_bytes();
            // Inward: a digit then two letters. Outward: one or two letters, then a digit, then
            // an optional digit or letter ("M1", "B33", "CR2", "DN55", "W1A", "EC1A").
            inward[0].is_ascii_digit()
                && inward[1..].iter().all(u8::is_ascii_alphabetic)
                && outward[0].is_ascii_alphabetic()
                && {
                    let letters = outward
                        .iter()
                        .take_while(|c| c.is_ascii_alphabetic())
                        .count();
                    let rest = &outward[letters..];
                    letters <= 2
                        && !rest.is_empty()
                        && rest.len() <= 2
                        && rest[0].is_ascii_digit()
                        && rest[1..].iter().all(u8::is_ascii_alphanumeric)
                }
        };
        if !valid {
            return Err("Enter a real postcode, like LS6 2AB");
        }
        let (outward, inward) = compact.split_at(compact.len() - 3);
        Ok(Self(format!("{outward} {inward}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A UK phone number as people write it ("0113 496 0000"): 10 or 11 digits starting with 0, or
/// the same after +44. Kept as written, spacing tidied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    pub fn parse(text: &str) -> Result<Self, &'static str> {
        let written = tidy(text);
        if written.is_empty() {
            return Err("Enter the phone number patients should call");
        }
        let national = match written.strip_prefix("+44") {
            Some(rest) => format!("0{}", rest.trim_start().trim_start_matches("(0)")),
            None => written.clone(),
        };
        let digits: String = national
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '(' | ')'))
            .collect();
        let valid = digits.starts_with('0')
            && (10..=11).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit());
        if valid {
            Ok(Self(written))
        } else {
            Err("Enter a UK phone number, like 0113 496 0000")
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The code a new service is known by (in its FHIR type coding and in the booking pages'
/// addresses): its name in lower case, words joined by hyphens, made unique among `taken`.
pub fn service_code(name: &str, taken: &[&str]) -> String {
    let mut base = String::new();
    for word in name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if base.len() + word.len() >= 40 {
            break;
        }
        if !base.is_empty() {
            base.push('-');
        }
        base.push_str(&word.to_ascii_lowercase());
    }
    if base.is_empty() {
        base.push_str("service");
    }
    let mut code = base.clone();
    let mut n = 2;
    while taken.contains(&code.as_str()) {
        code = format!("{base}-{n}");
        n += 1;
    }
    code
}

/// Whitespace runs to one space, ends trimmed.
fn tidy(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A one-line field that must be filled in: `missing` says so when it is not, and `called`
/// names it when it is too long.
fn required_line(
    problems: &mut Vec<SetupProblem>,
    field: &'static str,
    missing: &str,
    called: &str,
    text: &str,
) -> String {
    let line = tidy(text);
    if line.is_empty() {
        problems.push(SetupProblem::new(field, missing));
    } else if line.chars().count() > MAX_NAME {
        problems.push(SetupProblem::new(
            field,
            format!("{called} must be {MAX_NAME} characters or fewer"),
        ));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(problems: &[SetupProblem]) -> Vec<&str> {
        problems.iter().map(|p| p.field).collect()
    }

    #[test]
    fn a_service_needs_a_name_a_description_a_cutoff_in_hours_and_a_place() {
        let problems = ServiceDetails::parse(" ", "", "two", true, vec![]).unwrap_err();
        assert_eq!(
            fields(&problems),
            ["name", "description", "cutoff", "places"]
        );
        assert_eq!(problems[0].message, "Enter a name for the service");
        let problems =
            ServiceDetails::parse("Physio", "Backs", "169", true, vec!["Location/a".into()])
                .unwrap_err();
        assert_eq!(
            problems[0].message,
            "The cut-off must be between 0 and 168 hours"
        );
    }

    #[test]
    fn a_service_is_tidied() {
        let service = ServiceDetails::parse(
            "  Physiotherapy   assessment ",
            "Backs,\n knees and shoulders",
            " 24 ",
            false,
            vec!["Location/a".into(), "Location/a".into(), " ".into()],
        )
        .unwrap();
        assert_eq!(service.name, "Physiotherapy assessment");
        assert_eq!(service.description, "Backs, knees and shoulders");
        assert_eq!(service.cancellation_cutoff_hours, 24);
        assert!(!service.offered);
        assert_eq!(service.places, ["Location/a"]);
    }

    #[test]
    fn names_have_a_length_limit() {
        let long = "x".repeat(MAX_NAME + 1);
        let problems = ServiceDetails::parse(&long, "x", "1", true, vec!["L".into()]).unwrap_err();
        assert_eq!(
            problems[0].message,
            "The name must be 80 characters or fewer"
        );
    }

    #[test]
    fn a_place_needs_an_address_a_postcode_and_a_phone_number() {
        let problems = PlaceDetails::parse("", "", "", "", "LS6", "123", "", true).unwrap_err();
        assert_eq!(
            fields(&problems),
            ["name", "line1", "town", "postcode", "phone"]
        );
        assert_eq!(problems[3].message, "Enter a real postcode, like LS6 2AB");
        let place = PlaceDetails::parse(
            "Branch surgery",
            "2 Kirkstall Road",
            "",
            "Leeds",
            "ls42bb",
            "+44 (0)113 496 0123",
            "Ramp at the side door",
            true,
        )
        .unwrap();
        assert_eq!(place.address_lines, ["2 Kirkstall Road"]);
        assert_eq!(place.postcode.as_str(), "LS4 2BB");
        assert_eq!(place.phone.as_str(), "+44 (0)113 496 0123");
    }

    #[test]
    fn postcodes_take_every_uk_shape() {
        for (entered, stored) in [
            ("M1 1AE", "M1 1AE"),
            ("b338th", "B33 8TH"),
            ("CR2 6XH", "CR2 6XH"),
            ("DN55 1PT", "DN55 1PT"),
            ("W1A 0AX", "W1A 0AX"),
            ("ec1a 1bb", "EC1A 1BB"),
        ] {
            assert_eq!(Postcode::parse(entered).unwrap().as_str(), stored);
        }
        for wrong in [
            "", "LS6", "1S6 2AB", "LS6 AAB", "LS6 2A1", "ABC1 2AB", "LS6 2ÅB",
        ] {
            assert!(Postcode::parse(wrong).is_err(), "{wrong}");
        }
    }

    #[test]
    fn phone_numbers_are_uk_numbers() {
        for good in [
            "0113 496 0000",
            "01134960000",
            "020 7946 0000",
            "+44 20 7946 0000",
        ] {
            assert!(PhoneNumber::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "496 0000",
            "0113 496 00000 1",
            "0113 ABC 0000",
            "+1 202 555 0100",
        ] {
            assert!(PhoneNumber::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_new_service_code_comes_from_its_name_and_is_unique() {
        assert_eq!(service_code("Physiotherapy", &[]), "physiotherapy");
        assert_eq!(service_code("Flu & COVID jabs!", &[]), "flu-covid-jabs");
        assert_eq!(service_code("GP", &["gp", "gp-2"]), "gp-3");
        assert_eq!(service_code("—", &[]), "service");
    }
}
