//! OperationOutcome: how every FHIR error is told to a client.

use serde_json::{Value, json};

/// One problem: an issue-type code from the FHIR value set, words for a person, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// `http://hl7.org/fhir/issue-type`: invalid, structure, required, value, not-found, deleted,
    /// conflict, duplicate, business-rule, not-supported, security, login, forbidden, exception …
    pub code: &'static str,
    pub diagnostics: String,
    /// FHIRPath of the element at fault, such as `Patient.identifier[0].value`.
    pub expression: Option<String>,
}

impl Issue {
    pub fn new(code: &'static str, diagnostics: impl Into<String>) -> Self {
        Self {
            code,
            diagnostics: diagnostics.into(),
            expression: None,
        }
    }

    pub fn at(mut self, expression: impl Into<String>) -> Self {
        self.expression = Some(expression.into());
        self
    }
}

/// An OperationOutcome of error-severity issues.
pub fn errors(issues: &[Issue]) -> Value {
    of_severity("error", issues)
}

/// An OperationOutcome of warnings: what a request that succeeded should know.
pub fn warnings(issues: &[Issue]) -> Value {
    of_severity("warning", issues)
}

fn of_severity(severity: &str, issues: &[Issue]) -> Value {
    let issue: Vec<Value> = issues
        .iter()
        .map(|i| {
            let mut issue = json!({
                "severity": severity, "code": i.code, "diagnostics": printable(&i.diagnostics),
            });
            // FHIR strings are never empty: an issue about a nameless parameter names nothing.
            if let Some(expression) = i.expression.as_ref().filter(|e| !e.is_empty()) {
                issue["expression"] = json!([printable(expression)]);
            }
            issue
        })
        .collect();
    json!({ "resourceType": "OperationOutcome", "issue": issue })
}

/// `text` with its control characters and any whitespace but the space written out (`\u{7}`,
/// `\u{a0}`): diagnostics often quote what a client sent, and are read in logs and terminals,
/// where a raw control character can do harm; and a FHIR string (`[ \r\n\t\S]+`) holds no
/// other whitespace.
pub(crate) fn printable(text: &str) -> String {
    let unprintable = |c: char| c.is_control() || (c.is_whitespace() && c != ' ');
    if !text.chars().any(unprintable) {
        return text.to_owned();
    }
    text.chars()
        .flat_map(|c| {
            if unprintable(c) {
                c.escape_unicode().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect()
}

/// An OperationOutcome saying all went well, for responses that have no resource to return.
pub fn information(diagnostics: &str) -> Value {
    json!({
        "resourceType": "OperationOutcome",
        "issue": [{ "severity": "information", "code": "informational", "diagnostics": diagnostics }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_from_the_input_are_written_out() {
        let outcome = errors(&[Issue::new(
            "not-supported",
            "col\u{1b}[31mour is not a search parameter",
        )
        .at("col\u{7}our")]);
        assert_eq!(
            outcome["issue"][0]["diagnostics"],
            "col\\u{1b}[31mour is not a search parameter"
        );
        assert_eq!(outcome["issue"][0]["expression"][0], "col\\u{7}our");
    }

    #[test]
    fn diagnostics_are_fhir_strings_whatever_was_sent() {
        let outcome =
            errors(&[Issue::new("not-supported", "1\u{a0}2\u{2028} is not a FHIR date").at("")]);
        assert_eq!(
            outcome["issue"][0]["diagnostics"],
            "1\\u{a0}2\\u{2028} is not a FHIR date"
        );
        assert!(
            outcome["issue"][0].get("expression").is_none(),
            "an empty expression is no FHIR string: {outcome}"
        );
    }

    #[test]
    fn an_error_names_its_code_words_and_place() {
        let outcome =
            errors(&[Issue::new("value", "Bad NHS number").at("Patient.identifier[0].value")]);
        assert_eq!(
            outcome,
            json!({"resourceType": "OperationOutcome", "issue": [{
                "severity": "error", "code": "value", "diagnostics": "Bad NHS number",
                "expression": ["Patient.identifier[0].value"],
            }]})
        );
    }
}
