//! Messages between a patient and the practice, without JavaScript: the patient writes, the
//! practice's inbox moves the conversation from queue to queue as people take it, reply and
//! close it; nobody outside the practice sees it; what is stored is valid FHIR and every read is
//! audited.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::helpers::{Browser, TestApp, spawn_app};

/// Posts server function `name` from page `page` as a browser without JavaScript; the page it
/// ends on and its HTML.
async fn post(
    app: &TestApp,
    who: &Browser,
    page: &str,
    name: &str,
    form: &[(&str, &str)],
) -> (String, String) {
    let (status, url, page) = who.post_and_follow(&app.address, page, name, form).await;
    assert!(status.is_redirection(), "{name}: {status}");
    (url, page)
}

async fn html(app: &TestApp, who: &Browser, path: &str) -> String {
    let (status, page) = who.get_html(&format!("{}{path}", app.address)).await;
    assert_eq!(status, StatusCode::OK, "GET {path}: {page}");
    page
}

/// The id of the conversation a page address ends in (`…/messages/{id}?sent=yes`).
fn conversation_id(url: &str) -> String {
    url.rsplit('/')
        .next()
        .and_then(|last| last.split('?').next())
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_conversation_goes_from_queue_to_queue_and_only_the_practice_and_the_patient_see_it() {
    let app = spawn_app().await;
    let patient = Browser::new();
    patient.sign_in_as_persona(&app.address, "patient-p9").await;
    let office = Browser::new();
    office
        .sign_in_as_persona(&app.address, "administrator")
        .await;
    let gp = Browser::new();
    gp.sign_in_as_persona(&app.address, "clinician").await;

    // Nothing chosen: every problem at once, what was typed kept.
    let (url, page) = post(
        &app,
        &patient,
        "/messages/new",
        "start_conversation",
        &[("subject", ""), ("message", "Can I have a fit note?")],
    )
    .await;
    assert!(url.contains("/messages/new"), "{url}");
    assert!(page.contains("Error: Write to the practice"), "{page}");
    assert!(page.contains("Select what your message is about"));
    assert!(page.contains("Enter a subject"));
    assert!(page.contains("Can I have a fit note?"), "kept: {page}");

    let (url, page) = post(
        &app,
        &patient,
        "/messages/new",
        "start_conversation",
        &[
            ("topic", "admin"),
            ("subject", "Fit note for work"),
            ("message", "Hello,\n\nCan I have a fit note for last week?"),
        ],
    )
    .await;
    assert!(page.contains("Your message has been sent"), "{page}");
    let id = conversation_id(&url);
    let list = html(&app, &patient, "/messages").await;
    assert!(list.contains("Fit note for work"));
    assert!(list.contains("Waiting for the practice"));

    // New, in everyone's unassigned queue at the practice, with whose it is.
    let unassigned = html(&app, &office, "/inbox?queue=unassigned").await;
    assert!(unassigned.contains("Fit note for work"), "{unassigned}");
    assert!(unassigned.contains("999 000 0018"));
    // The office takes it: the GP sees it assigned to someone else.
    post(
        &app,
        &office,
        &format!("/inbox/{id}"),
        "take_conversation",
        &[("id", &id)],
    )
    .await;
    let mine = html(&app, &office, "/inbox?queue=mine").await;
    assert!(mine.contains("Fit note for work"), "{mine}");
    assert!(
        !html(&app, &office, "/inbox?queue=unassigned")
            .await
            .contains("Fit note for work")
    );
    let others = html(&app, &gp, "/inbox?queue=others").await;
    assert!(others.contains("Fit note for work"), "{others}");

    // The office replies: it waits for the patient, who reads the reply.
    let reply = "Yes. It will be ready to collect on Friday.";
    let (_, page) = post(
        &app,
        &office,
        &format!("/inbox/{id}"),
        "reply_to_conversation",
        &[("id", &id), ("message", reply)],
    )
    .await;
    assert!(page.contains("Your message has been sent"), "{page}");
    let waiting = html(&app, &office, "/inbox?queue=waiting").await;
    assert!(waiting.contains("Fit note for work"), "{waiting}");
    let thread = html(&app, &patient, &format!("/messages/{id}")).await;
    assert!(thread.contains(reply), "{thread}");
    assert!(thread.contains("Message from the practice"), "{thread}");

    // The patient answers: back to the office member who had it.
    post(
        &app,
        &patient,
        &format!("/messages/{id}"),
        "reply_to_conversation",
        &[("id", &id), ("message", "Thank you, Friday is fine.")],
    )
    .await;
    let mine = html(&app, &office, "/inbox?queue=mine").await;
    assert!(mine.contains("Fit note for work"), "{mine}");

    // Nobody outside the practice: the GP of another practice, another patient.
    let elsewhere = Browser::new();
    elsewhere
        .sign_in_as_persona(&app.address, "clinician-elsewhere")
        .await;
    for queue in ["unassigned", "mine", "others", "waiting", "closed"] {
        let page = html(&app, &elsewhere, &format!("/inbox?queue={queue}")).await;
        assert!(!page.contains("Fit note for work"), "{queue}: {page}");
    }
    let other_patient = Browser::new();
    other_patient
        .sign_in_as_persona(&app.address, "patient-b-p9")
        .await;
    for who in [&elsewhere, &other_patient] {
        let response = who
            .post_form(&format!("{}/api/conversation", app.address), &[("id", &id)])
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        let body = response.text().await.unwrap();
        assert!(
            !body.contains("Fit note") && !body.contains("Friday"),
            "{body}"
        );
    }
    // A patient cannot take or close their own conversation.
    let response = patient
        .post_form(
            &format!("{}/api/close_conversation", app.address),
            &[("id", &id)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    // Closed: it takes no more messages, and the patient is told how to start another.
    post(
        &app,
        &office,
        &format!("/inbox/{id}"),
        "close_conversation",
        &[("id", &id)],
    )
    .await;
    let closed = html(&app, &office, "/inbox?queue=closed").await;
    assert!(closed.contains("Fit note for work"), "{closed}");
    let response = patient
        .post_form(
            &format!("{}/api/reply_to_conversation", app.address),
            &[("id", &id), ("message", "One more thing")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let thread = html(&app, &patient, &format!("/messages/{id}")).await;
    assert!(thread.contains("This conversation is closed"), "{thread}");
    assert!(!thread.contains("One more thing"));

    // Stored as FHIR the specification allows, and every reading audited.
    let bundle = app
        .get_fhir(&format!(
            "Communication?part-of=Communication/{id}&_sort=sent"
        ))
        .await;
    let messages: Vec<&Value> = bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| &entry["resource"])
        .collect();
    assert_eq!(messages.len(), 3, "{bundle}");
    let header = app.get_fhir(&format!("Communication/{id}")).await;
    let task = app
        .get_fhir(&format!("Task?focus=Communication/{id}"))
        .await["entry"][0]["resource"]
        .clone();
    assert_eq!(task["status"], "completed");
    assert_eq!(header["status"], "completed", "closed on the record too");
    for resource in messages.into_iter().chain([&header, &task]) {
        let kind = resource["resourceType"].as_str().unwrap();
        let outcome: Value = app
            .fhir(Method::POST, &format!("{kind}/$validate"))
            .header("content-type", "application/fhir+json")
            .body(resource.to_string())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let errors: Vec<&Value> = outcome["issue"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|issue| matches!(issue["severity"].as_str(), Some("error" | "fatal")))
            .collect();
        assert!(errors.is_empty(), "{kind}: {outcome}");
    }
    let audit = app
        .get_fhir(&format!("AuditEvent?entity=Communication/{id}&_count=100"))
        .await;
    let agents: Vec<String> = audit["entry"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|entry| {
            entry["resource"]["agent"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .filter_map(|agent| agent["who"]["display"].as_str().map(str::to_owned))
        .collect();
    assert!(agents.len() >= 6, "each reading and writing: {agents:?}");
}

/// The practice writes first: the office checks whose record it is, writes, and the patient reads
/// it and answers; the conversation waits for the patient, then comes back to the writer.
#[tokio::test]
async fn the_practice_writes_to_a_patient_who_reads_and_answers() {
    let app = spawn_app().await;
    let a = app.patient_a_id().await;
    let office = Browser::new();
    office
        .sign_in_as_persona(&app.address, "administrator")
        .await;
    let page = html(&app, &office, &format!("/patients/{a}/message")).await;
    assert!(page.contains("Send a message to Oliver Evans"), "{page}");
    assert!(page.contains("999 000 0018"));
    let (url, page) = post(
        &app,
        &office,
        &format!("/patients/{a}/message"),
        "write_to_patient",
        &[
            ("patient_id", &a),
            ("topic", "test-results"),
            ("subject", "Your blood test"),
            ("message", "Please book a review of your results."),
        ],
    )
    .await;
    assert!(url.contains("/inbox/"), "{url}");
    assert!(page.contains("Your message has been sent"), "{page}");
    let id = conversation_id(&url);
    let waiting = html(&app, &office, "/inbox?queue=waiting").await;
    assert!(waiting.contains("Your blood test"), "{waiting}");

    let patient = Browser::new();
    patient.sign_in_as_persona(&app.address, "patient-p9").await;
    let list = html(&app, &patient, "/messages").await;
    assert!(list.contains("Your blood test"), "{list}");
    assert!(list.contains("Message from the practice"), "{list}");
    post(
        &app,
        &patient,
        &format!("/messages/{id}"),
        "reply_to_conversation",
        &[("id", &id), ("message", "I have booked for Tuesday.")],
    )
    .await;
    let mine = html(&app, &office, "/inbox?queue=mine").await;
    assert!(
        mine.contains("Your blood test"),
        "back to the writer: {mine}"
    );

    // Someone else's patient: the practice elsewhere cannot write to them.
    let elsewhere = Browser::new();
    elsewhere
        .sign_in_as_persona(&app.address, "clinician-elsewhere")
        .await;
    let response = elsewhere
        .post_form(
            &format!("{}/api/write_to_patient", app.address),
            &[
                ("patient_id", &a),
                ("topic", "admin"),
                ("subject", "Hello"),
                ("message", "Hello"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}
