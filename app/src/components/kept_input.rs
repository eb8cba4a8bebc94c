//! What was typed into a form that came back with an error without JavaScript, for its fields to
//! show again: the server keeps the fields of such a post and hands them to the page it sends
//! the browser back to (`server::kept_input`). With JavaScript the form never leaves the page,
//! so there is nothing to give back, and these find nothing.

/// The fields of the form a page shows again, as they were posted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeptInput(pub Vec<(String, String)>);

impl KeptInput {
    /// The form the page being rendered shows again, if it does.
    pub fn of_page() -> Option<Self> {
        #[cfg(feature = "ssr")]
        {
            let parts = leptos::prelude::use_context::<http::request::Parts>()?;
            parts.extensions.get::<KeptInput>().cloned()
        }
        #[cfg(not(feature = "ssr"))]
        None
    }

    /// The value posted for field `name` (the first, if several were).
    pub fn value(&self, name: &str) -> Option<&str> {
        (self.0.iter())
            .find(|(field, _)| field == name)
            .map(|(_, value)| value.as_str())
    }

    /// Whether `value` was posted for field `name` (one box of a group of checkboxes).
    pub fn has(&self, name: &str, value: &str) -> bool {
        (self.0.iter()).any(|(field, posted)| field == name && posted == value)
    }
}

/// What was typed into field `name`, if the page shows its form again.
pub fn kept(name: &str) -> Option<String> {
    KeptInput::of_page()?.value(name).map(str::to_owned)
}

/// What was typed into field `name` if the page shows its form again, else what the form offers
/// at first.
pub fn kept_or(name: &str, first: impl Into<String>) -> String {
    kept(name).unwrap_or_else(|| first.into())
}
