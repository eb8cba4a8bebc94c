//! The coded lists the clinicians' pages offer: a small SNOMED CT subset of common problems,
//! allergens and allergic reactions, each with the display term clinicians expect, and the
//! vaccines given in general practice. A practice's full terminology server can replace these
//! lists; the codes are SNOMED CT's own, so records made with them stay meaningful to any other
//! system. Here, not in `fhir`, because the browser's forms list them too.

/// The SNOMED CT code system.
pub const SYSTEM: &str = "http://snomed.info/sct";

/// One concept: its code and the term shown for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Concept {
    pub code: &'static str,
    pub display: &'static str,
}

const fn c(code: &'static str, display: &'static str) -> Concept {
    Concept { code, display }
}

/// Common long-term problems (disorders) in general practice, alphabetically.
pub const PROBLEMS: &[Concept] = &[
    c("197480006", "Anxiety disorder"),
    c("195967001", "Asthma"),
    c("24079001", "Atopic dermatitis"),
    c("49436004", "Atrial fibrillation"),
    c("230690007", "Cerebrovascular accident"),
    c("709044004", "Chronic kidney disease"),
    c("13645005", "Chronic obstructive lung disease"),
    c("35489007", "Depressive disorder"),
    c("46635009", "Diabetes mellitus type 1"),
    c("44054006", "Diabetes mellitus type 2"),
    c("84757009", "Epilepsy"),
    c("235595009", "Gastroesophageal reflux disease"),
    c("84114007", "Heart failure"),
    c("38341003", "Hypertensive disorder"),
    c("40930008", "Hypothyroidism"),
    c("37796009", "Migraine"),
    c("22298006", "Myocardial infarction"),
    c("414916001", "Obesity"),
    c("396275006", "Osteoarthritis"),
    c("64859006", "Osteoporosis"),
    c("9014002", "Psoriasis"),
    c("69896004", "Rheumatoid arthritis"),
];

/// Common allergens (substances).
pub const ALLERGENS: &[Concept] = &[
    c("372687004", "Amoxicillin"),
    c("387458008", "Aspirin"),
    c("288328004", "Bee venom"),
    c("3718001", "Cow's milk"),
    c("102263004", "Eggs"),
    c("260147004", "House dust mite"),
    c("387207008", "Ibuprofen"),
    c("111088007", "Latex"),
    c("762952008", "Peanut"),
    c("764146007", "Penicillin"),
    c("735029006", "Shellfish"),
];

/// Common allergic reactions (clinical findings).
pub const REACTIONS: &[Concept] = &[
    c("39579001", "Anaphylaxis"),
    c("41291007", "Angioedema"),
    c("271807003", "Skin rash"),
    c("126485001", "Urticaria"),
    c("56018004", "Wheezing"),
    c("422587007", "Nausea"),
    c("422400008", "Vomiting"),
];

/// The concept with `code` in `list`, if it is one.
pub fn find(list: &[Concept], code: &str) -> Option<Concept> {
    list.iter().copied().find(|concept| concept.code == code)
}

/// Vaccines given at the practice, as the record names them.
pub const VACCINES: &[&str] = &[
    "COVID-19 vaccine",
    "Flu vaccine",
    "Hepatitis B vaccine",
    "HPV vaccine",
    "MMR vaccine",
    "Pneumococcal vaccine",
    "Shingles vaccine",
    "Tetanus, diphtheria and polio booster",
    "Whooping cough (pertussis) vaccine",
];

/// How likely a reaction to an allergen is to be serious: FHIR's allergy criticality.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum AllergyRisk {
    High,
    Low,
    UnableToAssess,
}

impl AllergyRisk {
    pub const ALL: [Self; 3] = [Self::High, Self::Low, Self::UnableToAssess];

    /// The FHIR code, which is also what the form posts.
    pub fn code(self) -> &'static str {
        match self {
            Self::High => "high",
            Self::Low => "low",
            Self::UnableToAssess => "unable-to-assess",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::High => "High risk: a reaction could be life-threatening",
            Self::Low => "Low risk",
            Self::UnableToAssess => "Not known",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|risk| risk.code() == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SNOMED CT identifiers end in a Verhoeff check digit: a mistyped code in these lists is
    /// caught here rather than stored in a record.
    fn verhoeff_valid(code: &str) -> bool {
        const D: [[u8; 10]; 10] = [
            [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
            [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
            [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
            [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
            [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
            [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
            [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
            [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
            [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
            [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
        ];
        const P: [[u8; 10]; 8] = [
            [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
            [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
            [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
            [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
            [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
            [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
            [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
            [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
        ];
        let mut check = 0u8;
        for (i, digit) in code.bytes().rev().enumerate() {
            let d = digit - b'0';
            check = D[usize::from(check)][usize::from(P[i % 8][usize::from(d)])];
        }
        check == 0
    }

    #[test]
    fn every_code_is_a_well_formed_snomed_identifier() {
        for concept in PROBLEMS.iter().chain(ALLERGENS).chain(REACTIONS) {
            assert!(
                concept.code.bytes().all(|b| b.is_ascii_digit()),
                "{concept:?}"
            );
            assert!((6..=18).contains(&concept.code.len()), "{concept:?}");
            assert!(
                verhoeff_valid(concept.code),
                "{concept:?} fails its check digit"
            );
        }
    }

    #[test]
    fn codes_are_unique_and_found_by_code() {
        let mut codes: Vec<&str> = PROBLEMS
            .iter()
            .chain(ALLERGENS)
            .chain(REACTIONS)
            .map(|c| c.code)
            .collect();
        let all = codes.len();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), all);
        assert_eq!(find(ALLERGENS, "764146007").unwrap().display, "Penicillin");
        assert_eq!(
            find(ALLERGENS, "195967001"),
            None,
            "asthma is not an allergen"
        );
    }
}
