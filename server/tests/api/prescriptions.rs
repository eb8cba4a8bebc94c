//! Repeat prescriptions without JavaScript: patient A (demo persona "patient-p9") orders a repeat
//! medicine for a pharmacy, a GP of the practice approves one request and refuses another with a
//! reason, and A reads both in words; a medicine due for review cannot be ordered; nobody else
//! sees or decides A's requests; a carer orders for A.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{Browser, TestApp, spawn_app};

/// A's MedicationRequests, by the text of their medicine.
async fn medication_requests(app: &TestApp, a: &str) -> Vec<Value> {
    let bundle = app
        .get_fhir(&format!("MedicationRequest?patient=Patient/{a}&_count=100"))
        .await;
    bundle["entry"]
        .as_array()
        .map(|entries| entries.iter().map(|e| e["resource"].clone()).collect())
        .unwrap_or_default()
}

fn named<'a>(requests: &'a [Value], medicine: &str) -> Vec<&'a Value> {
    requests
        .iter()
        .filter(|r| {
            r["medicationCodeableConcept"]["text"]
                .as_str()
                .is_some_and(|text| text.starts_with(medicine))
        })
        .collect()
}

fn id(resource: &Value) -> &str {
    resource["id"].as_str().unwrap()
}

#[tokio::test]
async fn a_patient_orders_a_repeat_a_gp_decides_and_the_patient_reads_what_happened() {
    let app = spawn_app().await;
    let a = app.patient_a_id().await;
    let patient = Browser::new();
    patient.sign_in_as_persona(&app.address, "patient-p9").await;

    // What A may order, what is due for review, and where it can go.
    let (status, page) = app.page_as(&patient, "/prescriptions").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Salbutamol 100micrograms/dose inhaler"),
        "{page}"
    );
    let due = page
        .split("Due for a review")
        .nth(1)
        .expect("a medicine due for review");
    assert!(due.contains("Clenil Modulite"), "{due}");
    assert!(page.contains("Boots, High Street"), "{page}");
    let found = medication_requests(&app, &a).await;
    let salbutamol = id(named(&found, "Salbutamol")[0]).to_owned();
    let clenil = id(named(&found, "Clenil")[0]).to_owned();
    let boots = app.get_fhir("Organization?name=Boots").await["entry"][0]["resource"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Nothing chosen: both problems, what was typed kept, nothing written.
    let (status, page) = app
        .post_as(
            &patient,
            "/prescriptions",
            "request_prescriptions",
            &[("note", "Going away on Friday")],
        )
        .await;
    assert!(
        status.is_redirection() || status.is_client_error(),
        "{status}"
    );
    assert!(page.contains("Select the medicines you need"), "{page}");
    assert!(
        page.contains("Select the pharmacy to send your prescription to"),
        "{page}"
    );
    assert!(page.contains("Going away on Friday"), "kept: {page}");
    // Due for review: refused, and nothing written.
    let (_, page) = app
        .post_as(
            &patient,
            "/prescriptions",
            "request_prescriptions",
            &[("medicines[]", &clenil), ("pharmacy", &boots), ("note", "")],
        )
        .await;
    assert!(page.contains("due for a review"), "{page}");
    assert_eq!(medication_requests(&app, &a).await.len(), found.len());

    // Ordered: it waits for the practice, and cannot be ordered twice.
    let (status, page) = app
        .post_as(
            &patient,
            "/prescriptions",
            "request_prescriptions",
            &[
                ("medicines[]", &salbutamol),
                ("pharmacy", &boots),
                ("note", "Going away on Friday"),
            ],
        )
        .await;
    assert!(status.is_redirection(), "{status}: {page}");
    assert!(page.contains("Your request has been sent"), "{page}");
    assert!(page.contains(">Requested</strong>"), "{page}");
    let requests = medication_requests(&app, &a).await;
    let ordered: Vec<&Value> = named(&requests, "Salbutamol")
        .into_iter()
        .filter(|r| r["status"] == "draft")
        .collect();
    assert_eq!(ordered.len(), 1, "{requests:?}");
    let order = ordered[0];
    assert_eq!(order["intent"], "order");
    assert_eq!(
        order["basedOn"][0]["reference"],
        format!("MedicationRequest/{salbutamol}")
    );
    assert_eq!(
        order["dispenseRequest"]["performer"]["display"],
        "Boots, High Street"
    );
    let order_id = id(order).to_owned();
    let response = patient
        .post_form(
            &format!("{}/api/request_prescriptions", app.address),
            &[
                ("medicines[]", &salbutamol),
                ("pharmacy", &boots),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    // The record lists the repeat once, not the order as another medicine.
    let (_, record) = app.page_as(&patient, "/your-record").await;
    assert_eq!(record.matches("<strong>Salbutamol").count(), 1, "{record}");

    // Nobody but the practice's clinicians sees it.
    let office = Browser::new();
    office
        .sign_in_as_persona(&app.address, "administrator")
        .await;
    let (status, _) = app.page_as(&office, "/prescriptions/requests").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let elsewhere = Browser::new();
    elsewhere
        .sign_in_as_persona(&app.address, "clinician-elsewhere")
        .await;
    let (status, theirs) = app.page_as(&elsewhere, "/prescriptions/requests").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!theirs.contains("Oliver Evans"), "{theirs}");
    let (status, _) = app
        .page_as(&elsewhere, &format!("/prescriptions/requests/{order_id}"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let response = patient
        .post_form(
            &format!("{}/api/decide_prescription", app.address),
            &[("id", &order_id), ("decision", "approve"), ("reason", "")],
        )
        .await;
    assert_eq!(
        response.status(),
        StatusCode::FORBIDDEN,
        "not the patient's to decide"
    );

    // A GP of the practice: the queue, the note, a refusal needs its reason, then approval.
    let gp = Browser::new();
    gp.sign_in_as_persona(&app.address, "clinician").await;
    let (status, queue) = app.page_as(&gp, "/prescriptions/requests").await;
    assert_eq!(status, StatusCode::OK);
    assert!(queue.contains("Oliver Evans"), "{queue}");
    assert!(
        queue.contains(&format!("/prescriptions/requests/{order_id}")),
        "{queue}"
    );
    let decision_page = format!("/prescriptions/requests/{order_id}");
    let (_, request) = app.page_as(&gp, &decision_page).await;
    assert!(request.contains("Going away on Friday"), "{request}");
    let (_, page) = app
        .post_as(
            &gp,
            &decision_page,
            "decide_prescription",
            &[("id", &order_id), ("decision", "refuse"), ("reason", " ")],
        )
        .await;
    assert!(page.contains("Enter the reason for refusing"), "{page}");
    let (status, page) = app
        .post_as(
            &gp,
            &decision_page,
            "decide_prescription",
            &[("id", &order_id), ("decision", "approve"), ("reason", "")],
        )
        .await;
    assert!(status.is_redirection(), "{status}");
    assert!(page.contains("approved and sent"), "{page}");
    assert!(!page.contains(&order_id), "no longer waiting: {page}");
    let approved = app.get_fhir(&format!("MedicationRequest/{order_id}")).await;
    assert_eq!(approved["status"], "active");
    let provenance = app
        .get_fhir(&format!("Provenance?target=MedicationRequest/{order_id}"))
        .await;
    assert_eq!(provenance["total"], 1, "{provenance}");
    // Decided once: a second decision is refused.
    let response = gp
        .post_form(
            &format!("{}/api/decide_prescription", app.address),
            &[
                ("id", &order_id),
                ("decision", "refuse"),
                ("reason", "Too late"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);

    // A orders again; this time the GP refuses, with a reason A reads.
    app.post_as(
        &patient,
        "/prescriptions",
        "request_prescriptions",
        &[
            ("medicines[]", &salbutamol),
            ("pharmacy", &boots),
            ("note", ""),
        ],
    )
    .await;
    let again = medication_requests(&app, &a).await;
    let second = named(&again, "Salbutamol")
        .into_iter()
        .find(|r| r["status"] == "draft")
        .map(|r| id(r).to_owned())
        .expect("a second request");
    app.post_as(
        &gp,
        &format!("/prescriptions/requests/{second}"),
        "decide_prescription",
        &[
            ("id", &second),
            ("decision", "refuse"),
            ("reason", "Please book a medication review"),
        ],
    )
    .await;
    let (_, page) = app.page_as(&patient, "/prescriptions").await;
    assert!(
        page.contains("Approved: sent to Boots, High Street"),
        "{page}"
    );
    assert!(
        page.contains("Refused: Please book a medication review"),
        "{page}"
    );

    // Every step is on A's audit trail: A's order, the GP's reading and deciding.
    let audit = app
        .get_fhir(&format!("AuditEvent?entity=MedicationRequest/{order_id}"))
        .await;
    let agents: Vec<String> = audit["entry"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["resource"]["agent"][0]["who"]["display"].as_str())
        .map(str::to_owned)
        .collect();
    assert!(agents.len() >= 3, "{audit}");
    let gp_name = agents
        .iter()
        .find(|name| !name.contains("Oliver"))
        .expect("the GP in the audit");
    let (_, looked) = app.page_as(&patient, "/your-record/who-has-looked").await;
    assert!(looked.contains(gp_name.as_str()), "{gp_name}: {looked}");
}

#[tokio::test]
async fn a_carer_orders_for_the_person_they_act_for() {
    let app = spawn_app().await;
    let a = app.patient_a_id().await;
    let carer = Browser::new();
    carer.sign_in_as_persona(&app.address, "proxy").await;
    app.post_as(&carer, "/acting-for", "act_for", &[("person", &a)])
        .await;
    let (status, page) = app.page_as(&carer, "/prescriptions").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Oliver Evans&#x27;s repeat prescriptions")
            || page.contains("Oliver Evans's repeat prescriptions"),
        "{page}"
    );
    let found = medication_requests(&app, &a).await;
    let salbutamol = id(named(&found, "Salbutamol")[0]).to_owned();
    let pharmacy = app.get_fhir("Organization?name=Mill").await["entry"][0]["resource"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, page) = app
        .post_as(
            &carer,
            "/prescriptions",
            "request_prescriptions",
            &[
                ("medicines[]", &salbutamol),
                ("pharmacy", &pharmacy),
                ("note", ""),
            ],
        )
        .await;
    assert!(status.is_redirection(), "{status}: {page}");
    let order = medication_requests(&app, &a)
        .await
        .into_iter()
        .find(|r| r["status"] == "draft")
        .expect("ordered for A");
    // Asked by the carer, for A: the audit names the carer as a proxy, and A as the patient.
    assert_ne!(order["requester"]["reference"], format!("Patient/{a}"));
    let audit = app
        .get_fhir(&format!(
            "AuditEvent?entity=MedicationRequest/{}",
            id(&order)
        ))
        .await;
    let event = &audit["entry"][0]["resource"];
    assert_eq!(event["agent"][0]["type"]["text"], "Proxy", "{event}");
}
