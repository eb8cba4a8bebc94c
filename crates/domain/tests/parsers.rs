//! The parsers of what people type, on generated input: none panics, whatever arrives; an NHS
//! number is found whichever way it is written and refused with one digit wrong; a form's
//! every problem is reported, never a crash. A failure prints its seed (`test_support::property`).

use domain::{
    NhsNumber, OdsCode,
    booking::{AppointmentReason, ContactPreference},
    break_glass::BreakGlassReason,
    clinic::{Attendance, ConsultationNote},
    practice_setup::{PlaceDetails, ServiceDetails},
    vitals::{Vital, VitalSigns},
};
use proptest::{collection::vec, prelude::*};
use test_support::property::check;

/// Any text, weighted towards what forms and URLs carry: digits, separators, signs, dots,
/// letters, spaces, and now and then anything at all (control characters, other scripts).
fn typed() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9 .,+-]{0,14}",
        "[0-9A-Za-z -]{0,24}",
        any::<String>(),
        "\\PC{0,600}",
    ]
}

#[test]
fn any_text_is_an_nhs_number_or_a_reason_why_not() {
    check("nhs number", 2000, typed(), |text| {
        let _ = NhsNumber::parse(&text);
        let _ = OdsCode::parse(&text);
        Ok(())
    });
}

#[test]
fn a_valid_nhs_number_is_found_however_it_is_written_and_refused_with_a_digit_wrong() {
    let numbers = (0_u32..=999_999_999, 0_usize..3, 0_usize..10, 1_u8..10);
    check(
        "nhs number round trip",
        1000,
        numbers,
        |(stem, style, at, change)| {
            let Some(number) = NhsNumber::from_stem(stem) else {
                return Ok(());
            };
            let digits = number.digits();
            let written = match style {
                0 => digits.clone(),
                1 => number.to_string(),
                _ => format!(" {}-{}-{} ", &digits[..3], &digits[3..6], &digits[6..]),
            };
            prop_assert_eq!(NhsNumber::parse(&written), Ok(number));
            // Any single digit changed fails the modulus-11 check.
            let mut wrong: Vec<u8> = digits.into_bytes();
            wrong[at] = b'0' + (wrong[at] - b'0' + change) % 10;
            let wrong = String::from_utf8(wrong).unwrap_or_default();
            prop_assert!(
                NhsNumber::parse(&wrong).is_err(),
                "{wrong} passed the check"
            );
            Ok(())
        },
    );
}

#[test]
fn any_form_post_is_parsed_or_refused_with_its_problems() {
    let fields = vec(typed(), 8);
    check("form posts", 1500, fields, |fields| {
        let field = |n: usize| fields[n].as_str();
        let _ = AppointmentReason::parse(field(0));
        let _ = ContactPreference::parse(field(1));
        let _ = BreakGlassReason::parse(field(2));
        let _ = Attendance::parse(field(3));
        let _ = ConsultationNote::parse(field(4));
        let vitals = VitalSigns::parse(|vital| {
            let index = Vital::ALL.iter().position(|v| *v == vital).unwrap_or(0);
            field(index + 2)
        });
        if let Err(problems) = vitals {
            prop_assert!(!problems.is_empty());
        }
        let service = ServiceDetails::parse(
            field(0),
            field(1),
            field(2),
            true,
            vec![field(3).to_owned()],
        );
        if let Err(problems) = service {
            prop_assert!(!problems.is_empty());
        }
        let place = PlaceDetails::parse(
            field(0),
            field(1),
            field(2),
            field(3),
            field(4),
            field(5),
            field(6),
            false,
        );
        if let Err(problems) = place {
            prop_assert!(!problems.is_empty());
        }
        Ok(())
    });
}
