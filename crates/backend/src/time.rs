//! Times as people in the UK read them: in UK time, in words.

use jiff::{Timestamp, civil, tz::TimeZone};

/// "3 March 1962": a date the NHS.UK way.
pub fn spoken_date(date: civil::Date) -> String {
    date.strftime("%-d %B %Y").to_string()
}

/// "21 November 2026 at 10:04am" (UK time, GMT or BST as the date falls), the NHS.UK style.
pub fn spoken(at: Timestamp) -> String {
    let london = TimeZone::get("Europe/London").unwrap_or(TimeZone::UTC);
    let local = at.to_zoned(london);
    let hour = local.hour();
    let (twelve, suffix) = match hour {
        0 => (12, "am"),
        1..=11 => (hour, "am"),
        12 => (12, "pm"),
        _ => (hour - 12, "pm"),
    };
    format!(
        "{} at {twelve}:{:02}{suffix}",
        local.strftime("%-d %B %Y"),
        local.minute()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_in_uk_time_with_am_and_pm() {
        let check = |at: &str, expected: &str| {
            assert_eq!(spoken(at.parse().unwrap()), expected, "{at}");
        };
        check("2026-11-21T10:04:00Z", "21 November 2026 at 10:04am");
        // British Summer Time: an hour ahead of UTC.
        check("2026-07-01T12:30:00Z", "1 July 2026 at 1:30pm");
        check("2026-01-05T00:00:00Z", "5 January 2026 at 12:00am");
    }

    #[test]
    fn dates_have_no_leading_zero() {
        assert_eq!(spoken_date(civil::date(1962, 3, 3)), "3 March 1962");
    }
}
