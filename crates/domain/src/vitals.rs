//! Vital signs as a clinician enters them: each measurement parsed once, checked against the
//! range a living patient can plausibly have (a typo such as 1200 for 120 is caught, not
//! stored), and BMI worked out from weight and height.

use serde::{Deserialize, Serialize};

/// One measurement a clinician can enter, with its unit and plausible range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Vital {
    Systolic,
    Diastolic,
    Pulse,
    Temperature,
    Weight,
    Height,
}

impl Vital {
    pub const ALL: [Self; 6] = [
        Self::Systolic,
        Self::Diastolic,
        Self::Pulse,
        Self::Temperature,
        Self::Weight,
        Self::Height,
    ];

    /// The form field it is entered in.
    pub fn field(self) -> &'static str {
        match self {
            Self::Systolic => "systolic",
            Self::Diastolic => "diastolic",
            Self::Pulse => "pulse",
            Self::Temperature => "temperature",
            Self::Weight => "weight",
            Self::Height => "height",
        }
    }

    /// What it is called in an error message, starting a sentence.
    pub fn name(self) -> &'static str {
        match self {
            Self::Systolic => "Systolic blood pressure",
            Self::Diastolic => "Diastolic blood pressure",
            Self::Pulse => "Pulse",
            Self::Temperature => "Temperature",
            Self::Weight => "Weight",
            Self::Height => "Height",
        }
    }

    /// The unit it is entered in, as written after the number.
    pub fn unit(self) -> &'static str {
        match self {
            Self::Systolic | Self::Diastolic => "mmHg",
            Self::Pulse => "beats per minute",
            Self::Temperature => "°C",
            Self::Weight => "kg",
            Self::Height => "cm",
        }
    }

    /// The lowest and highest values a living patient plausibly has.
    pub fn plausible(self) -> (f64, f64) {
        match self {
            Self::Systolic => (50.0, 260.0),
            Self::Diastolic => (30.0, 160.0),
            Self::Pulse => (25.0, 250.0),
            Self::Temperature => (30.0, 44.0),
            Self::Weight => (0.5, 350.0),
            Self::Height => (30.0, 250.0),
        }
    }

    /// Decimal places it is entered to.
    pub fn decimals(self) -> u8 {
        match self {
            Self::Temperature | Self::Weight => 1,
            Self::Systolic | Self::Diastolic | Self::Pulse | Self::Height => 0,
        }
    }

    /// An example of a good entry, for the error message.
    fn example(self) -> &'static str {
        match self {
            Self::Systolic => "120",
            Self::Diastolic => "80",
            Self::Pulse => "72",
            Self::Temperature => "36.8",
            Self::Weight => "70.5",
            Self::Height => "172",
        }
    }
}

/// What was wrong with one field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VitalError {
    #[error("{} must be a number, like {}", .0.name(), .0.example())]
    NotANumber(Vital),
    #[error("{} must be a whole number, like {}", .0.name(), .0.example())]
    TooPrecise(Vital),
    #[error("{} must be between {} and {} {}", .0.name(), plausible_text(*.0).0, plausible_text(*.0).1, .0.unit())]
    Implausible(Vital),
    #[error("Enter both systolic and diastolic blood pressure, or neither")]
    HalfABloodPressure(Vital),
    #[error("Diastolic blood pressure must be lower than systolic")]
    DiastolicNotLower,
    #[error("Enter at least one measurement")]
    Nothing,
}

impl VitalError {
    /// The field the message belongs to (the error summary links there).
    pub fn field(&self) -> &'static str {
        match self {
            Self::NotANumber(vital)
            | Self::TooPrecise(vital)
            | Self::Implausible(vital)
            | Self::HalfABloodPressure(vital) => vital.field(),
            Self::DiastolicNotLower => Vital::Diastolic.field(),
            Self::Nothing => Vital::Systolic.field(),
        }
    }
}

fn plausible_text(vital: Vital) -> (String, String) {
    let (low, high) = vital.plausible();
    let decimals = usize::from(vital.decimals());
    (format!("{low:.decimals$}"), format!("{high:.decimals$}"))
}

/// A set of vital signs, each present only if entered. Valid by construction: every value is
/// plausible, blood pressure comes whole and the right way round.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct VitalSigns {
    /// (systolic, diastolic) in mmHg.
    pub blood_pressure: Option<(f64, f64)>,
    pub pulse: Option<f64>,
    pub temperature: Option<f64>,
    pub weight: Option<f64>,
    pub height: Option<f64>,
}

impl VitalSigns {
    /// Parses what was typed in each field (`entered(vital)`, empty for nothing), reporting
    /// every problem at once, in the order of the form.
    pub fn parse<'a>(entered: impl Fn(Vital) -> &'a str) -> Result<Self, Vec<VitalError>> {
        let mut problems = Vec::new();
        let mut value = |vital: Vital| match parse_one(vital, entered(vital)) {
            Ok(value) => value,
            Err(problem) => {
                problems.push(problem);
                None
            }
        };
        let systolic = value(Vital::Systolic);
        let diastolic = value(Vital::Diastolic);
        let pulse = value(Vital::Pulse);
        let temperature = value(Vital::Temperature);
        let weight = value(Vital::Weight);
        let height = value(Vital::Height);
        let typed = |vital: Vital| !entered(vital).trim().is_empty();
        let blood_pressure = match (systolic, diastolic) {
            (Some(systolic), Some(diastolic)) if diastolic >= systolic => {
                problems.push(VitalError::DiastolicNotLower);
                None
            }
            (Some(systolic), Some(diastolic)) => Some((systolic, diastolic)),
            (Some(_), None) if !typed(Vital::Diastolic) => {
                problems.push(VitalError::HalfABloodPressure(Vital::Diastolic));
                None
            }
            (None, Some(_)) if !typed(Vital::Systolic) => {
                problems.push(VitalError::HalfABloodPressure(Vital::Systolic));
                None
            }
            _ => None,
        };
        let signs = Self {
            blood_pressure,
            pulse,
            temperature,
            weight,
            height,
        };
        if problems.is_empty() && signs == Self::default() {
            problems.push(VitalError::Nothing);
        }
        problems.sort_by_key(|p| Vital::ALL.iter().position(|v| v.field() == p.field()));
        if problems.is_empty() {
            Ok(signs)
        } else {
            Err(problems)
        }
    }

    /// Body mass index (kg/m²) to one decimal place, when weight and height are both there.
    pub fn bmi(&self) -> Option<f64> {
        let (weight, height) = (self.weight?, self.height?);
        let metres = height / 100.0;
        Some((weight / (metres * metres) * 10.0).round() / 10.0)
    }
}

fn parse_one(vital: Vital, text: &str) -> Result<Option<f64>, VitalError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let value: f64 = text
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite())
        .ok_or(VitalError::NotANumber(vital))?;
    let decimals = text.split_once('.').map_or(0, |(_, d)| d.len());
    if decimals > usize::from(vital.decimals()) {
        return Err(if vital.decimals() == 0 {
            VitalError::TooPrecise(vital)
        } else {
            VitalError::NotANumber(vital)
        });
    }
    let (low, high) = vital.plausible();
    if !(low..=high).contains(&value) {
        return Err(VitalError::Implausible(vital));
    }
    Ok(Some(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(fields: &[(Vital, &'static str)]) -> Result<VitalSigns, Vec<VitalError>> {
        VitalSigns::parse(|vital| {
            fields
                .iter()
                .find(|(v, _)| *v == vital)
                .map_or("", |(_, text)| text)
        })
    }

    #[test]
    fn a_full_set_parses_and_gives_a_bmi() {
        let signs = parse(&[
            (Vital::Systolic, "128"),
            (Vital::Diastolic, " 82 "),
            (Vital::Pulse, "72"),
            (Vital::Temperature, "36.8"),
            (Vital::Weight, "70.5"),
            (Vital::Height, "172"),
        ])
        .unwrap();
        assert_eq!(signs.blood_pressure, Some((128.0, 82.0)));
        assert_eq!(signs.temperature, Some(36.8));
        // 70.5 / 1.72² = 23.83…
        assert_eq!(signs.bmi(), Some(23.8));
    }

    #[test]
    fn one_measurement_is_enough_and_none_is_not() {
        let weight_only = parse(&[(Vital::Weight, "82")]).unwrap();
        assert_eq!(weight_only.weight, Some(82.0));
        assert_eq!(weight_only.bmi(), None);
        assert_eq!(parse(&[]), Err(vec![VitalError::Nothing]));
    }

    #[test]
    fn typos_and_impossible_values_are_caught_with_the_field_they_belong_to() {
        let problems = parse(&[
            (Vital::Systolic, "1200"),
            (Vital::Diastolic, "80"),
            (Vital::Pulse, "seventy"),
            (Vital::Temperature, "36.85"),
            (Vital::Height, "172.5"),
        ])
        .unwrap_err();
        assert_eq!(
            problems,
            vec![
                VitalError::Implausible(Vital::Systolic),
                VitalError::NotANumber(Vital::Pulse),
                VitalError::NotANumber(Vital::Temperature),
                VitalError::TooPrecise(Vital::Height),
            ]
        );
        assert_eq!(
            problems[0].to_string(),
            "Systolic blood pressure must be between 50 and 260 mmHg"
        );
        assert_eq!(problems[0].field(), "systolic");
        assert_eq!(
            VitalError::Implausible(Vital::Temperature).to_string(),
            "Temperature must be between 30.0 and 44.0 °C"
        );
    }

    #[test]
    fn blood_pressure_comes_whole_and_the_right_way_round() {
        assert_eq!(
            parse(&[(Vital::Systolic, "120")]),
            Err(vec![VitalError::HalfABloodPressure(Vital::Diastolic)])
        );
        assert_eq!(
            parse(&[(Vital::Systolic, "80"), (Vital::Diastolic, "120")]),
            Err(vec![VitalError::DiastolicNotLower])
        );
        assert_eq!(
            VitalError::DiastolicNotLower.field(),
            "diastolic",
            "the summary links to the diastolic field"
        );
    }
}
