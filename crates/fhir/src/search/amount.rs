//! Number and quantity search: what a resource's amounts index as, and what a search value such
//! as `gt5.4|http://unitsofmeasure.org|mg` asks for.
//!
//! A resource's amount indexes as a range `[low, high]`: a point for a decimal or a `Quantity`,
//! the bounds of a `Range` (an open end stretching to the end of the number line). A search
//! value's precision is part of it: `100` means anything in `[99.5, 100.5)`, `100.00` anything
//! in `[99.995, 100.005)`, `1e2` anything in `[50, 150)` (one significant figure). Units are
//! compared as written: a search for `mg` does not find `g` (no UCUM conversion).

use serde_json::Value;

use super::comparator::{Comparator, prefixed};

/// A number to compare with, and the span its precision implies.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Amount {
    pub comparator: Comparator,
    pub value: f64,
    /// `[low, high)`: the values that equal `value` to the precision it was written with.
    pub low: f64,
    pub high: f64,
}

/// The range a target's amount indexes as, with the unit it was measured in.
#[derive(Debug, Clone, PartialEq)]
pub struct Measured {
    pub low: f64,
    pub high: f64,
    /// The unit's code system (UCUM) and code; for money, ISO 4217 and the currency.
    pub system: Option<String>,
    pub code: Option<String>,
    /// The unit as people read it (`mmHg`), which `||code` searches match too.
    pub unit: Option<String>,
}

/// The end of the number line, for a `Range` open at one end: finite, so both databases store
/// and compare it as any other double.
pub const UNBOUNDED: f64 = f64::MAX;

/// `[prefix]number`, e.g. `ge0.8` or `100`.
pub fn parse_amount(text: &str) -> Result<Amount, String> {
    let (comparator, number) = prefixed(text);
    let value = decimal(number).ok_or_else(|| format!("{number} is not a number"))?;
    let half = half_unit(number);
    Ok(Amount {
        comparator,
        value,
        low: value - half,
        high: value + half,
    })
}

/// A decimal as FHIR and JSON write it (`-1.50`, `1e2`, `2.5E-3`); never `NaN` or infinity.
fn decimal(text: &str) -> Option<f64> {
    let well_formed = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E'))
        && text.chars().any(|c| c.is_ascii_digit());
    well_formed
        .then(|| text.parse::<f64>().ok())
        .flatten()
        .filter(|n| n.is_finite())
}

/// Half the value of the last digit written: the precision's half-width.
fn half_unit(number: &str) -> f64 {
    let (mantissa, exponent) = match number.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => (mantissa, exponent.parse::<i32>().unwrap_or(0)),
        None => (number, 0),
    };
    let decimals = mantissa
        .split_once('.')
        .map_or(0, |(_, fraction)| fraction.len() as i32);
    0.5 * 10f64.powi(exponent - decimals)
}

/// `number|system|code`, `number||code` (the code or the unit as written) or `number`.
pub fn parse_quantity(text: &str) -> Result<(Amount, Option<String>, Option<String>), String> {
    let mut parts = text.splitn(3, '|');
    let number = parts.next().unwrap_or_default();
    let amount = parse_amount(number)?;
    let non_empty = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    Ok(match (parts.next(), parts.next()) {
        (None, _) => (amount, None, None),
        (Some(system), Some(code)) => (amount, non_empty(system), non_empty(code)),
        (Some(_), None) => {
            return Err(format!(
                "{text} is not a quantity: write number|system|code, number||code or number"
            ));
        }
    })
}

/// What an element of `type_name` holding an amount indexes as; `None` when it holds none (a
/// `SampledData`, a `Quantity` without a value).
pub fn measured(value: &Value, type_name: &str) -> Option<Measured> {
    let text = |v: &Value| v.as_str().map(str::to_owned);
    match type_name {
        "Range" => {
            let low = value["low"]["value"].as_f64();
            let high = value["high"]["value"].as_f64();
            if low.is_none() && high.is_none() {
                return None;
            }
            let bound = if value["low"].is_object() {
                &value["low"]
            } else {
                &value["high"]
            };
            Some(Measured {
                low: low.unwrap_or(-UNBOUNDED),
                high: high.unwrap_or(UNBOUNDED),
                system: text(&bound["system"]),
                code: text(&bound["code"]),
                unit: text(&bound["unit"]),
            })
        }
        "Money" => value["value"].as_f64().map(|amount| Measured {
            low: amount,
            high: amount,
            system: Some("urn:iso:std:iso:4217".to_owned()),
            code: text(&value["currency"]),
            unit: None,
        }),
        // A Quantity, or one of its kinds (Age, Duration, Distance, Count, SimpleQuantity).
        _ if value.is_object() => value["value"].as_f64().map(|amount| Measured {
            low: amount,
            high: amount,
            system: text(&value["system"]),
            code: text(&value["code"]),
            unit: text(&value["unit"]),
        }),
        // A decimal, integer or positiveInt of a number parameter.
        _ => value.as_f64().map(|n| Measured {
            low: n,
            high: n,
            system: None,
            code: None,
            unit: None,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_search_number_spans_the_precision_it_was_written_with() {
        let hundred = parse_amount("100").unwrap();
        assert_eq!((hundred.low, hundred.high), (99.5, 100.5));
        assert_eq!(hundred.comparator, Comparator::Eq);
        let exact = parse_amount("ge100.00").unwrap();
        assert!((exact.low - 99.995).abs() < 1e-9 && (exact.high - 100.005).abs() < 1e-9);
        assert_eq!(exact.comparator, Comparator::Ge);
        let rough = parse_amount("1e2").unwrap();
        assert_eq!((rough.low, rough.high), (50.0, 150.0));
        let small = parse_amount("ap2.5E-3").unwrap();
        assert_eq!(small.comparator, Comparator::Approximately);
        assert!((small.high - 0.00255).abs() < 1e-12);
        for bad in ["", "abc", "1.2.3x", "NaN", "inf", "--", "1e999"] {
            assert!(parse_amount(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_search_quantity_takes_a_system_and_code_or_a_code_alone() {
        let (amount, system, code) = parse_quantity("gt5.4|http://unitsofmeasure.org|mg").unwrap();
        assert_eq!(amount.value, 5.4);
        assert_eq!(system.as_deref(), Some("http://unitsofmeasure.org"));
        assert_eq!(code.as_deref(), Some("mg"));
        let (_, system, code) = parse_quantity("5.4||mmHg").unwrap();
        assert_eq!((system, code.as_deref()), (None, Some("mmHg")));
        assert_eq!(parse_quantity("5.4").unwrap().1, None);
        assert!(parse_quantity("5.4|mg").is_err());
    }

    #[test]
    fn amounts_index_as_points_and_ranges_with_their_units() {
        let quantity = json!({"value": 72, "unit": "beats/min", "system": "http://unitsofmeasure.org", "code": "/min"});
        let m = measured(&quantity, "Quantity").unwrap();
        assert_eq!(
            (m.low, m.high, m.code.as_deref()),
            (72.0, 72.0, Some("/min"))
        );
        let range = json!({"low": {"value": 40, "unit": "a", "code": "a"}});
        let m = measured(&range, "Range").unwrap();
        assert_eq!((m.low, m.high), (40.0, UNBOUNDED));
        let money = json!({"value": 12.5, "currency": "GBP"});
        assert_eq!(
            measured(&money, "Money").unwrap().code.as_deref(),
            Some("GBP")
        );
        assert_eq!(measured(&json!(0.8), "decimal").unwrap().low, 0.8);
        assert_eq!(measured(&json!({"unit": "mg"}), "Quantity"), None);
    }
}
