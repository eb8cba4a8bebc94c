//! Transactions (all or nothing), batches (each entry on its own), conditional create and type
//! history, through the REST API.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

async fn post_bundle(app: &TestApp, bundle: &Value) -> (StatusCode, Value) {
    // The base itself, as FHIR clients address it (no trailing slash).
    let response = app
        .client
        .post(format!("{}/fhir", app.address))
        .bearer_auth(app.token.as_deref().unwrap_or_default())
        .header("accept", "application/fhir+json")
        .header("content-type", "application/fhir+json")
        .body(bundle.to_string())
        .send()
        .await
        .unwrap();
    (response.status(), response.json().await.unwrap())
}

async fn total(app: &TestApp, query: &str) -> i64 {
    let bundle: Value = app.get_fhir(query).await;
    bundle["total"].as_i64().unwrap()
}

#[tokio::test]
async fn a_transaction_stores_every_entry_and_links_them_by_full_url() {
    let app = spawn_app().await;
    let bundle = json!({"resourceType": "Bundle", "type": "transaction", "entry": [
        {"fullUrl": "urn:uuid:6f1c1a52-5b7e-4a8e-9a53-0d3f4c1b2e10",
         "resource": {"resourceType": "Patient", "name": [{"family": "Transactionson"}]},
         "request": {"method": "POST", "url": "Patient"}},
        {"resource": {"resourceType": "Observation", "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}]},
            "subject": {"reference": "urn:uuid:6f1c1a52-5b7e-4a8e-9a53-0d3f4c1b2e10"}},
         "request": {"method": "POST", "url": "Observation"}},
    ]});
    let (status, response) = post_bundle(&app, &bundle).await;
    assert_eq!(status, 200, "{response}");
    assert_eq!(response["type"], "transaction-response");
    let entries = response["entry"].as_array().unwrap();
    assert_eq!(entries[0]["response"]["status"], "201 Created");
    let patient_id = entries[0]["resource"]["id"].as_str().unwrap();
    assert_eq!(
        entries[1]["resource"]["subject"]["reference"],
        format!("Patient/{patient_id}")
    );
    assert_eq!(
        total(&app, &format!("Observation?patient={patient_id}")).await,
        1
    );
}

#[tokio::test]
async fn an_appointment_booked_by_its_slots_runs_from_the_first_start_to_the_last_end() {
    let app = spawn_app().await;
    let slot = |start: &str, end: &str| {
        json!({"resourceType": "Slot", "status": "free", "schedule": {"reference": "Schedule/s1"},
            "start": start, "end": end})
    };
    // The later slot is listed first, and the earlier one is written in another offset: the
    // times are compared as instants, not as text.
    let (later, earlier) = (
        "urn:uuid:0b6f3c3e-8d2a-4f4e-9a57-1c2d3e4f5a61",
        "urn:uuid:0b6f3c3e-8d2a-4f4e-9a57-1c2d3e4f5a62",
    );
    let bundle = json!({"resourceType": "Bundle", "type": "transaction", "entry": [
        {"fullUrl": later, "resource": slot("2026-12-02T10:10:00+00:00", "2026-12-02T10:20:00+00:00"),
         "request": {"method": "POST", "url": "Slot"}},
        {"fullUrl": earlier, "resource": slot("2026-12-02T11:00:00+01:00", "2026-12-02T11:10:00+01:00"),
         "request": {"method": "POST", "url": "Slot"}},
        {"resource": {"resourceType": "Appointment", "status": "booked",
            "slot": [{"reference": later}, {"reference": earlier}],
            "participant": [{"actor": {"reference": "Patient/p1"}, "status": "accepted"}]},
         "request": {"method": "POST", "url": "Appointment"}},
    ]});
    let (status, response) = post_bundle(&app, &bundle).await;
    assert_eq!(status, 200, "{response}");
    let id = response["entry"][2]["resource"]["id"].as_str().unwrap();
    let appointment: Value = app.get_fhir(&format!("Appointment/{id}")).await;
    assert_eq!(appointment["start"], "2026-12-02T11:00:00+01:00");
    assert_eq!(appointment["end"], "2026-12-02T10:20:00+00:00");
    for slot in appointment["slot"].as_array().unwrap() {
        let slot = app.get_fhir(slot["reference"].as_str().unwrap()).await;
        assert_eq!(slot["status"], "busy");
    }
}

#[tokio::test]
async fn a_failing_entry_rolls_the_whole_transaction_back() {
    let app = spawn_app().await;
    let bundle = json!({"resourceType": "Bundle", "type": "transaction", "entry": [
        {"resource": {"resourceType": "Patient", "name": [{"family": "Rollbackson"}]},
         "request": {"method": "POST", "url": "Patient"}},
        {"resource": {"resourceType": "Appointment", "status": "booked", "slot": [{"reference": "Slot/none"}],
            "participant": [{"actor": {"reference": "Patient/p1"}, "status": "accepted"}]},
         "request": {"method": "POST", "url": "Appointment"}},
    ]});
    let (status, outcome) = post_bundle(&app, &bundle).await;
    assert_eq!(status, 422);
    assert_eq!(outcome["resourceType"], "OperationOutcome");
    assert!(
        outcome["issue"][0]["diagnostics"]
            .as_str()
            .unwrap()
            .starts_with("Bundle.entry[1]"),
        "{outcome}"
    );
    assert_eq!(
        total(&app, "Patient?family=rollbackson").await,
        0,
        "nothing of the transaction was kept"
    );
}

#[tokio::test]
async fn a_batch_answers_each_entry_on_its_own() {
    let app = spawn_app().await;
    let bundle = json!({"resourceType": "Bundle", "type": "batch", "entry": [
        {"resource": {"resourceType": "Patient", "name": [{"family": "Batchley"}]},
         "request": {"method": "POST", "url": "Patient"}},
        {"request": {"method": "GET", "url": "Patient/no-such-patient"}},
        {"request": {"method": "GET", "url": "Patient?family=batchley"}},
    ]});
    let (status, response) = post_bundle(&app, &bundle).await;
    assert_eq!(status, 200);
    assert_eq!(response["type"], "batch-response");
    let statuses: Vec<&str> = response["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["response"]["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["201 Created", "404 Not Found", "200 OK"]);
    assert_eq!(
        response["entry"][1]["response"]["outcome"]["resourceType"],
        "OperationOutcome"
    );
    assert_eq!(response["entry"][2]["resource"]["total"], 1);
}

#[tokio::test]
async fn the_base_with_a_trailing_slash_is_the_base() {
    // fhirpy and fhir-kit-client post batches to `[base]/`; an HTML "page not found" there
    // broke them.
    let app = spawn_app().await;
    let at_slash = |method: Method| {
        app.client
            .request(method, format!("{}/fhir/", app.address))
            .bearer_auth(app.token.as_deref().unwrap_or_default())
            .header("accept", "application/fhir+json")
    };
    let bundle = json!({"resourceType": "Bundle", "type": "batch", "entry": [
        {"request": {"method": "GET", "url": "Patient?family=nobody-by-that-name"}},
    ]});
    let response = at_slash(Method::POST)
        .header("content-type", "application/fhir+json")
        .body(bundle.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let response: Value = response.json().await.unwrap();
    assert_eq!(response["type"], "batch-response");
    assert_eq!(response["entry"][0]["response"]["status"], "200 OK");

    // A GET there is not an interaction FHIR defines: an OperationOutcome says so, not a page.
    let response = at_slash(Method::GET).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    let outcome: Value = response.json().await.unwrap();
    assert_eq!(outcome["resourceType"], "OperationOutcome");
}

#[tokio::test]
async fn conditional_create_makes_one_resource_however_often_it_is_sent() {
    let app = spawn_app().await;
    let body = json!({"resourceType": "Patient",
        "identifier": [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9991234578"}]});
    let send = || {
        app.fhir(Method::POST, "Patient")
            .header("content-type", "application/fhir+json")
            .header(
                "if-none-exist",
                "identifier=https://fhir.nhs.uk/Id/nhs-number|9991234578",
            )
            .body(body.to_string())
            .send()
    };
    let first = send().await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.unwrap();
    let again = send().await.unwrap();
    assert_eq!(again.status(), StatusCode::OK);
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["id"], first["id"]);
    assert_eq!(total(&app, "Patient?identifier=9991234578").await, 1);

    let ambiguous = app
        .fhir_with(Method::POST, "Patient", &body)
        .header("if-none-exist", "gender=female")
        .send()
        .await
        .unwrap();
    assert_eq!(ambiguous.status(), StatusCode::PRECONDITION_FAILED);
}

#[tokio::test]
async fn type_history_lists_the_latest_versions_newest_first() {
    let app = spawn_app().await;
    let response = app
        .fhir(Method::GET, "Slot/_history?_count=5")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let bundle: Value = response.json().await.unwrap();
    assert_eq!(bundle["type"], "history");
    let modified: Vec<&str> = bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["response"]["lastModified"].as_str().unwrap())
        .collect();
    assert_eq!(modified.len(), 5);
    assert!(modified.windows(2).all(|w| w[0] >= w[1]), "{modified:?}");
}

#[tokio::test]
async fn conditional_updates_and_deletes_in_bundles_resolve_to_the_resource_they_mean() {
    let app = spawn_app().await;
    let by_identifier = "Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|9997700082";
    let transaction = |family: &str| {
        json!({"resourceType": "Bundle", "type": "transaction", "entry": [
            {"fullUrl": "urn:uuid:0b9f2c4e-2d7a-4a52-8f0e-6c1d3b5a7e90",
             "resource": {"resourceType": "Patient", "name": [{"family": family}],
                "identifier": [{"system": "https://fhir.nhs.uk/Id/nhs-number",
                    "value": "9997700082"}]},
             "request": {"method": "PUT", "url": by_identifier}},
            {"resource": {"resourceType": "Observation", "status": "final",
                "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}]},
                "subject": {"reference": "urn:uuid:0b9f2c4e-2d7a-4a52-8f0e-6c1d3b5a7e90"}},
             "request": {"method": "POST", "url": "Observation"}},
        ]})
    };
    let (status, first) = post_bundle(&app, &transaction("Bundlesby")).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["entry"][0]["response"]["status"], "201 Created");
    let id = first["entry"][0]["resource"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        first["entry"][1]["resource"]["subject"]["reference"],
        format!("Patient/{id}")
    );

    let (_, second) = post_bundle(&app, &transaction("Bundlesby-Jones")).await;
    assert_eq!(second["entry"][0]["response"]["status"], "200 OK");
    assert_eq!(second["entry"][0]["resource"]["id"], id.as_str());
    assert_eq!(second["entry"][0]["resource"]["meta"]["versionId"], "2");
    assert_eq!(total(&app, "Patient?family=Bundlesby").await, 1);

    let batch = json!({"resourceType": "Bundle", "type": "batch", "entry": [
        {"request": {"method": "DELETE", "url": format!("Observation?subject=Patient/{id}")}},
        {"request": {"method": "DELETE", "url": "Observation?code=http://loinc.org|no-such-code"}},
        {"request": {"method": "DELETE", "url": "Patient?family=Bundlesby&_count=1"}},
    ]});
    let (_, answered) = post_bundle(&app, &batch).await;
    let statuses: Vec<&str> = answered["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["response"]["status"].as_str().unwrap())
        .collect();
    // Two Observations name the patient: too many to delete by those criteria.
    assert_eq!(
        statuses,
        [
            "412 Precondition Failed",
            "204 No Content",
            "204 No Content"
        ]
    );
    assert_eq!(total(&app, "Patient?family=Bundlesby").await, 0);
}
