//! Conversations between a patient and their practice, kept as FHIR: a conversation is a
//! Communication (its header: subject, topic, the patient) that each message names as `partOf`,
//! and a Task whose status and owner place it in the practice's inbox (`domain::messages`): the
//! patient writes (or the practice writes to them), someone at the practice takes it, replies
//! (and the patient is emailed that there is a message, nothing more) or closes it.
//!
//! Reading a conversation is reading the patient's record, so every use case takes an `Access`
//! checked for `Purpose::Messages` (the patient, their proxy, the staff of their practice; never
//! by breaking the glass) and is audited; the inbox is audited as a listing. A message and the
//! Task's new state are written in one transaction, built on the Task's version as read: two
//! people acting at once never lose a message, and the one who came second is told it changed.

use std::collections::BTreeSet;

use domain::{
    NhsNumber,
    identity::{Actor, StaffUser},
    messages::{MessageText, Queue, State, Subject, Topic, queue_of},
};
use fhir::ResourceType;
use jiff::Timestamp;
use serde_json::{Value, json};
use store::{Found, WriteError, repository::every_match as search};

use crate::{
    Db, FhirRepository, StoreError,
    auth::{
        access::{Access, AccessError},
        audit::{self, AccessRecord, Action},
        policy::{self, Basis, Purpose, Refusal},
        sessions::Session,
    },
    notifications,
};

/// The code system of a conversation's topic.
pub const TOPIC_SYSTEM: &str = "https://fhir.openhealth.example/CodeSystem/message-topic";
/// The practice's work a conversation's Task stands for.
const TASK_SYSTEM: &str = "https://fhir.openhealth.example/CodeSystem/practice-task";
const TASK_CODE: &str = "reply-to-patient";

/// How many conversations a list shows.
const LISTED: usize = 100;

/// A conversation, as a list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversation {
    /// The header Communication's id.
    pub id: String,
    pub subject: String,
    pub topic: Option<Topic>,
    pub patient_id: String,
    pub state: State,
    /// Who at the practice has it: their SDS user id and name.
    pub owner: Option<(String, String)>,
    /// When anyone last wrote or acted on it.
    pub changed_at: Timestamp,
}

/// One message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The writer's name as the message records it.
    pub from: String,
    pub from_the_practice: bool,
    pub at: Timestamp,
    pub text: String,
}

/// A conversation and its messages, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thread {
    pub conversation: Conversation,
    pub messages: Vec<Message>,
    /// Whose it is, for the practice's staff.
    pub patient_name: String,
    pub nhs_number: Option<NhsNumber>,
}

/// A conversation in the practice's inbox, with whose it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxEntry {
    pub conversation: Conversation,
    pub patient_name: String,
    pub nhs_number: Option<NhsNumber>,
}

#[derive(Debug, thiserror::Error)]
pub enum MessagesError {
    /// No such conversation (or not one this person can know of).
    #[error("not found")]
    NotFound,
    #[error("refused: {0:?}")]
    Refused(Refusal),
    /// It is closed: no more messages (the patient starts another conversation).
    #[error("the conversation is closed")]
    Closed,
    /// Someone else acted on it at the same moment; look again.
    #[error("the conversation changed meanwhile")]
    Changed,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the write or its audit record failed")]
    Write(#[from] WriteError),
}

impl From<AccessError> for MessagesError {
    fn from(error: AccessError) -> Self {
        match error {
            AccessError::NotFound => Self::NotFound,
            AccessError::Refused { refusal, .. } => Self::Refused(refusal),
            AccessError::Store(error) => error.into(),
            AccessError::Audit(error) => error.into(),
        }
    }
}

/// Whose conversation `id` is: the patient whose record the edge checks access to first.
pub async fn patient_of(db: &Db, id: &str) -> Result<String, MessagesError> {
    let (header, _) = header(db, id).await?;
    patient_id(&header).ok_or(MessagesError::NotFound)
}

/// The conversations of `access`'s patient, newest first.
pub async fn conversations(
    db: &Db,
    access: Access,
    now: Timestamp,
) -> Result<Vec<Conversation>, MessagesError> {
    let patient_id = access.patient_id.clone();
    let mut record = checked(access, &patient_id)?;
    let tasks = search(
        db,
        ResourceType::Task,
        &[
            ("patient", format!("Patient/{patient_id}")),
            ("code", format!("{TASK_SYSTEM}|{TASK_CODE}")),
            ("_sort", "-modified".to_owned()),
        ],
    )
    .await?;
    let mut listed = Vec::new();
    for task in tasks.iter().take(LISTED) {
        let Some(conversation) = conversation_of(db, task).await? else {
            continue;
        };
        record
            .records
            .insert(format!("Communication/{}", conversation.id));
        listed.push(conversation);
    }
    record.interaction = "search-type";
    record.action = Action::Execute;
    audit::record(db, &record, now).await?;
    Ok(listed)
}

/// `access`'s patient (or their proxy) starts a conversation with the practice: its header,
/// their first message and the Task that puts it in the inbox, in one go. Answers with its id.
pub async fn start(
    db: &Db,
    access: Access,
    (topic, subject): (Topic, &Subject),
    text: &MessageText,
    now: Timestamp,
) -> Result<String, MessagesError> {
    if !matches!(access.basis, Basis::Own | Basis::Proxy) {
        return Err(MessagesError::Refused(Refusal::NotTheirs));
    }
    let opening = Opening {
        topic,
        subject,
        sender: sender(&access),
        text,
        state: State::New,
        owner: None,
    };
    open(db, access, opening, now).await
}

/// The practice's staff member of `access` writes to its patient, starting a conversation that
/// waits for the patient (and is theirs to follow); the patient is emailed that there is a
/// message, if they want such emails. Answers with its id.
pub async fn write_to_patient(
    db: &Db,
    access: Access,
    (topic, subject): (Topic, &Subject),
    text: &MessageText,
    now: Timestamp,
) -> Result<String, MessagesError> {
    let Some(staff) = staff_of(&access) else {
        return Err(MessagesError::Refused(Refusal::NotTheirs));
    };
    if !matches!(access.basis, Basis::CareTeam | Basis::PracticeOffice) {
        return Err(MessagesError::Refused(Refusal::NotClinical));
    }
    let patient_id = access.patient_id.clone();
    let opening = Opening {
        topic,
        subject,
        sender: sender(&access),
        text,
        state: State::Answered,
        owner: Some(owner(&staff)),
    };
    let id = open(db, access, opening, now).await?;
    notifications::message_from_the_practice(db, &patient_id, &id, now).await;
    Ok(id)
}

/// A new conversation's first message, and where it starts in the inbox.
struct Opening<'a> {
    topic: Topic,
    subject: &'a Subject,
    sender: Value,
    text: &'a MessageText,
    state: State,
    owner: Option<Value>,
}

/// Stores a new conversation of `access`'s patient (its header, first message and Task) in one
/// transaction, and audits it. Answers with its id.
async fn open(
    db: &Db,
    access: Access,
    opening: Opening<'_>,
    now: Timestamp,
) -> Result<String, MessagesError> {
    let patient_id = access.patient_id.clone();
    let mut record = checked(access, &patient_id)?;
    let id = store::new_id();
    let patient = json!({ "reference": format!("Patient/{patient_id}") });
    let category = category(opening.topic);
    let subject = opening.subject.as_str();
    let header = json!({
        "resourceType": "Communication",
        "id": id,
        "status": "in-progress",
        "category": [category],
        "subject": patient,
        "topic": { "text": subject },
        "sent": store::instant(now),
    });
    let message = message(
        &id,
        (&patient, &category, subject),
        opening.sender,
        opening.text,
        now,
    );
    let mut task = json!({
        "resourceType": "Task",
        "status": opening.state.task_status(),
        "intent": "order",
        "code": { "coding": [{
            "system": TASK_SYSTEM,
            "code": TASK_CODE,
            "display": "Reply to a patient's message",
        }]},
        "focus": { "reference": format!("Communication/{id}") },
        "for": patient,
        "authoredOn": store::instant(now),
        "lastModified": store::instant(now),
    });
    if let Some(owner) = opening.owner {
        task["owner"] = owner;
    }
    let mut tx = store::begin(db).await?;
    store::insert_new(&mut tx, header, now).await?;
    let message = store::create_in(&mut tx, ResourceType::Communication, message, now).await?;
    let task = store::create_in(&mut tx, ResourceType::Task, task, now).await?;
    tx.commit().await?;
    record.interaction = "create";
    record.action = Action::Create;
    record.records.extend([
        format!("Communication/{id}"),
        format!(
            "Communication/{}",
            message.resource["id"].as_str().unwrap_or_default()
        ),
        format!("Task/{}", task.resource["id"].as_str().unwrap_or_default()),
    ]);
    audit::record(db, &record, now).await?;
    Ok(id)
}

/// Whose record `access` opens, for the practice's staff writing to them: their name and NHS
/// number. Audited as a read.
pub async fn recipient(
    db: &Db,
    access: Access,
    now: Timestamp,
) -> Result<(String, Option<NhsNumber>), MessagesError> {
    if !matches!(access.basis, Basis::CareTeam | Basis::PracticeOffice) {
        return Err(MessagesError::Refused(Refusal::NotClinical));
    }
    let whose = whose(&access.patient);
    let patient_id = access.patient_id.clone();
    let record = checked(access, &patient_id)?;
    audit::record(db, &record, now).await?;
    Ok(whose)
}

/// Conversation `id` with its messages, for `access` (to its patient's record).
pub async fn thread(
    db: &Db,
    access: Access,
    id: &str,
    now: Timestamp,
) -> Result<Thread, MessagesError> {
    let (header, _) = header(db, id).await?;
    let patient_id = patient_id(&header).ok_or(MessagesError::NotFound)?;
    let (patient_name, nhs_number) = whose(&access.patient);
    let mut record = checked(access, &patient_id)?;
    let (task, _) = task_of(db, id).await?;
    let conversation = conversation(&header, &task).ok_or(MessagesError::NotFound)?;
    let found = search(
        db,
        ResourceType::Communication,
        &[
            ("part-of", format!("Communication/{id}")),
            ("_sort", "sent".to_owned()),
        ],
    )
    .await?;
    let messages = found.iter().filter_map(message_of).collect();
    record.records.insert(format!("Communication/{id}"));
    record.records.extend(
        found
            .iter()
            .filter_map(|m| Some(format!("Communication/{}", m["id"].as_str()?))),
    );
    audit::record(db, &record, now).await?;
    Ok(Thread {
        conversation,
        messages,
        patient_name,
        nhs_number,
    })
}

/// Adds `text` to conversation `id`, from whoever `access` lets in: the patient or their proxy
/// (back to whoever at the practice had it, or to the unassigned queue), or the practice's staff
/// (it then waits for the patient, who is emailed that there is a reply, if they want that).
pub async fn reply(
    db: &Db,
    access: Access,
    id: &str,
    text: &MessageText,
    now: Timestamp,
) -> Result<(), MessagesError> {
    let (header, _) = header(db, id).await?;
    let patient_id = patient_id(&header).ok_or(MessagesError::NotFound)?;
    let from_the_practice = matches!(access.actor, Actor::Staff(_));
    let sender = sender(&access);
    let staff = staff_of(&access);
    let mut record = checked(access, &patient_id)?;
    let (mut task, version) = task_of(db, id).await?;
    let state = state_of(&task).ok_or(MessagesError::NotFound)?;
    let next = if from_the_practice {
        if state == State::Closed {
            return Err(MessagesError::Closed);
        }
        if task["owner"].is_null()
            && let Some(staff) = &staff
        {
            task["owner"] = owner(staff);
        }
        State::Answered
    } else {
        state
            .after_patient_writes(!task["owner"].is_null())
            .ok_or(MessagesError::Closed)?
    };
    task["status"] = json!(next.task_status());
    task["lastModified"] = json!(store::instant(now));
    let patient = json!({ "reference": format!("Patient/{patient_id}") });
    let category = header["category"][0].clone();
    let subject = header["topic"]["text"].as_str().unwrap_or_default();
    let message = message(id, (&patient, &category, subject), sender, text, now);
    let task_id = task["id"].as_str().unwrap_or_default().to_owned();
    let mut tx = store::begin(db).await?;
    let written = store::create_in(&mut tx, ResourceType::Communication, message, now).await?;
    save_task(&mut tx, &task_id, task, version, now)
        .await
        .map_err(changed)?;
    tx.commit().await?;
    record.interaction = "create";
    record.action = Action::Create;
    record.records.extend([
        format!(
            "Communication/{}",
            written.resource["id"].as_str().unwrap_or_default()
        ),
        format!("Task/{task_id}"),
    ]);
    audit::record(db, &record, now).await?;
    if from_the_practice {
        notifications::message_from_the_practice(db, &patient_id, id, now).await;
    }
    Ok(())
}

/// The practice's staff member of `access` takes conversation `id` (it moves to their queue).
pub async fn take(db: &Db, access: Access, id: &str, now: Timestamp) -> Result<(), MessagesError> {
    act(db, access, id, now, |task, staff| {
        task["owner"] = owner(staff);
        if state_of(task) == Some(State::New) {
            task["status"] = json!(State::Taken.task_status());
        }
        Ok(())
    })
    .await
}

/// The practice's staff member of `access` closes conversation `id`: no more messages.
pub async fn close(db: &Db, access: Access, id: &str, now: Timestamp) -> Result<(), MessagesError> {
    act(db, access, id, now, |task, _| {
        if state_of(task) == Some(State::Closed) {
            return Err(MessagesError::Closed);
        }
        task["status"] = json!(State::Closed.task_status());
        Ok(())
    })
    .await
}

/// The conversations of `queue` in the inbox of `session`'s person (the practice's staff), of
/// the patients registered with their practice, most recently changed first. Audited as a
/// listing of those patients.
pub async fn inbox(
    db: &Db,
    session: &Session,
    queue: Queue,
    address: Option<String>,
    now: Timestamp,
) -> Result<Vec<InboxEntry>, MessagesError> {
    let Actor::Staff(staff) = &session.actor else {
        return Err(MessagesError::Refused(Refusal::NotTheirs));
    };
    let statuses = match queue {
        Queue::Unassigned | Queue::Mine | Queue::Others => "requested,in-progress",
        Queue::WaitingForThePatient => "on-hold",
        Queue::Closed => "completed",
    };
    let tasks = search(
        db,
        ResourceType::Task,
        &[
            ("code", format!("{TASK_SYSTEM}|{TASK_CODE}")),
            ("status", statuses.to_owned()),
            ("_sort", "-modified".to_owned()),
        ],
    )
    .await?;
    let mut listed = Vec::new();
    for task in &tasks {
        let Some(conversation) = conversation_of(db, task).await? else {
            continue;
        };
        let owner = conversation.owner.as_ref().map(|(id, _)| id.as_str());
        if queue_of(conversation.state, owner, &staff.user_id) != queue {
            continue;
        }
        let Found::Current(patient) = db
            .read(ResourceType::Patient, &conversation.patient_id)
            .await?
        else {
            continue;
        };
        if policy::registered_practice(db, &patient.resource)
            .await?
            .as_ref()
            != Some(&staff.organisation)
        {
            continue;
        }
        let (patient_name, nhs_number) = whose(&patient.resource);
        listed.push(InboxEntry {
            conversation,
            patient_name,
            nhs_number,
        });
        if listed.len() == LISTED {
            break;
        }
    }
    let mut record = AccessRecord::staff_listing(&session.actor, &staff.organisation, address);
    record.records = listed
        .iter()
        .map(|entry| format!("Communication/{}", entry.conversation.id))
        .collect::<BTreeSet<_>>();
    record.patients = listed
        .iter()
        .map(|entry| format!("Patient/{}", entry.conversation.patient_id))
        .collect();
    audit::record(db, &record, now).await?;
    Ok(listed)
}

/// Changes conversation `id`'s Task by `change`, for the practice's staff only, built on the
/// version read; the header's status follows the Task's (`completed` once closed). Audited as
/// an update.
async fn act(
    db: &Db,
    access: Access,
    id: &str,
    now: Timestamp,
    change: impl FnOnce(&mut Value, &StaffUser) -> Result<(), MessagesError>,
) -> Result<(), MessagesError> {
    let (mut header, header_version) = header(db, id).await?;
    let patient_id = patient_id(&header).ok_or(MessagesError::NotFound)?;
    let staff = staff_of(&access).ok_or(MessagesError::Refused(Refusal::NotTheirs))?;
    let mut record = checked(access, &patient_id)?;
    let (mut task, version) = task_of(db, id).await?;
    change(&mut task, &staff)?;
    task["lastModified"] = json!(store::instant(now));
    let task_id = task["id"].as_str().unwrap_or_default().to_owned();
    let closed = state_of(&task) == Some(State::Closed);
    let mut tx = store::begin(db).await?;
    let mut written = save_task(&mut tx, &task_id, task, version, now).await;
    if closed && written.is_ok() {
        header["status"] = json!("completed");
        written = store::update_in(
            &mut tx,
            ResourceType::Communication,
            id,
            header,
            Some(header_version),
            now,
        )
        .await
        .map(drop);
        record.records.insert(format!("Communication/{id}"));
    }
    written.map_err(changed)?;
    tx.commit().await?;
    record.interaction = "update";
    record.action = Action::Update;
    record.records.insert(format!("Task/{task_id}"));
    audit::record(db, &record, now).await?;
    Ok(())
}

/// Writes `task` (`task_id`) back over the `version` it was read at, in `tx`: a
/// [`WriteError::VersionMismatch`] when someone changed it meanwhile.
async fn save_task(
    tx: &mut store::Transaction,
    task_id: &str,
    task: Value,
    version: i64,
    now: Timestamp,
) -> Result<(), WriteError> {
    store::update_in(tx, ResourceType::Task, task_id, task, Some(version), now)
        .await
        .map(drop)
}

/// A write built on a version someone else has changed meanwhile is [`MessagesError::Changed`].
fn changed(error: WriteError) -> MessagesError {
    match error {
        WriteError::VersionMismatch { .. } | WriteError::Conflict => MessagesError::Changed,
        error => error.into(),
    }
}

/// The audit record to complete, if `access` was checked for messages of `patient_id`.
fn checked(access: Access, patient_id: &str) -> Result<AccessRecord, MessagesError> {
    if access.purpose != Purpose::Messages || access.patient_id != patient_id {
        return Err(MessagesError::NotFound);
    }
    let mut record = access.record;
    record.basis = Some(access.basis);
    Ok(record)
}

fn staff_of(access: &Access) -> Option<StaffUser> {
    match &access.actor {
        Actor::Staff(staff) => Some(staff.clone()),
        Actor::Patient(_) => None,
    }
}

/// Who writes, as a message's `sender`: the patient (or the proxy writing for them, by name),
/// or the practice's staff member.
fn sender(access: &Access) -> Value {
    match &access.actor {
        Actor::Patient(patient) => match &patient.patient_id {
            Some(id) => json!({
                "reference": format!("Patient/{id}"),
                "display": patient.display_name,
            }),
            None => json!({ "display": patient.display_name }),
        },
        Actor::Staff(staff) => json!({
            "identifier": { "system": fhir::SDS_USER_ID_SYSTEM, "value": staff.user_id },
            "display": staff.display_name,
        }),
    }
}

/// `staff` as a Task's owner.
fn owner(staff: &StaffUser) -> Value {
    json!({
        "identifier": { "system": fhir::SDS_USER_ID_SYSTEM, "value": staff.user_id },
        "display": staff.display_name,
    })
}

fn category(topic: Topic) -> Value {
    json!({ "coding": [{
        "system": TOPIC_SYSTEM,
        "code": topic.code(),
        "display": topic.short_label(),
    }]})
}

/// One message of conversation `header_id`.
fn message(
    header_id: &str,
    (patient, category, subject): (&Value, &Value, &str),
    sender: Value,
    text: &MessageText,
    now: Timestamp,
) -> Value {
    json!({
        "resourceType": "Communication",
        "status": "completed",
        "partOf": [{ "reference": format!("Communication/{header_id}") }],
        "category": [category],
        "subject": patient,
        "topic": { "text": subject },
        "sender": sender,
        "sent": store::instant(now),
        "payload": [{ "contentString": text.as_str() }],
    })
}

/// Conversation `id`'s header, and its version.
async fn header(db: &Db, id: &str) -> Result<(Value, i64), MessagesError> {
    let Found::Current(found) = db.read(ResourceType::Communication, id).await? else {
        return Err(MessagesError::NotFound);
    };
    // A message is not a conversation: only a header has no `partOf`.
    if !found.resource["partOf"].is_null() {
        return Err(MessagesError::NotFound);
    }
    Ok((found.resource, found.version_id))
}

/// The Task of conversation `id`, and its version.
async fn task_of(db: &Db, id: &str) -> Result<(Value, i64), MessagesError> {
    let found = search(
        db,
        ResourceType::Task,
        &[("focus", format!("Communication/{id}"))],
    )
    .await?;
    let task = found.into_iter().next().ok_or(MessagesError::NotFound)?;
    let task_id = task["id"].as_str().unwrap_or_default().to_owned();
    let Found::Current(current) = db.read(ResourceType::Task, &task_id).await? else {
        return Err(MessagesError::NotFound);
    };
    Ok((current.resource, current.version_id))
}

/// The conversation a Task stands for, reading its header.
async fn conversation_of(db: &Db, task: &Value) -> Result<Option<Conversation>, StoreError> {
    let Some(id) = task["focus"]["reference"]
        .as_str()
        .and_then(|r| r.strip_prefix("Communication/"))
    else {
        return Ok(None);
    };
    let Found::Current(header) = db.read(ResourceType::Communication, id).await? else {
        return Ok(None);
    };
    Ok(conversation(&header.resource, task))
}

fn conversation(header: &Value, task: &Value) -> Option<Conversation> {
    let owner = task["owner"]["identifier"]["value"].as_str().map(|id| {
        (
            id.to_owned(),
            task["owner"]["display"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        )
    });
    Some(Conversation {
        id: header["id"].as_str()?.to_owned(),
        subject: header["topic"]["text"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        topic: header["category"][0]["coding"][0]["code"]
            .as_str()
            .and_then(|code| Topic::parse(code).ok()),
        patient_id: patient_id(header)?,
        state: state_of(task)?,
        owner,
        changed_at: task["lastModified"].as_str()?.parse().ok()?,
    })
}

fn message_of(message: &Value) -> Option<Message> {
    Some(Message {
        from: message["sender"]["display"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        from_the_practice: !message["sender"]["reference"]
            .as_str()
            .is_some_and(|r| r.starts_with("Patient/")),
        at: message["sent"].as_str()?.parse().ok()?,
        text: message["payload"][0]["contentString"].as_str()?.to_owned(),
    })
}

fn state_of(task: &Value) -> Option<State> {
    State::from_task_status(task["status"].as_str()?)
}

fn patient_id(header: &Value) -> Option<String> {
    header["subject"]["reference"]
        .as_str()?
        .strip_prefix("Patient/")
        .map(str::to_owned)
}

/// A Patient's name and NHS number.
pub(crate) fn whose(patient: &Value) -> (String, Option<NhsNumber>) {
    let nhs_number = fhir::read::identifier(patient, fhir::NHS_NUMBER_SYSTEM)
        .and_then(|text| NhsNumber::parse(text).ok());
    (fhir::read::person_name(patient), nhs_number)
}
