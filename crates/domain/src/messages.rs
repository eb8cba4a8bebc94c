//! Conversations between a patient and their practice: what one is about, its subject and each
//! message's text, parsed once; and where a conversation sits in the practice's inbox, which
//! follows from its state and who holds it, so that the queues never disagree with each other.

use serde::{Deserialize, Serialize};

/// What a patient writes to the practice about; the inbox shows it, so that a question for a
/// clinician reaches one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Topic {
    Admin,
    MedicalQuestion,
    TestResults,
}

impl Topic {
    pub const ALL: [Self; 3] = [Self::Admin, Self::MedicalQuestion, Self::TestResults];

    /// The form value, and the code on the record.
    pub fn code(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::MedicalQuestion => "medical-question",
            Self::TestResults => "test-results",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Admin => "Admin, such as a sick note, a letter or your details",
            Self::MedicalQuestion => "A medical question",
            Self::TestResults => "Test results",
        }
    }

    /// The label in a list, short.
    pub fn short_label(self) -> &'static str {
        match self {
            Self::Admin => "Admin",
            Self::MedicalQuestion => "Medical question",
            Self::TestResults => "Test results",
        }
    }

    pub fn parse(code: &str) -> Result<Self, MessageError> {
        Self::ALL
            .into_iter()
            .find(|topic| topic.code() == code.trim())
            .ok_or(MessageError::NoTopic)
    }
}

/// What is wrong with a message as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MessageError {
    #[error("Select what your message is about")]
    NoTopic,
    #[error("Enter a subject")]
    NoSubject,
    #[error("Subject must be 100 characters or fewer")]
    SubjectTooLong,
    #[error("Enter your message")]
    NoText,
    #[error("Message must be 2000 characters or fewer")]
    TextTooLong,
}

/// A conversation's subject: one line, up to [`Subject::MAX_CHARS`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject(String);

impl Subject {
    pub const MAX_CHARS: usize = 100;

    /// Runs of white space (line breaks too) become one space.
    pub fn parse(text: &str) -> Result<Self, MessageError> {
        let subject = text.split_whitespace().collect::<Vec<_>>().join(" ");
        match subject.chars().count() {
            0 => Err(MessageError::NoSubject),
            n if n > Self::MAX_CHARS => Err(MessageError::SubjectTooLong),
            _ => Ok(Self(subject)),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A message's text: plain, its paragraphs kept, up to [`MessageText::MAX_CHARS`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageText(String);

impl MessageText {
    pub const MAX_CHARS: usize = 2000;

    /// Trailing spaces and blank lines at either end go; line breaks become `\n`; control
    /// characters other than line breaks and tabs go.
    pub fn parse(text: &str) -> Result<Self, MessageError> {
        let text: String = text
            .replace("\r\n", "\n")
            .chars()
            .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
            .collect();
        let text = text
            .lines()
            .map(str::trim_end)
            .collect::<Vec<_>>()
            .join("\n")
            .trim()
            .to_owned();
        match text.chars().count() {
            0 => Err(MessageError::NoText),
            n if n > Self::MAX_CHARS => Err(MessageError::TextTooLong),
            _ => Ok(Self(text)),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The queues of the practice's inbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Queue {
    /// Waiting for someone at the practice to take it.
    Unassigned,
    /// Taken by the person looking, waiting for their reply.
    Mine,
    /// Taken by someone else at the practice.
    Others,
    /// The practice has replied; waiting for the patient.
    WaitingForThePatient,
    Closed,
}

impl Queue {
    /// The queues as the inbox offers them, in order.
    pub const LISTED: [Self; 5] = [
        Self::Unassigned,
        Self::Mine,
        Self::Others,
        Self::WaitingForThePatient,
        Self::Closed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Unassigned => "unassigned",
            Self::Mine => "mine",
            Self::Others => "others",
            Self::WaitingForThePatient => "waiting",
            Self::Closed => "closed",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::LISTED.into_iter().find(|queue| queue.code() == code)
    }
}

/// Where a conversation is, as its FHIR Task keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// The patient wrote last and nobody has it: `requested`.
    New,
    /// Someone at the practice has it and owes a reply: `in-progress`.
    Taken,
    /// The practice replied last: `on-hold`.
    Answered,
    /// `completed`.
    Closed,
}

impl State {
    /// The `Task.status` that keeps it.
    pub fn task_status(self) -> &'static str {
        match self {
            Self::New => "requested",
            Self::Taken => "in-progress",
            Self::Answered => "on-hold",
            Self::Closed => "completed",
        }
    }

    pub fn from_task_status(status: &str) -> Option<Self> {
        [Self::New, Self::Taken, Self::Answered, Self::Closed]
            .into_iter()
            .find(|state| state.task_status() == status)
    }

    /// After the patient writes: back with whoever had it, or new if nobody did. A closed
    /// conversation takes no more messages (the patient starts another).
    pub fn after_patient_writes(self, taken: bool) -> Option<Self> {
        match self {
            Self::Closed => None,
            _ if taken => Some(Self::Taken),
            _ => Some(Self::New),
        }
    }
}

/// The inbox queue of a conversation in `state`, held by `owner` (a staff user id), as
/// `viewer` sees it.
pub fn queue_of(state: State, owner: Option<&str>, viewer: &str) -> Queue {
    match (state, owner) {
        (State::Closed, _) => Queue::Closed,
        (State::Answered, _) => Queue::WaitingForThePatient,
        (State::New | State::Taken, None) => Queue::Unassigned,
        (State::New | State::Taken, Some(owner)) if owner == viewer => Queue::Mine,
        (State::New | State::Taken, Some(_)) => Queue::Others,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_is_taken_as_written_with_its_paragraphs_within_its_limits() {
        let text = MessageText::parse("  Hello,\r\n\r\nCan I have a fit note?   \n\n\n").unwrap();
        assert_eq!(text.as_str(), "Hello,\n\nCan I have a fit note?");
        assert_eq!(MessageText::parse(" \n\t "), Err(MessageError::NoText));
        assert_eq!(
            MessageText::parse(&"a".repeat(2001)),
            Err(MessageError::TextTooLong)
        );
        assert!(MessageText::parse(&"é".repeat(2000)).is_ok());
        assert_eq!(MessageText::parse("a\u{0}b\u{7}").unwrap().as_str(), "ab");
        assert_eq!(Subject::parse(" Fit\nnote ").unwrap().as_str(), "Fit note");
        assert_eq!(Subject::parse(""), Err(MessageError::NoSubject));
        assert_eq!(
            Subject::parse(&"a".repeat(101)),
            Err(MessageError::SubjectTooLong)
        );
        assert_eq!(Topic::parse("test-results"), Ok(Topic::TestResults));
        assert_eq!(Topic::parse("gossip"), Err(MessageError::NoTopic));
    }

    #[test]
    fn each_conversation_is_in_exactly_one_queue_for_whoever_looks() {
        assert_eq!(queue_of(State::New, None, "me"), Queue::Unassigned);
        assert_eq!(queue_of(State::Taken, Some("me"), "me"), Queue::Mine);
        assert_eq!(queue_of(State::Taken, Some("you"), "me"), Queue::Others);
        assert_eq!(
            queue_of(State::Answered, Some("me"), "me"),
            Queue::WaitingForThePatient
        );
        assert_eq!(queue_of(State::Closed, Some("me"), "me"), Queue::Closed);
        assert_eq!(
            State::Answered.after_patient_writes(true),
            Some(State::Taken)
        );
        assert_eq!(
            State::Answered.after_patient_writes(false),
            Some(State::New)
        );
        assert_eq!(State::Closed.after_patient_writes(true), None);
        for state in [State::New, State::Taken, State::Answered, State::Closed] {
            assert_eq!(State::from_task_status(state.task_status()), Some(state));
        }
    }
}
