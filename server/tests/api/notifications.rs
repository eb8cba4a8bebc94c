//! Notifications by email, through a real SMTP server (aiosmtpd from PyPI, in `interop/.venv`,
//! which `cargo xtask test` makes), as the patient's inbox receives them.

use std::{
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use test_support::processes::{Running, free_port};

use crate::{
    helpers::{http_client, okafor_role_and_place},
    process::{demo_session, demo_token, start},
};

/// Patient A (the demo persona "patient-p9").
const PATIENT_A_NHS_NUMBER: &str = "9990000018";
const ADDRESS: &str = "amina.test@example.com";
const SERVICE_URL: &str = "http://127.0.0.1:3000";

/// aiosmtpd on `port`, keeping what arrives in the maildir `dir`.
fn smtp_server(port: u16, dir: &Path) -> Running {
    let python = Path::new(env!("CARGO_MANIFEST_DIR")).join("../interop/.venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: `cargo xtask test` makes it (interop/requirements.txt)",
        python.display()
    );
    let child = Command::new(python)
        .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
        .args(["-c", "aiosmtpd.handlers.Mailbox"])
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("aiosmtpd starts");
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "aiosmtpd never listened");
        std::thread::sleep(Duration::from_millis(50));
    }
    Running(child)
}

/// A message as its reader sees it: quoted-printable's soft line breaks and escapes undone.
fn decoded(message: &str) -> String {
    let joined = message.replace("=\r\n", "").replace("=\n", "");
    let mut text = String::with_capacity(joined.len());
    let mut rest = joined.as_str();
    while let Some(at) = rest.find('=') {
        text.push_str(&rest[..at]);
        let escape = rest
            .get(at + 1..at + 3)
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escape {
            Some(byte) if byte.is_ascii() => {
                text.push(char::from(byte));
                rest = &rest[at + 3..];
            }
            _ => {
                text.push('=');
                rest = &rest[at + 1..];
            }
        }
    }
    text.push_str(rest);
    text
}

/// The messages in the maildir so far, as text.
fn inbox(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir.join("new")) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries.flatten().map(|entry| entry.path()).collect();
    paths.sort();
    paths
        .iter()
        .filter_map(|path| std::fs::read_to_string(path).ok())
        .map(|message| decoded(&message))
        .collect()
}

/// Waits until the inbox holds `count` messages (or fails after 20 s).
async fn messages(dir: &Path, count: usize) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let arrived = inbox(dir);
        if arrived.len() >= count {
            return arrived;
        }
        assert!(
            Instant::now() < deadline,
            "{} of {count} messages arrived: {arrived:?}",
            arrived.len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

struct Practice {
    client: Client,
    base: String,
    bearer: String,
    cookie: String,
    patient: String,
}

impl Practice {
    async fn fhir(&self, path: &str) -> Value {
        let response = self
            .client
            .get(format!("{}/fhir/{path}", self.base))
            .bearer_auth(&self.bearer)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.json().await.unwrap()
    }

    /// Calls server function `name` as the signed-in patient, as a form without JavaScript does.
    async fn call(&self, name: &str, form: &[(&str, &str)]) {
        self.call_as(&self.cookie, name, form).await;
    }

    /// Calls server function `name` in the session of `cookie`, as a form without JavaScript does.
    async fn call_as(&self, cookie: &str, name: &str, form: &[(&str, &str)]) {
        let response = self
            .client
            .post(format!("{}/api/{name}", self.base))
            .header("cookie", cookie)
            .header("sec-fetch-site", "same-origin")
            .form(form)
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success() || response.status().is_redirection(),
            "{name}: {}",
            response.status()
        );
    }

    /// Holds and books the first free GP time `days` ahead, asking to be contacted by email: the
    /// appointment and its start.
    async fn book(&self, days: i64) -> (String, String) {
        let from = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24 * days);
        let from = jiff::Timestamp::from_second(from.as_second()).unwrap();
        let slots = self
            .fhir(&format!(
                "Slot?status=free&service-type=https://fhir.openhealth.example/CodeSystem/service-kind|gp\
                 &start=ge{from}&_sort=start&_count=1"
            ))
            .await;
        let slot = &slots["entry"][0]["resource"];
        let slot_id = slot["id"].as_str().unwrap();
        self.call("hold_time", &[("slot_id", slot_id)]).await;
        self.call(
            "book_appointment",
            &[("slot_id", slot_id), ("contact", "email")],
        )
        .await;
        let booked = self
            .fhir(&format!(
                "Appointment?slot=Slot/{slot_id}&status=booked&patient=Patient/{}",
                self.patient
            ))
            .await;
        let id = booked["entry"][0]["resource"]["id"]
            .as_str()
            .expect("the appointment is booked")
            .to_owned();
        (id, slot["start"].as_str().unwrap().to_owned())
    }

    /// Page `path` as the session of `cookie` sees it.
    async fn page(&self, cookie: &str, path: &str) -> String {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.text().await.unwrap()
    }
}

/// Patient A books a GP time two days ahead and another ten days ahead (each confirmed by
/// email), and asks to be told of a time earlier than the later one: the sooner appointment and
/// its start, and the later one.
async fn waiting_for_an_earlier_time(with_mail: &WithMail) -> (String, String, String) {
    let practice = &with_mail.practice;
    let (soon, soon_start) = practice.book(2).await;
    let (later, _) = practice.book(10).await;
    messages(&with_mail.maildir, 2).await;
    practice
        .call(
            "want_earlier_time",
            &[("id", later.as_str()), ("wanted", "yes")],
        )
        .await;
    (soon, soon_start, later)
}

/// The unsent reminders of `appointment`, with when each is due (Unix seconds).
async fn reminders(database: &sqlx::AnyPool, appointment: &str) -> Vec<i64> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT due_at FROM notifications WHERE kind = 'appointment-reminder' \
         AND regarding = $1 AND sent_at IS NULL AND failed_at IS NULL",
    )
    .bind(format!("Appointment/{appointment}"))
    .fetch_all(database)
    .await
    .unwrap();
    rows.into_iter().map(|(due,)| due).collect()
}

/// Brings the time `appointment`'s reminder is due to now, as if a day had passed.
async fn reminder_due_now(database: &sqlx::AnyPool, appointment: &str) {
    sqlx::query("UPDATE notifications SET due_at = $1 WHERE regarding = $2")
        .bind(jiff::Timestamp::now().as_second())
        .bind(format!("Appointment/{appointment}"))
        .execute(database)
        .await
        .unwrap();
}

/// A server with demo data sending email through aiosmtpd, patient A's record holding
/// [`ADDRESS`], and patient A signed in. Fields drop in order: the server before its database.
struct WithMail {
    practice: Practice,
    maildir: PathBuf,
    smtp_port: u16,
    smtp: Option<Running>,
    rows: sqlx::AnyPool,
    _server: Running,
    _dirs: (tempfile::TempDir, tempfile::TempDir),
    _database: test_support::TestDatabase,
}

impl WithMail {
    async fn start() -> Self {
        let mail_dir = tempfile::tempdir().unwrap();
        // A maildir aiosmtpd makes itself (it makes one only where nothing is).
        let maildir = mail_dir.path().join("maildir");
        let smtp_port = free_port();
        let smtp = smtp_server(smtp_port, &maildir);
        let database = test_support::fresh_database().await;
        let data = tempfile::tempdir().unwrap();
        let smtp_url = format!("smtp://127.0.0.1:{smtp_port}");
        // The server's warnings go to the test's output, shown when it fails.
        let (log, lines) = std::sync::mpsc::channel::<String>();
        std::thread::spawn(move || {
            for line in lines.iter().filter(|line| !line.contains(" INFO ")) {
                eprintln!("server: {line}");
            }
        });
        let (server, address) = start(
            data.path(),
            &[
                ("DATABASE_URL", database.url.as_str()),
                ("HEALTH_DEMO_MODE", "true"),
                ("HEALTH_PUBLIC_URL", SERVICE_URL),
                ("HEALTH_SMTP_URL", smtp_url.as_str()),
                (
                    "HEALTH_MAIL_FROM",
                    "Demo Surgery <no-reply@practice.example>",
                ),
            ],
            Some(log),
        );
        let base = format!("http://{address}");
        let client = http_client().build().unwrap();
        let bearer = demo_token(&client, &base).await;
        // Patient A's record has the address they gave the practice.
        let found: Value = client
            .get(format!(
                "{base}/fhir/Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|{PATIENT_A_NHS_NUMBER}"
            ))
            .bearer_auth(&bearer)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let mut patient = found["entry"][0]["resource"].clone();
        let patient_id = patient["id"].as_str().unwrap().to_owned();
        patient["telecom"] = json!([{ "system": "email", "value": ADDRESS, "use": "home" }]);
        let updated = client
            .put(format!("{base}/fhir/Patient/{patient_id}"))
            .bearer_auth(&bearer)
            .header("content-type", "application/fhir+json")
            .body(patient.to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(updated.status(), StatusCode::OK);
        let cookie = demo_session(&client, &base, "patient-p9").await;
        sqlx::any::install_default_drivers();
        let rows = sqlx::AnyPool::connect(&database.url).await.unwrap();
        Self {
            practice: Practice {
                client,
                base,
                bearer,
                cookie,
                patient: patient_id,
            },
            maildir,
            smtp_port,
            smtp: Some(smtp),
            rows,
            _server: server,
            _dirs: (mail_dir, data),
            _database: database,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_patient_who_asks_for_email_gets_a_confirmation_and_a_reminder_and_a_cancelled_one_none()
{
    let mut with_mail = WithMail::start().await;
    let smtp = with_mail.smtp.take();
    let (practice, maildir, rows) = (&with_mail.practice, &with_mail.maildir, &with_mail.rows);

    // Booked three days ahead: the confirmation comes at once, the reminder a day before.
    let (appointment, start) = practice.book(3).await;
    let confirmation = messages(maildir, 1).await.remove(0);
    // Nothing but the confirmation is due yet.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(inbox(maildir).len(), 1);
    assert!(
        confirmation.contains(&format!("To: {ADDRESS}")),
        "{confirmation}"
    );
    assert!(
        confirmation.contains("Subject: Your appointment is booked"),
        "{confirmation}"
    );
    assert!(
        confirmation.contains("From: \"Demo Surgery\" <no-reply@practice.example>"),
        "{confirmation}"
    );
    let when = backend::time::appointment_time(start.parse().unwrap());
    assert!(confirmation.contains(&when), "{when} in {confirmation}");
    assert!(confirmation.contains(&format!("{SERVICE_URL}/appointments")));
    for clinical in ["GP appointment", "Dr ", "reason"] {
        assert!(
            !confirmation.contains(clinical),
            "{clinical:?} in {confirmation}"
        );
    }
    let start_second = start.parse::<jiff::Timestamp>().unwrap().as_second();
    assert_eq!(
        reminders(rows, &appointment).await,
        [start_second - 24 * 60 * 60],
        "the reminder is due a day before"
    );
    reminder_due_now(rows, &appointment).await;
    let reminder = messages(maildir, 2)
        .await
        .into_iter()
        .find(|message| message.contains("Subject: Reminder: you have an appointment tomorrow"))
        .expect("the reminder arrived");
    assert!(reminder.contains(&when), "{reminder}");

    // Cancelled before its reminder: no reminder goes.
    let (cancelled, _) = practice.book(4).await;
    messages(maildir, 3).await;
    assert_eq!(reminders(rows, &cancelled).await.len(), 1);
    practice
        .call("cancel_appointment", &[("id", cancelled.as_str())])
        .await;
    assert!(reminders(rows, &cancelled).await.is_empty(), "withdrawn");

    // The mail server is down: the confirmation waits and is tried again, and arrives once it
    // is back.
    drop(smtp);
    let (waiting, _) = practice.book(5).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (attempts, failure): (i64, Option<String>) = sqlx::query_as(
            "SELECT attempts, last_failure FROM notifications \
             WHERE kind = 'appointment-booked' AND regarding = $1",
        )
        .bind(format!("Appointment/{waiting}"))
        .fetch_one(rows)
        .await
        .unwrap();
        if attempts >= 1 && failure.is_some() {
            assert_eq!(
                failure.as_deref(),
                Some("the mail server could not be reached")
            );
            break;
        }
        assert!(Instant::now() < deadline, "the failed attempt was recorded");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(inbox(maildir).len(), 3, "nothing more arrived meanwhile");
    let _smtp = smtp_server(with_mail.smtp_port, maildir);
    sqlx::query(
        "UPDATE notifications SET due_at = $1 WHERE kind = 'appointment-booked' AND regarding = $2",
    )
    .bind(jiff::Timestamp::now().as_second())
    .bind(format!("Appointment/{waiting}"))
    .execute(rows)
    .await
    .unwrap();
    let all = messages(maildir, 4).await;
    let confirmations = all
        .iter()
        .filter(|message| message.contains("Subject: Your appointment is booked"))
        .count();
    assert_eq!(confirmations, 3, "one for each booking");
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(inbox(maildir).len(), 4, "each notification went once");
}

/// A clinician outside A's practice breaks the glass to open A's record: A is told by email that
/// it happened and where to see who and why, and the email says nothing of the reason.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_patient_is_told_by_email_when_their_record_is_opened_in_an_emergency() {
    let with_mail = WithMail::start().await;
    let practice = &with_mail.practice;
    let clinician = demo_session(&practice.client, &practice.base, "clinician-elsewhere").await;
    let reason = "Unconscious in A&E, needs allergies";
    let broken = practice
        .client
        .post(format!("{}/api/break_glass", practice.base))
        .header("cookie", &clinician)
        .header("sec-fetch-site", "same-origin")
        .form(&[
            ("patient_id", practice.patient.as_str()),
            ("reason", reason),
        ])
        .send()
        .await
        .unwrap();
    assert!(broken.status().is_success() || broken.status().is_redirection());
    let notice = messages(&with_mail.maildir, 1).await.remove(0);
    assert!(notice.contains(&format!("To: {ADDRESS}")), "{notice}");
    assert!(notice.contains("Subject: Your GP record was opened in an emergency"));
    assert!(notice.contains(&format!("{SERVICE_URL}/your-record/who-has-looked")));
    assert!(
        !notice.contains("Unconscious") && !notice.contains("allergies"),
        "{notice}"
    );
}

/// Patient A turns appointment emails off (what was waiting is withdrawn, and a new booking
/// brings none) and on again; the practice's office cancels an appointment and A is told, with
/// nothing of why in the email; an email the mail server refused at every try shows on the
/// office's list and goes once sent again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_patient_chooses_their_emails_and_the_practice_cancelling_or_resending_reaches_them() {
    let mut with_mail = WithMail::start().await;
    let smtp = with_mail.smtp.take();
    let (practice, maildir, rows) = (&with_mail.practice, &with_mail.maildir, &with_mail.rows);
    let (first, _) = practice.book(3).await;
    messages(maildir, 1).await;
    assert_eq!(reminders(rows, &first).await.len(), 1);

    let page = practice.page(&practice.cookie, "/settings/emails").await;
    assert!(page.contains(ADDRESS), "the page says where emails go");
    assert_eq!(
        page.matches(" checked").count(),
        4,
        "every topic is on at first"
    );

    // Everything off: the waiting reminder is withdrawn, a new booking brings no email.
    practice.call("choose_emails", &[]).await;
    assert!(reminders(rows, &first).await.is_empty(), "withdrawn");
    let page = practice
        .page(&practice.cookie, "/settings/emails?saved=yes")
        .await;
    assert!(page.contains("Your choices are saved"));
    assert_eq!(page.matches(" checked").count(), 0, "{page}");
    let (second, second_start) = practice.book(4).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        inbox(maildir).len(),
        1,
        "no email while appointment emails are off"
    );
    assert!(reminders(rows, &second).await.is_empty());

    // Appointment emails on again; the practice's office cancels the second appointment.
    practice
        .call("choose_emails", &[("appointments", "on")])
        .await;
    let office = demo_session(&practice.client, &practice.base, "administrator").await;
    let seen = practice
        .page(&office, &format!("/clinic/appointments/{second}/cancel"))
        .await;
    assert!(
        seen.contains("Cancel an appointment for the practice"),
        "{seen}"
    );
    assert!(seen.contains("999 000 0018"), "whose it is");
    let why = "Dr Okafor is unwell today";
    practice
        .call_as(
            &office,
            "cancel_for_the_practice",
            &[("id", second.as_str()), ("reason", why)],
        )
        .await;
    let notice = messages(maildir, 2)
        .await
        .into_iter()
        .find(|message| message.contains("Subject: Your appointment has been cancelled"))
        .expect("the notice arrived");
    let when = backend::time::appointment_time(second_start.parse().unwrap());
    assert!(notice.contains(&when), "{notice}");
    assert!(
        !notice.contains("unwell") && !notice.contains("Okafor"),
        "{notice}"
    );
    let cancelled = practice.fhir(&format!("Appointment/{second}")).await;
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(cancelled["cancelationReason"]["coding"][0]["code"], "prov");
    assert_eq!(cancelled["cancelationReason"]["text"], why);
    let done = practice
        .page(
            &office,
            &format!("/clinic/appointments/{second}/cancelled?emailed=yes"),
        )
        .await;
    assert!(done.contains("Appointment cancelled"), "{done}");
    let theirs = practice.page(&practice.cookie, "/appointments").await;
    assert!(theirs.contains(why), "the patient reads why when signed in");

    // The mail server refuses a confirmation at every try: given up, listed for the office.
    drop(smtp);
    let (third, _) = practice.book(5).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    let failing_id = loop {
        // Seven tries already failed: the next is the last.
        sqlx::query(
            "UPDATE notifications SET attempts = 7, due_at = $1 \
             WHERE regarding = $2 AND kind = 'appointment-booked' AND claimed_until IS NULL \
             AND failed_at IS NULL",
        )
        .bind(jiff::Timestamp::now().as_second())
        .bind(format!("Appointment/{third}"))
        .execute(rows)
        .await
        .unwrap();
        let given_up: Option<(String,)> = sqlx::query_as(
            "SELECT id FROM notifications WHERE regarding = $1 AND failed_at IS NOT NULL",
        )
        .bind(format!("Appointment/{third}"))
        .fetch_optional(rows)
        .await
        .unwrap();
        if let Some((id,)) = given_up {
            break id;
        }
        assert!(Instant::now() < deadline, "the email was given up");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let list = practice.page(&office, "/practice/emails").await;
    assert!(list.contains("Appointment booked"), "{list}");
    assert!(list.contains("999 000 0018"), "{list}");
    assert!(
        list.contains("the mail server could not be reached"),
        "{list}"
    );
    assert!(list.contains("after 8 tries"), "{list}");
    let patients_view = practice
        .client
        .post(format!("{}/api/failing_emails", practice.base))
        .header("cookie", &practice.cookie)
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .unwrap();
    assert_eq!(patients_view.status(), StatusCode::FORBIDDEN);

    let _smtp = smtp_server(with_mail.smtp_port, maildir);
    practice
        .call_as(&office, "send_email_again", &[("id", failing_id.as_str())])
        .await;
    let all = messages(maildir, 3).await;
    let confirmations = all
        .iter()
        .filter(|message| message.contains("Subject: Your appointment is booked"))
        .count();
    assert_eq!(confirmations, 2, "the first booking's and the resent one");
    let list = practice.page(&office, "/practice/emails").await;
    assert!(list.contains("Every email has been sent"), "{list}");
}

/// The practice replies to patient A's message: A is emailed that there is a message, and where
/// to read it, with nothing of what it says.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_patient_is_emailed_when_the_practice_replies_to_their_message() {
    let with_mail = WithMail::start().await;
    let practice = &with_mail.practice;
    let started = practice
        .client
        .post(format!("{}/api/start_conversation", practice.base))
        .header("cookie", &practice.cookie)
        .header("sec-fetch-site", "same-origin")
        .form(&[
            ("topic", "test-results"),
            ("subject", "My blood test"),
            ("message", "Are my cholesterol results back?"),
        ])
        .send()
        .await
        .unwrap();
    let location = started.headers()["location"].to_str().unwrap().to_owned();
    let id = location
        .trim_start_matches("/messages/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let office = demo_session(&practice.client, &practice.base, "administrator").await;
    practice
        .call_as(
            &office,
            "reply_to_conversation",
            &[
                ("id", id.as_str()),
                ("message", "Yes: your cholesterol is normal."),
            ],
        )
        .await;
    let email = messages(&with_mail.maildir, 1).await.remove(0);
    assert!(email.contains(&format!("To: {ADDRESS}")), "{email}");
    assert!(email.contains("Subject: You have a message from your GP practice"));
    assert!(email.contains(&format!("{SERVICE_URL}/messages")));
    for private in ["cholesterol", "blood test", "normal"] {
        assert!(!email.contains(private), "{private:?} in {email}");
    }
}

/// A GP decides patient A's repeat prescription request: A is emailed that there is news, and
/// where to read it, with neither the medicine nor the decision nor its reason.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_patient_is_emailed_when_a_clinician_decides_their_prescription_request() {
    let with_mail = WithMail::start().await;
    let practice = &with_mail.practice;
    let medicines = practice
        .fhir(&format!(
            "MedicationRequest?patient=Patient/{}&status=active",
            practice.patient
        ))
        .await;
    let salbutamol = medicines["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| &entry["resource"])
        .find(|medicine| medicine.to_string().contains("Salbutamol"))
        .expect("A's repeat inhaler")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let pharmacy = practice.fhir("Organization?name=Boots").await["entry"][0]["resource"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    practice
        .call(
            "request_prescriptions",
            &[
                ("medicines[]", salbutamol.as_str()),
                ("pharmacy", pharmacy.as_str()),
                ("note", ""),
            ],
        )
        .await;
    let drafts = practice
        .fhir(&format!(
            "MedicationRequest?patient=Patient/{}&status=draft",
            practice.patient
        ))
        .await;
    let request = drafts["entry"][0]["resource"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let gp = demo_session(&practice.client, &practice.base, "clinician").await;
    practice
        .call_as(
            &gp,
            "decide_prescription",
            &[
                ("id", request.as_str()),
                ("decision", "refuse"),
                ("reason", "Please book a medication review"),
            ],
        )
        .await;
    let email = messages(&with_mail.maildir, 1).await.remove(0);
    assert!(email.contains(&format!("To: {ADDRESS}")), "{email}");
    assert!(email.contains("Subject: Your GP practice has looked at your prescription request"));
    assert!(email.contains(&format!("{SERVICE_URL}/prescriptions")));
    for private in [
        "Salbutamol",
        "medication review",
        "Refused",
        "refused",
        "Boots",
    ] {
        assert!(!email.contains(private), "{private:?} in {email}");
    }
}

/// Patient A asks to be told of an earlier time than an appointment of theirs; a time before it
/// frees up (here A's own other appointment, cancelled): A is emailed, the home page offers it,
/// and taking it moves the appointment there, the old one cancelled, without JavaScript.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_patient_waiting_for_an_earlier_time_is_offered_one_that_frees_up_and_takes_it() {
    let with_mail = WithMail::start().await;
    let practice = &with_mail.practice;
    let (soon, soon_start, later) = waiting_for_an_earlier_time(&with_mail).await;
    let page = practice
        .page(&practice.cookie, "/appointments?earlier=asked")
        .await;
    assert!(
        page.contains("We will tell you if an earlier time comes up"),
        "{page}"
    );
    assert!(page.contains("Stop looking for an earlier time"), "{page}");

    // The earlier one is cancelled: its time is offered for the later one.
    practice
        .call("cancel_appointment", &[("id", soon.as_str())])
        .await;
    let emails = messages(&with_mail.maildir, 3).await;
    let offer = emails
        .iter()
        .find(|email| email.contains("Subject: An earlier appointment is free"))
        .unwrap_or_else(|| panic!("an offer among {emails:?}"));
    assert!(offer.contains(&format!("{SERVICE_URL}/")), "{offer}");
    let home = practice.page(&practice.cookie, "/").await;
    assert!(home.contains("Earlier appointments"), "{home}");
    assert!(home.contains("Take this time"), "{home}");
    let slot = practice.fhir(&format!("Appointment/{soon}")).await["slot"][0]["reference"]
        .as_str()
        .unwrap()
        .trim_start_matches("Slot/")
        .to_owned();

    let taken = practice
        .client
        .post(format!("{}/api/take_earlier_time", practice.base))
        .header("cookie", &practice.cookie)
        .header("sec-fetch-site", "same-origin")
        .form(&[("id", later.as_str()), ("slot_id", slot.as_str())])
        .send()
        .await
        .unwrap();
    // Taken: the answer sends the browser to the appointment as booked.
    let moved_to = taken
        .headers()
        .get("location")
        .map(|to| to.to_str().unwrap().to_owned())
        .unwrap_or_else(|| panic!("taken: {}", taken.status()));
    let new_id = moved_to
        .trim_start_matches("/appointments/")
        .trim_end_matches("/booked?changed=true");
    let new = practice.fhir(&format!("Appointment/{new_id}")).await;
    assert_eq!(new["status"], "booked");
    assert_eq!(
        new["start"]
            .as_str()
            .unwrap()
            .parse::<jiff::Timestamp>()
            .unwrap(),
        soon_start.parse::<jiff::Timestamp>().unwrap()
    );
    let old = practice.fhir(&format!("Appointment/{later}")).await;
    assert_eq!(old["status"], "cancelled", "moved, not doubled");
    let home = practice.page(&practice.cookie, "/").await;
    assert!(
        !home.contains("Take this time"),
        "no longer offered: {home}"
    );
}

/// Times come free in other ways than these pages' cancelling: another system cancels an
/// appointment through the FHIR API, and a clinician opens new times in their diary. Each is
/// offered to patient A, waiting for an earlier time, by email and on the home page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn times_freed_through_the_fhir_api_or_opened_in_a_diary_are_offered_to_those_waiting() {
    let with_mail = WithMail::start().await;
    let practice = &with_mail.practice;
    let (soon, soon_start, _) = waiting_for_an_earlier_time(&with_mail).await;

    // Another system cancels the earlier appointment through the FHIR API.
    let mut appointment = practice.fhir(&format!("Appointment/{soon}")).await;
    appointment["status"] = json!("cancelled");
    let cancelled = practice
        .client
        .put(format!("{}/fhir/Appointment/{soon}", practice.base))
        .bearer_auth(&practice.bearer)
        .header("content-type", "application/fhir+json")
        .body(appointment.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(cancelled.status(), StatusCode::OK);
    let emails = messages(&with_mail.maildir, 3).await;
    let offers = |emails: &[String]| {
        emails
            .iter()
            .filter(|email| email.contains("Subject: An earlier appointment is free"))
            .count()
    };
    assert_eq!(offers(&emails), 1, "{emails:?}");
    let spoken = backend::time::appointment_time(soon_start.parse().unwrap());
    let home = practice.page(&practice.cookie, "/").await;
    assert!(home.contains("Take this time"), "{home}");
    assert!(home.contains(&spoken), "{spoken} in {home}");

    // A clinician opens a new time early tomorrow morning, before any of their others.
    let clinician = demo_session(&practice.client, &practice.base, "clinician").await;
    let (role, place) = okafor_role_and_place(async |path: &str| practice.fhir(path).await).await;
    let london = jiff::tz::TimeZone::get("Europe/London").unwrap();
    let tomorrow = jiff::Timestamp::now()
        .to_zoned(london.clone())
        .date()
        .tomorrow()
        .unwrap();
    let weekday = format!("{:?}", tomorrow.weekday()).to_lowercase();
    practice
        .call_as(
            &clinician,
            "open_appointment_times",
            &[
                ("clinician", role.as_str()),
                ("service", "gp"),
                ("place", place.as_str()),
                (weekday.as_str(), "on"),
                ("from", "06:00"),
                ("until", "06:10"),
                ("minutes", "10"),
                ("first_day", &tomorrow.to_string()),
                ("weeks", "1"),
            ],
        )
        .await;
    let emails = messages(&with_mail.maildir, 4).await;
    assert_eq!(offers(&emails), 2, "{emails:?}");
    let new_time = tomorrow
        .at(6, 0, 0, 0)
        .to_zoned(london)
        .unwrap()
        .timestamp();
    let spoken = backend::time::appointment_time(new_time);
    let home = practice.page(&practice.cookie, "/").await;
    assert!(home.contains(&spoken), "{spoken} in {home}");
}
