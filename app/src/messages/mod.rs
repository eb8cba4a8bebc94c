//! Messages between patients and their practice: the patient's conversations, starting one and
//! replying; the practice's inbox (unassigned, mine, others', waiting for the patient, closed),
//! taking a conversation, replying and closing it. Plain forms that redirect, so every step
//! works without JavaScript.

mod close_conversation;
mod get_conversation;
mod get_inbox;
mod get_message_recipient;
mod get_my_messages;
mod reply_to_conversation;
mod start_conversation;
mod take_conversation;
mod write_to_patient;

pub use close_conversation::{CloseConversation, close_conversation};
pub use get_conversation::{GetConversation, get_conversation};
pub use get_inbox::{GetInbox, get_inbox};
pub use get_message_recipient::{GetMessageRecipient, get_message_recipient};
pub use get_my_messages::{GetMyMessages, get_my_messages};
pub use reply_to_conversation::{ReplyToConversation, reply_to_conversation};
use serde::{Deserialize, Serialize};
pub use start_conversation::{StartConversation, start_conversation};
pub use take_conversation::{TakeConversation, take_conversation};
pub use write_to_patient::{WriteToPatient, write_to_patient};

/// Form fields.
pub const TOPIC_FIELD: &str = "topic";
pub const SUBJECT_FIELD: &str = "subject";
pub const MESSAGE_FIELD: &str = "message";

/// A conversation as a list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationDto {
    pub id: String,
    pub subject: String,
    /// "Medical question".
    pub topic: String,
    /// In the reader's words: "Waiting for the practice", "Message from the practice", …
    pub status: String,
    /// "7 December 2026 at 10:04am": when anyone last wrote or acted.
    pub changed: String,
    pub datetime: String,
    /// For the practice: whose it is.
    pub patient_name: Option<String>,
    pub nhs_number: Option<String>,
    /// For the practice: who has it.
    pub owner: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageDto {
    pub from: String,
    pub from_the_practice: bool,
    pub when: String,
    pub datetime: String,
    pub text: String,
}

/// A conversation with its messages, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadDto {
    pub conversation: ConversationDto,
    pub messages: Vec<MessageDto>,
    pub closed: bool,
    /// The reader is the practice's staff.
    pub for_the_practice: bool,
    /// The reader has it (the practice's staff member it is assigned to).
    pub theirs: bool,
}

/// Whom the practice is writing to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecipientDto {
    pub patient_id: String,
    pub name: String,
    /// "999 000 0018".
    pub nhs_number: Option<String>,
}

/// A queue of the practice's inbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxDto {
    /// The queue's code (`unassigned`, `mine`, …).
    pub queue: String,
    pub conversations: Vec<ConversationDto>,
}

/// The inbox's queues, as its links name them: (code, name).
pub const QUEUES: [(&str, &str); 5] = [
    ("unassigned", "Unassigned"),
    ("mine", "Assigned to you"),
    ("others", "Assigned to others"),
    ("waiting", "Waiting for the patient"),
    ("closed", "Closed"),
];

#[cfg(feature = "ssr")]
mod convert {
    use backend::{messages, time};
    use domain::messages::State;

    use super::*;

    impl ConversationDto {
        pub(super) fn of(conversation: &messages::Conversation, for_the_practice: bool) -> Self {
            let status = match (conversation.state, for_the_practice) {
                (State::New | State::Taken, false) => "Waiting for the practice",
                (State::New, true) => "New",
                (State::Taken, true) => "Waiting for a reply",
                (State::Answered, false) => "Message from the practice",
                (State::Answered, true) => "Waiting for the patient",
                (State::Closed, _) => "Closed",
            };
            Self {
                id: conversation.id.clone(),
                subject: conversation.subject.clone(),
                topic: conversation
                    .topic
                    .map_or("Other", |topic| topic.short_label())
                    .to_owned(),
                status: status.to_owned(),
                changed: time::spoken(conversation.changed_at),
                datetime: conversation.changed_at.to_string(),
                patient_name: None,
                nhs_number: None,
                owner: for_the_practice
                    .then(|| conversation.owner.as_ref().map(|(_, name)| name.clone()))
                    .flatten(),
            }
        }
    }

    impl From<messages::Message> for MessageDto {
        fn from(message: messages::Message) -> Self {
            Self {
                when: time::spoken(message.at),
                datetime: message.at.to_string(),
                from: message.from,
                from_the_practice: message.from_the_practice,
                text: message.text,
            }
        }
    }
}

/// A refusal or failure of the use cases here, as the browser may see it.
#[cfg(feature = "ssr")]
pub(crate) fn refused(error: backend::messages::MessagesError) -> crate::error::AppError {
    use backend::{auth::policy::Refusal, messages::MessagesError};

    use crate::{account::fail, error::AppError};
    match error {
        MessagesError::NotFound => fail(AppError::NotFound),
        MessagesError::Refused(Refusal::BeyondGrant) => fail(AppError::NotGranted),
        MessagesError::Refused(_) => fail(AppError::NotAllowed),
        MessagesError::Closed | MessagesError::Changed => fail(AppError::Conflict),
        error => AppError::internal(&error),
    }
}

/// A new conversation's topic, subject and first message, or every problem with them (for the
/// error summary; a missing topic links to its first radio).
#[cfg(feature = "ssr")]
pub(crate) fn parse_opening(
    topic: Option<String>,
    subject: &str,
    message: &str,
) -> Result<
    (
        domain::messages::Topic,
        domain::messages::Subject,
        domain::messages::MessageText,
    ),
    crate::error::AppError,
> {
    use domain::messages::{MessageText, Subject, Topic};

    use crate::error::{AppError, FieldError};

    let topic = Topic::parse(topic.as_deref().unwrap_or_default());
    let subject = Subject::parse(subject);
    let text = MessageText::parse(message);
    let problems: Vec<FieldError> = [
        (format!("{TOPIC_FIELD}-admin"), topic.as_ref().err()),
        (SUBJECT_FIELD.to_owned(), subject.as_ref().err()),
        (MESSAGE_FIELD.to_owned(), text.as_ref().err()),
    ]
    .into_iter()
    .filter_map(|(field_id, error)| {
        Some(FieldError {
            field_id,
            message: error?.to_string(),
        })
    })
    .collect();
    match (topic, subject, text) {
        (Ok(topic), Ok(subject), Ok(text)) => Ok((topic, subject, text)),
        _ => Err(crate::account::fail(AppError::Invalid { problems })),
    }
}

/// The session's access to conversation `id`'s patient, for messages.
#[cfg(feature = "ssr")]
pub(crate) async fn access_to_conversation(
    db: &backend::Db,
    session: &backend::auth::sessions::Session,
    id: &str,
    now: jiff::Timestamp,
) -> Result<backend::auth::access::Access, backend::messages::MessagesError> {
    let patient_id = backend::messages::patient_of(db, id).await?;
    Ok(crate::account::access(
        db,
        session,
        &patient_id,
        backend::auth::policy::Purpose::Messages,
        now,
    )
    .await?)
}
