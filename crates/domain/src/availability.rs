//! A clinician's availability as a practice sets it up: a weekly template ("Mondays to Fridays,
//! 9am to 12pm, 10-minute slots, for the next 6 weeks") turned into appointment times, and
//! blocks of time off.
//!
//! Times here are wall-clock times of the practice's own day (`civil`): the server places them in
//! UK time, so that 9am stays 9am either side of a clock change.

use jiff::{
    Span,
    civil::{Date, DateTime, Time, Weekday},
};

/// The longest a template runs, so that a slip of the keyboard cannot open years of slots.
pub const MAX_WEEKS: i64 = 12;
/// The most appointment times one template opens (a busy clinician's quarter is about 2,000).
pub const MAX_TIMES: usize = 5000;
/// The shortest and longest appointment a template makes, in minutes.
pub const SLOT_MINUTES: (i64, i64) = (5, 60);

/// A weekly pattern of appointment times, valid by construction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    days: Vec<Weekday>,
    from: Time,
    until: Time,
    minutes: i64,
    first_day: Date,
    weeks: i64,
}

/// What is wrong with a template as entered, one per field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("Select the days of the week the clinician works")]
    NoDays,
    #[error("Enter a start time, like 09:00")]
    NoStart,
    #[error("Enter an end time, like 12:00")]
    NoEnd,
    #[error("The end time must be after the start time")]
    EndNotAfterStart,
    #[error("Appointments must be between 5 and 60 minutes long")]
    SlotLength,
    #[error("The time from start to end must fit at least one appointment")]
    NoRoomForOne,
    #[error("Enter a number of weeks between 1 and 12")]
    Weeks,
    #[error("The first day must be today or later")]
    FirstDayPast,
    #[error(
        "That would open more than 5,000 appointment times: choose fewer weeks or longer appointments"
    )]
    TooMany,
}

impl TemplateError {
    /// The form field it belongs to.
    pub fn field(self) -> &'static str {
        match self {
            Self::NoDays => "days",
            Self::NoStart => "from",
            Self::NoEnd | Self::EndNotAfterStart | Self::NoRoomForOne => "until",
            Self::SlotLength => "minutes",
            Self::Weeks | Self::TooMany => "weeks",
            Self::FirstDayPast => "first-day",
        }
    }
}

impl Template {
    /// A template from what was entered, or every problem with it. `today` is the practice's
    /// date now: a template cannot start in the past.
    pub fn new(
        days: Vec<Weekday>,
        from: Option<Time>,
        until: Option<Time>,
        minutes: i64,
        first_day: Date,
        weeks: i64,
        today: Date,
    ) -> Result<Self, Vec<TemplateError>> {
        let mut problems = Vec::new();
        if days.is_empty() {
            problems.push(TemplateError::NoDays);
        }
        if from.is_none() {
            problems.push(TemplateError::NoStart);
        }
        if until.is_none() {
            problems.push(TemplateError::NoEnd);
        }
        let length_ok = (SLOT_MINUTES.0..=SLOT_MINUTES.1).contains(&minutes);
        if !length_ok {
            problems.push(TemplateError::SlotLength);
        }
        if let (Some(from), Some(until)) = (from, until) {
            if until <= from {
                problems.push(TemplateError::EndNotAfterStart);
            } else if length_ok && minutes_between(from, until) < minutes {
                problems.push(TemplateError::NoRoomForOne);
            }
        }
        if !(1..=MAX_WEEKS).contains(&weeks) {
            problems.push(TemplateError::Weeks);
        }
        if first_day < today {
            problems.push(TemplateError::FirstDayPast);
        }
        match (from, until) {
            (Some(from), Some(until)) if problems.is_empty() => {
                let mut days = days;
                days.sort_by_key(|d| d.to_monday_one_offset());
                days.dedup();
                let template = Self {
                    days,
                    from,
                    until,
                    minutes,
                    first_day,
                    weeks,
                };
                if template.times().len() > MAX_TIMES {
                    return Err(vec![TemplateError::TooMany]);
                }
                Ok(template)
            }
            _ => Err(problems),
        }
    }

    /// Every appointment time the template makes, in order: (start, end) on the practice's
    /// clock. The last of a day ends at or before the end time.
    pub fn times(&self) -> Vec<(DateTime, DateTime)> {
        let mut times = Vec::new();
        let length = Span::new().minutes(self.minutes);
        let mut day = self.first_day;
        for _ in 0..self.weeks * 7 {
            if self.days.contains(&day.weekday()) {
                let close = day.to_datetime(self.until);
                let mut start = day.to_datetime(self.from);
                while let Ok(end) = start.checked_add(length) {
                    if end > close {
                        break;
                    }
                    times.push((start, end));
                    start = end;
                }
            }
            match day.tomorrow() {
                Ok(next) => day = next,
                Err(_) => break,
            }
        }
        times
    }

    /// The last day the template covers.
    pub fn last_day(&self) -> Date {
        self.first_day
            .checked_add(Span::new().days(self.weeks * 7 - 1))
            .unwrap_or(self.first_day)
    }

    pub fn first_day(&self) -> Date {
        self.first_day
    }

    pub fn minutes(&self) -> i64 {
        self.minutes
    }
}

fn minutes_between(from: Time, until: Time) -> i64 {
    let seconds = |t: Time| i64::from(t.hour()) * 3600 + i64::from(t.minute()) * 60;
    (seconds(until) - seconds(from)) / 60
}

/// A weekday from a form's value ("monday" … "sunday").
pub fn weekday(value: &str) -> Option<Weekday> {
    Some(match value {
        "monday" => Weekday::Monday,
        "tuesday" => Weekday::Tuesday,
        "wednesday" => Weekday::Wednesday,
        "thursday" => Weekday::Thursday,
        "friday" => Weekday::Friday,
        "saturday" => Weekday::Saturday,
        "sunday" => Weekday::Sunday,
        _ => return None,
    })
}

/// Whether a slot from `start` to `end` falls (even partly) in time off from `from` to `until`.
pub fn overlaps<T: Ord>(start: T, end: T, from: T, until: T) -> bool {
    start < until && from < end
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{date, time};

    const TODAY: Date = date(2026, 11, 30); // a Monday

    fn weekdays() -> Vec<Weekday> {
        ["monday", "tuesday", "wednesday", "thursday", "friday"]
            .iter()
            .filter_map(|d| weekday(d))
            .collect()
    }

    #[test]
    fn the_usual_morning_clinic_for_six_weeks_makes_540_times() {
        let template = Template::new(
            weekdays(),
            Some(time(9, 0, 0, 0)),
            Some(time(12, 0, 0, 0)),
            10,
            TODAY,
            6,
            TODAY,
        )
        .unwrap();
        let times = template.times();
        // 5 days × 6 weeks × 18 ten-minute times from 9 to 12.
        assert_eq!(times.len(), 540);
        assert_eq!(
            times[0],
            (
                date(2026, 11, 30).at(9, 0, 0, 0),
                date(2026, 11, 30).at(9, 10, 0, 0)
            )
        );
        assert_eq!(times[17].1, date(2026, 11, 30).at(12, 0, 0, 0));
        assert!(
            times
                .iter()
                .all(|(start, _)| start.weekday() != Weekday::Saturday)
        );
        assert_eq!(template.last_day(), date(2027, 1, 10));
        assert_eq!(
            times.last().unwrap().0.date(),
            date(2027, 1, 8),
            "the last Friday"
        );
    }

    #[test]
    fn a_length_that_does_not_divide_the_session_stops_before_the_end() {
        let template = Template::new(
            vec![Weekday::Wednesday],
            Some(time(14, 0, 0, 0)),
            Some(time(15, 0, 0, 0)),
            25,
            TODAY,
            1,
            TODAY,
        )
        .unwrap();
        let ends: Vec<_> = template.times().iter().map(|(_, end)| end.time()).collect();
        assert_eq!(ends, [time(14, 25, 0, 0), time(14, 50, 0, 0)]);
    }

    #[test]
    fn every_problem_is_reported_with_its_field() {
        let problems = Template::new(
            Vec::new(),
            Some(time(12, 0, 0, 0)),
            Some(time(9, 0, 0, 0)),
            90,
            date(2026, 11, 1),
            20,
            TODAY,
        )
        .unwrap_err();
        assert_eq!(
            problems,
            [
                TemplateError::NoDays,
                TemplateError::SlotLength,
                TemplateError::EndNotAfterStart,
                TemplateError::Weeks,
                TemplateError::FirstDayPast,
            ]
        );
        let fields: Vec<_> = problems.iter().map(|p| p.field()).collect();
        assert_eq!(fields, ["days", "minutes", "until", "weeks", "first-day"]);
        assert_eq!(
            Template::new(
                weekdays(),
                Some(time(9, 0, 0, 0)),
                Some(time(9, 5, 0, 0)),
                10,
                TODAY,
                1,
                TODAY
            ),
            Err(vec![TemplateError::NoRoomForOne])
        );
    }

    #[test]
    fn a_template_opens_at_most_5000_times() {
        let every_day: Vec<Weekday> = [
            "monday",
            "tuesday",
            "wednesday",
            "thursday",
            "friday",
            "saturday",
            "sunday",
        ]
        .iter()
        .filter_map(|d| weekday(d))
        .collect();
        let around_the_clock = Template::new(
            every_day,
            Some(time(0, 0, 0, 0)),
            Some(time(23, 55, 0, 0)),
            5,
            TODAY,
            12,
            TODAY,
        );
        assert_eq!(around_the_clock, Err(vec![TemplateError::TooMany]));
    }

    #[test]
    fn time_off_covers_any_slot_it_touches_but_not_one_that_only_meets_it() {
        assert!(overlaps(9, 10, 9, 12));
        assert!(overlaps(11, 12, 11, 13));
        assert!(overlaps(8, 10, 9, 12));
        assert!(!overlaps(8, 9, 9, 12), "ends as the time off starts");
        assert!(!overlaps(12, 13, 9, 12), "starts as it ends");
    }
}
