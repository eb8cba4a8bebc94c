//! Whether a measured value is inside its normal (reference) range, and how to say so.
//!
//! A laboratory sets the range; a result outside it is not necessarily a problem, but the patient
//! and the clinician must both be able to tell, in words and not by colour alone.

use serde::{Deserialize, Serialize};

/// The normal range a laboratory gives with a result. Either end may be missing: "below 5.0"
/// has no low end, "above 60" no high end.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ReferenceRange {
    pub low: Option<f64>,
    pub high: Option<f64>,
}

/// Where a value falls against its range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RangeVerdict {
    Below,
    Within,
    Above,
}

impl ReferenceRange {
    /// Where `value` falls. Both ends belong to the range: a laboratory's "3.0 to 5.0" includes
    /// 5.0.
    pub fn verdict(&self, value: f64) -> RangeVerdict {
        match (self.low, self.high) {
            (Some(low), _) if value < low => RangeVerdict::Below,
            (_, Some(high)) if value > high => RangeVerdict::Above,
            _ => RangeVerdict::Within,
        }
    }

    /// The range in words with its unit: "3.0 to 5.0 mmol/L", "up to 5.0 mmol/L", "60 mL/min or
    /// more". `None` when neither end is known.
    pub fn words(&self, unit: &str, number: impl Fn(f64) -> String) -> Option<String> {
        let unit = if unit.is_empty() {
            String::new()
        } else {
            format!(" {unit}")
        };
        match (self.low, self.high) {
            (Some(low), Some(high)) => Some(format!("{} to {}{unit}", number(low), number(high))),
            (None, Some(high)) => Some(format!("up to {}{unit}", number(high))),
            (Some(low), None) => Some(format!("{}{unit} or more", number(low))),
            (None, None) => None,
        }
    }
}

impl RangeVerdict {
    /// What a patient reads next to the value.
    pub fn words(self) -> &'static str {
        match self {
            Self::Below => "Below the normal range",
            Self::Within => "Within the normal range",
            Self::Above => "Above the normal range",
        }
    }

    pub fn is_outside(self) -> bool {
        self != Self::Within
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(low: Option<f64>, high: Option<f64>) -> ReferenceRange {
        ReferenceRange { low, high }
    }

    #[test]
    fn both_ends_of_a_range_are_inside_it() {
        let cholesterol = range(Some(3.0), Some(5.0));
        assert_eq!(cholesterol.verdict(3.0), RangeVerdict::Within);
        assert_eq!(cholesterol.verdict(5.0), RangeVerdict::Within);
        assert_eq!(cholesterol.verdict(5.1), RangeVerdict::Above);
        assert_eq!(cholesterol.verdict(2.9), RangeVerdict::Below);
    }

    #[test]
    fn an_open_ended_range_bounds_one_side_only() {
        let egfr = range(Some(60.0), None);
        assert_eq!(egfr.verdict(45.0), RangeVerdict::Below);
        assert_eq!(egfr.verdict(120.0), RangeVerdict::Within);
        let unbounded = range(None, None);
        assert_eq!(unbounded.verdict(-1e9), RangeVerdict::Within);
    }

    #[test]
    fn ranges_read_in_words_with_their_unit() {
        let number = |n: f64| format!("{n:.1}");
        assert_eq!(
            range(Some(3.0), Some(5.0))
                .words("mmol/L", number)
                .as_deref(),
            Some("3.0 to 5.0 mmol/L")
        );
        assert_eq!(
            range(None, Some(5.0)).words("mmol/L", number).as_deref(),
            Some("up to 5.0 mmol/L")
        );
        assert_eq!(
            range(Some(60.0), None).words("mL/min", number).as_deref(),
            Some("60.0 mL/min or more")
        );
        assert_eq!(range(None, None).words("g/L", number), None);
    }

    #[test]
    fn only_a_value_inside_the_range_is_not_flagged() {
        assert!(RangeVerdict::Above.is_outside());
        assert!(RangeVerdict::Below.is_outside());
        assert!(!RangeVerdict::Within.is_outside());
        assert_eq!(RangeVerdict::Above.words(), "Above the normal range");
    }
}
