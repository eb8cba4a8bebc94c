//! Times as people in the UK read them: in UK time, in words.

use jiff::{Timestamp, civil, tz::TimeZone};

/// "3 March 1962": a date the NHS.UK way.
pub fn spoken_date(date: civil::Date) -> String {
    date.strftime("%-d %B %Y").to_string()
}

/// "Tuesday 3 March 2026, 9:30am": when an appointment is, the NHS way (UK time).
pub fn appointment_time(at: Timestamp) -> String {
    let local = at.to_zoned(london());
    format!("{}, {}", local.strftime("%A %-d %B %Y"), clock(at))
}

/// "Tuesday 3 March 2026".
pub fn long_date(date: civil::Date) -> String {
    date.strftime("%A %-d %B %Y").to_string()
}

/// "Tuesday 3 March": a day to choose, in a list of the next few weeks.
pub fn day_label(date: civil::Date) -> String {
    date.strftime("%A %-d %B").to_string()
}

/// "9:30am" (UK time).
pub fn clock(at: Timestamp) -> String {
    let local = at.to_zoned(london());
    let hour = local.hour();
    let (twelve, suffix) = match hour {
        0 => (12, "am"),
        1..=11 => (hour, "am"),
        12 => (12, "pm"),
        _ => (hour - 12, "pm"),
    };
    format!("{twelve}:{:02}{suffix}", local.minute())
}

/// The day `at` falls on, UK time.
pub fn uk_date(at: Timestamp) -> civil::Date {
    at.to_zoned(london()).date()
}

/// Whether `at` is before noon, UK time.
pub fn is_morning(at: Timestamp) -> bool {
    at.to_zoned(london()).hour() < 12
}

fn london() -> TimeZone {
    TimeZone::get("Europe/London").unwrap_or(TimeZone::UTC)
}

/// "21 November 2026 at 10:04am" (UK time, GMT or BST as the date falls), the NHS.UK style.
pub fn spoken(at: Timestamp) -> String {
    format!(
        "{} at {}",
        at.to_zoned(london()).strftime("%-d %B %Y"),
        clock(at)
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
    fn appointments_read_the_nhs_way() {
        let at = |text: &str| text.parse::<Timestamp>().unwrap();
        assert_eq!(
            appointment_time(at("2026-03-03T09:30:00Z")),
            "Tuesday 3 March 2026, 9:30am"
        );
        assert_eq!(
            appointment_time(at("2026-07-01T12:05:00Z")),
            "Wednesday 1 July 2026, 1:05pm"
        );
        assert!(is_morning(at("2026-07-01T10:59:00Z")));
        assert!(
            !is_morning(at("2026-07-01T11:00:00Z")),
            "noon in summer time"
        );
        assert_eq!(day_label(civil::date(2026, 12, 1)), "Tuesday 1 December");
        assert_eq!(
            long_date(civil::date(2026, 12, 1)),
            "Tuesday 1 December 2026"
        );
    }

    #[test]
    fn dates_have_no_leading_zero() {
        assert_eq!(spoken_date(civil::date(1962, 3, 3)), "3 March 1962");
    }
}
