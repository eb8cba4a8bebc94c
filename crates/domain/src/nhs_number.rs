//! The NHS number: ten digits whose last digit is a modulus-11 check digit.
//!
//! People type NHS numbers with spaces or dashes (`999 123 4567`, `999-123-4567`); [`NhsNumber::parse`]
//! accepts both and rejects anything whose check digit does not match, which catches every single
//! mistyped digit and most swapped pairs.

use std::fmt;

/// A valid NHS number. The only ways to get one are [`NhsNumber::parse`] and
/// [`NhsNumber::from_stem`], so holding one means the check digit is right.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(into = "String")]
pub struct NhsNumber([u8; 10]);

/// Why a string is not an NHS number, in words a person can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NhsNumberError {
    #[error("Enter an NHS number")]
    Empty,
    #[error("NHS number must only include numbers, spaces and dashes")]
    NotDigits,
    #[error("NHS number must be 10 digits")]
    WrongLength,
    #[error("Enter a valid NHS number: the check digit does not match")]
    FailsCheck,
}

impl NhsNumber {
    /// Parses what a person typed: ten digits, optionally grouped with spaces or dashes.
    pub fn parse(input: &str) -> Result<Self, NhsNumberError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(NhsNumberError::Empty);
        }
        let mut digits = Vec::with_capacity(10);
        for c in trimmed.chars() {
            match c {
                '0'..='9' => digits.push(c as u8 - b'0'),
                ' ' | '-' => {}
                _ => return Err(NhsNumberError::NotDigits),
            }
        }
        let digits: [u8; 10] = digits.try_into().map_err(|_| NhsNumberError::WrongLength)?;
        let first_nine = [
            digits[0], digits[1], digits[2], digits[3], digits[4], digits[5], digits[6], digits[7],
            digits[8],
        ];
        match check_digit(&first_nine) {
            Some(check) if check == digits[9] => Ok(Self(digits)),
            _ => Err(NhsNumberError::FailsCheck),
        }
    }

    /// Completes a nine-digit stem (`999_000_001` → `999 000 0018`) with its check digit.
    /// `None` for a stem over nine digits, or where the modulus-11 sum gives a check value of 10:
    /// such numbers are never issued.
    pub fn from_stem(stem: u32) -> Option<Self> {
        if stem > 999_999_999 {
            return None;
        }
        let mut first_nine = [0u8; 9];
        let mut rest = stem;
        for digit in first_nine.iter_mut().rev() {
            *digit = (rest % 10) as u8;
            rest /= 10;
        }
        let check = check_digit(&first_nine)?;
        let mut digits = [0; 10];
        digits[..9].copy_from_slice(&first_nine);
        digits[9] = check;
        Some(Self(digits))
    }

    /// The ten digits without separators, as FHIR `identifier.value` carries them.
    pub fn digits(&self) -> String {
        self.0.iter().map(|d| char::from(b'0' + d)).collect()
    }

    /// Numbers starting 999 are never issued to people; they are reserved for testing.
    pub fn is_test_number(&self) -> bool {
        self.0[..3] == [9, 9, 9]
    }
}

/// The modulus-11 check digit of the first nine digits, or `None` when it would be 10.
fn check_digit(first_nine: &[u8; 9]) -> Option<u8> {
    let sum: u32 = first_nine
        .iter()
        .zip((2..=10).rev())
        .map(|(digit, weight)| u32::from(*digit) * weight)
        .sum();
    match 11 - (sum % 11) {
        11 => Some(0),
        10 => None,
        check => u8::try_from(check).ok(),
    }
}

/// Shown the NHS way, in groups of 3, 3 and 4: `999 123 4567`.
impl fmt::Display for NhsNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.digits();
        write!(f, "{} {} {}", &d[..3], &d[3..6], &d[6..])
    }
}

impl fmt::Debug for NhsNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Debug output ends up in logs, and an NHS number identifies a person: never print it.
        f.write_str("NhsNumber(…)")
    }
}

impl From<NhsNumber> for String {
    fn from(value: NhsNumber) -> Self {
        value.digits()
    }
}

impl<'de> serde::Deserialize<'de> for NhsNumber {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: Result<&str, NhsNumberError>) {
        let actual = NhsNumber::parse(input).map(|n| n.to_string());
        assert_eq!(
            actual.as_deref().map_err(|e| *e),
            expected,
            "input {input:?}"
        );
    }

    #[test]
    fn accepts_valid_numbers_with_any_grouping() {
        check("9434765919", Ok("943 476 5919"));
        check("943 476 5919", Ok("943 476 5919"));
        check(" 943-476-5919 ", Ok("943 476 5919"));
        check("9990000018", Ok("999 000 0018"));
    }

    #[test]
    fn rejects_malformed_input_with_a_reason() {
        check("", Err(NhsNumberError::Empty));
        check("   ", Err(NhsNumberError::Empty));
        check("943476591", Err(NhsNumberError::WrongLength));
        check("94347659190", Err(NhsNumberError::WrongLength));
        check("943476591A", Err(NhsNumberError::NotDigits));
        check("9434765918", Err(NhsNumberError::FailsCheck));
    }

    #[test]
    fn every_single_digit_mistake_is_caught() {
        // The property the modulus-11 scheme exists for, checked over a spread of valid numbers.
        let valid: Vec<NhsNumber> = (0..2_000u32)
            .filter_map(|n| NhsNumber::from_stem(999_000_000 + n * 331))
            .collect();
        assert!(
            valid.len() > 1_500,
            "most nine-digit stems have a check digit"
        );
        for number in valid {
            let digits = number.digits();
            for position in 0..10 {
                for replacement in b'0'..=b'9' {
                    let mut typo = digits.clone().into_bytes();
                    if typo[position] == replacement {
                        continue;
                    }
                    typo[position] = replacement;
                    let typo = String::from_utf8(typo).unwrap();
                    assert_eq!(
                        NhsNumber::parse(&typo),
                        Err(NhsNumberError::FailsCheck),
                        "{typo} should fail"
                    );
                }
            }
        }
    }

    #[test]
    fn stems_whose_check_value_is_ten_have_no_number() {
        // 9×10 + 9×9 + 9×8 = 243 leaves 1 over 11, so the check value would be 10.
        assert_eq!(NhsNumber::from_stem(999_000_000), None);
        assert_eq!(
            NhsNumber::from_stem(1_000_000_000),
            None,
            "ten digits are not a stem"
        );
        assert_eq!(
            NhsNumber::from_stem(999_000_001).map(|n| n.digits()),
            Some("9990000018".into())
        );
    }

    #[test]
    fn test_range_is_recognised() {
        assert!(NhsNumber::parse("9990000018").is_ok_and(|n| n.is_test_number()));
        assert!(NhsNumber::parse("9434765919").is_ok_and(|n| !n.is_test_number()));
    }

    #[test]
    fn debug_output_never_shows_the_number() {
        let number = NhsNumber::parse("9434765919");
        assert_eq!(format!("{number:?}"), "Ok(NhsNumber(…))");
    }
}
