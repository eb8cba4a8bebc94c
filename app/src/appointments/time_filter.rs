//! What "Choose a time" shows of a day's free times: only those with the clinician and in the
//! part of the day the patient asked for, and of those the earliest few, the rest behind "show
//! all". A busy day has 60–80 times, a list 8,000 pixels tall on a phone.
//!
//! The choices travel in the page's address (`clinician`, `part`, `all`), set by a plain GET
//! form and links, so they work without JavaScript and survive the way back from an error.

use super::TimeDto;

/// The address's fields.
pub const CLINICIAN_FIELD: &str = "clinician";
pub const PART_FIELD: &str = "part";
pub const ALL_FIELD: &str = "all";

/// Times shown before "show all".
pub const EARLIEST: usize = 10;

/// Morning or afternoon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartOfDay {
    Morning,
    Afternoon,
}

impl PartOfDay {
    pub const ALL: [Self; 2] = [Self::Morning, Self::Afternoon];

    /// The address's value; anything else is the whole day.
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "morning" => Some(Self::Morning),
            "afternoon" => Some(Self::Afternoon),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Morning => "morning",
            Self::Afternoon => "afternoon",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Morning => "Morning",
            Self::Afternoon => "Afternoon",
        }
    }

    fn holds(self, time: &TimeDto) -> bool {
        time.morning == (self == Self::Morning)
    }
}

/// What the patient narrowed the times to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TimeFilter {
    /// A clinician's name as the times show it; `None`: anyone.
    pub clinician: Option<String>,
    pub part: Option<PartOfDay>,
    /// Every time, not only the earliest.
    pub all: bool,
}

impl TimeFilter {
    /// From the address's values (empty ones mean no choice).
    pub fn from_address(
        clinician: Option<String>,
        part: Option<String>,
        all: Option<String>,
    ) -> Self {
        Self {
            clinician: clinician.filter(|name| !name.trim().is_empty()),
            part: part.as_deref().and_then(PartOfDay::parse),
            all: all.is_some_and(|value| !value.is_empty()),
        }
    }

    /// Whether the patient narrowed the times at all.
    pub fn narrows(&self) -> bool {
        self.clinician.is_some() || self.part.is_some()
    }
}

/// The times to show, earliest first, and how many more there are behind "show all".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimesShown {
    pub times: Vec<TimeDto>,
    /// How many of the times the filter lets through are not shown.
    pub more: usize,
}

/// `times` (earliest first) narrowed by `filter`.
pub fn times_shown(times: Vec<TimeDto>, filter: &TimeFilter) -> TimesShown {
    let mut wanted: Vec<TimeDto> = times
        .into_iter()
        .filter(|time| {
            filter
                .clinician
                .as_ref()
                .is_none_or(|name| &time.clinician == name)
        })
        .filter(|time| filter.part.is_none_or(|part| part.holds(time)))
        .collect();
    let more = if filter.all {
        0
    } else {
        wanted.len().saturating_sub(EARLIEST)
    };
    wanted.truncate(wanted.len() - more);
    TimesShown {
        times: wanted,
        more,
    }
}

/// The clinicians with any of `times`, each once, by name.
pub fn clinicians(times: &[TimeDto]) -> Vec<String> {
    let mut names: Vec<String> = times.iter().map(|time| time.clinician.clone()).collect();
    names.sort();
    names.dedup();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn time(n: usize, clinician: &str, morning: bool) -> TimeDto {
        TimeDto {
            slot_id: format!("s{n}"),
            time: format!("{n}"),
            when: String::new(),
            clinician: clinician.to_owned(),
            place: "Mill Lane".to_owned(),
            morning,
        }
    }

    fn day() -> Vec<TimeDto> {
        (0..30)
            .map(|n| time(n, if n % 3 == 0 { "Dr Okafor" } else { "Dr Patel" }, n < 15))
            .collect()
    }

    fn ids(shown: &TimesShown) -> Vec<&str> {
        shown.times.iter().map(|t| t.slot_id.as_str()).collect()
    }

    #[test]
    fn the_earliest_ten_first_and_the_rest_behind_show_all() {
        let shown = times_shown(day(), &TimeFilter::default());
        assert_eq!(
            ids(&shown),
            (0..10).map(|n| format!("s{n}")).collect::<Vec<_>>()
        );
        assert_eq!(shown.more, 20);
        let all = TimeFilter {
            all: true,
            ..TimeFilter::default()
        };
        assert_eq!(times_shown(day(), &all).times.len(), 30);
        assert_eq!(times_shown(day(), &all).more, 0);
    }

    #[test]
    fn narrowed_by_clinician_and_part_of_the_day() {
        let filter = TimeFilter {
            clinician: Some("Dr Okafor".to_owned()),
            part: Some(PartOfDay::Afternoon),
            all: false,
        };
        let shown = times_shown(day(), &filter);
        assert_eq!(ids(&shown), ["s15", "s18", "s21", "s24", "s27"]);
        assert_eq!(shown.more, 0);
    }

    #[test]
    fn the_address_gives_the_filter_and_ignores_what_it_does_not_know() {
        let filter = TimeFilter::from_address(
            Some(String::new()),
            Some("evening".to_owned()),
            Some("yes".to_owned()),
        );
        assert_eq!(
            filter,
            TimeFilter {
                clinician: None,
                part: None,
                all: true
            }
        );
        assert!(!filter.narrows());
        assert_eq!(clinicians(&day()), ["Dr Okafor", "Dr Patel"]);
    }
}
