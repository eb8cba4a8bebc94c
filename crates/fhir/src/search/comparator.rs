//! The prefixes that compare dates, numbers and quantities (`ge2024`, `gt5.4`).

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparator {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// `sa`: starts after the value's range ends.
    StartsAfter,
    /// `eb`: ends before the value's range starts.
    EndsBefore,
    /// `ap`: within 10 % of a number; a date's range overlapping the value's.
    Approximately,
}

/// A date's, number's or quantity's comparison prefix (`eq` when there is none) and the rest.
pub(super) fn prefixed(value: &str) -> (Comparator, &str) {
    let comparator = match value.get(..2) {
        Some("eq") => Comparator::Eq,
        Some("ne") => Comparator::Ne,
        Some("lt") => Comparator::Lt,
        Some("le") => Comparator::Le,
        Some("gt") => Comparator::Gt,
        Some("ge") => Comparator::Ge,
        Some("sa") => Comparator::StartsAfter,
        Some("eb") => Comparator::EndsBefore,
        Some("ap") => Comparator::Approximately,
        _ => return (Comparator::Eq, value),
    };
    (comparator, &value[2..])
}
