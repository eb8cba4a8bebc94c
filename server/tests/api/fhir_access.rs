//! Who may use the FHIR API: bearer tokens from the client-credentials grant, SMART scopes enforced
//! per type and interaction, and the AuditEvent every call leaves behind.

use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};
use server::config::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET};

use crate::helpers::{TestApp, spawn_app, spawn_app_with};

async fn outcome_code(response: Response, status: StatusCode) -> String {
    assert_eq!(response.status(), status);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["resourceType"], "OperationOutcome", "{body}");
    body["issue"][0]["code"].as_str().unwrap().to_owned()
}

async fn create(app: &TestApp, token: &str, resource: &Value) -> String {
    let path = resource["resourceType"].as_str().unwrap();
    let response = app
        .fhir_anonymous(Method::POST, path)
        .bearer_auth(token)
        .header("content-type", "application/fhir+json")
        .body(resource.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.unwrap();
    body["id"].as_str().unwrap().to_owned()
}

fn observation_of(patient_id: &str) -> Value {
    json!({"resourceType": "Observation", "status": "final", "code": {"text": "Pulse rate"},
        "subject": {"reference": format!("Patient/{patient_id}")}})
}

/// A patient with one observation, written with the demo client's full access, and a token of a
/// client that may read Patients only.
struct PatientWithObservation {
    patient_id: String,
    observation_id: String,
    reader: String,
}

async fn patient_with_observation(app: &TestApp, family: &str) -> PatientWithObservation {
    let everything = app.token.clone().unwrap();
    let patient_id = create(
        app,
        &everything,
        &json!({"resourceType": "Patient", "name": [{"family": family}]}),
    )
    .await;
    let observation_id = create(app, &everything, &observation_of(&patient_id)).await;
    let reader = app
        .client_with_scope("patient-reader", "system/Patient.rs")
        .await;
    PatientWithObservation {
        patient_id,
        observation_id,
        reader,
    }
}

#[tokio::test]
async fn without_a_valid_token_only_the_discovery_documents_answer() {
    let app = spawn_app().await;
    let no_token = app
        .fhir_anonymous(Method::GET, "Patient")
        .send()
        .await
        .unwrap();
    assert_eq!(no_token.headers()["www-authenticate"], "Bearer");
    assert_eq!(
        outcome_code(no_token, StatusCode::UNAUTHORIZED).await,
        "login"
    );
    let forged = app
        .fhir_anonymous(Method::GET, "Patient")
        .bearer_auth("not-a-token-we-issued")
        .send()
        .await
        .unwrap();
    assert_eq!(
        forged.headers()["www-authenticate"],
        "Bearer error=\"invalid_token\""
    );
    assert_eq!(
        outcome_code(forged, StatusCode::UNAUTHORIZED).await,
        "expired"
    );

    let metadata = app
        .fhir_anonymous(Method::GET, "metadata")
        .send()
        .await
        .unwrap();
    assert_eq!(metadata.status(), 200);
    let statement: Value = metadata.json().await.unwrap();
    let security = &statement["rest"][0]["security"];
    assert_eq!(security["service"][0]["coding"][0]["code"], "SMART-on-FHIR");
    let token_url = security["extension"][0]["extension"][0]["valueUri"]
        .as_str()
        .unwrap();
    assert!(token_url.ends_with("/oauth2/token"), "{token_url}");

    let smart: Value = app
        .get("/fhir/.well-known/smart-configuration")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(smart["token_endpoint"], token_url);
    assert_eq!(
        smart["grant_types_supported"],
        json!(["client_credentials"])
    );
}

#[tokio::test]
async fn the_token_endpoint_grants_tokens_only_to_registered_clients_with_their_secret() {
    let app = spawn_app().await;
    let granted = app
        .request_token(&[
            ("grant_type", "client_credentials"),
            ("client_id", DEMO_CLIENT_ID),
            ("client_secret", DEMO_CLIENT_SECRET),
        ])
        .await;
    assert_eq!(granted.status(), 200);
    assert_eq!(granted.headers()["cache-control"], "no-store");
    let body: Value = granted.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 300);
    assert_eq!(body["scope"], "system/*.cruds");
    assert_eq!(body["access_token"].as_str().unwrap().len(), 43);

    // HTTP Basic works as well as form fields.
    let basic = app
        .client
        .post(format!("{}/oauth2/token", app.address))
        .basic_auth(DEMO_CLIENT_ID, Some(DEMO_CLIENT_SECRET))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials&scope=system%2FPatient.rs")
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status(), 200);
    let body: Value = basic.json().await.unwrap();
    assert_eq!(body["scope"], "system/Patient.rs");

    let refusals = [
        (
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", DEMO_CLIENT_ID),
                ("client_secret", "wrong"),
            ],
            401,
            "invalid_client",
        ),
        (
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", "nobody"),
                ("client_secret", DEMO_CLIENT_SECRET),
            ],
            401,
            "invalid_client",
        ),
        (
            vec![
                ("grant_type", "password"),
                ("client_id", DEMO_CLIENT_ID),
                ("client_secret", DEMO_CLIENT_SECRET),
            ],
            400,
            "unsupported_grant_type",
        ),
        (
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", DEMO_CLIENT_ID),
                ("client_secret", DEMO_CLIENT_SECRET),
                ("scope", "patient/Patient.rs"),
            ],
            400,
            "invalid_scope",
        ),
        (vec![("client_id", DEMO_CLIENT_ID)], 400, "invalid_request"),
    ];
    for (form, status, error) in refusals {
        let response = app.request_token(&form).await;
        assert_eq!(response.status().as_u16(), status, "{form:?}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"], error, "{form:?}");
    }
}

#[tokio::test]
async fn outside_demo_mode_there_is_no_demo_client() {
    let app = spawn_app_with(false).await;
    let response = app
        .request_token(&[
            ("grant_type", "client_credentials"),
            ("client_id", DEMO_CLIENT_ID),
            ("client_secret", DEMO_CLIENT_SECRET),
        ])
        .await;
    assert_eq!(response.status(), 401);
    let anonymous = app.fhir(Method::GET, "Patient").send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
}

#[tokio::test]
async fn guessing_secrets_is_slowed_down_per_address() {
    let app = spawn_app().await;
    let guess = [
        ("grant_type", "client_credentials"),
        ("client_id", DEMO_CLIENT_ID),
        ("client_secret", "guess"),
    ];
    let mut statuses = Vec::new();
    for _ in 0..35 {
        let response = app.request_token(&guess).await;
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            assert!(response.headers().contains_key("retry-after"));
        }
        statuses.push(response.status().as_u16());
    }
    // The spawned app already asked for one token: 29 more attempts, then refusals.
    assert!(statuses[..29].iter().all(|&s| s == 401), "{statuses:?}");
    assert!(statuses[29..].iter().all(|&s| s == 429), "{statuses:?}");
}

#[tokio::test]
async fn scopes_limit_each_type_and_interaction() {
    let app = spawn_app().await;
    let PatientWithObservation {
        patient_id, reader, ..
    } = patient_with_observation(&app, "Scopetest").await;

    let as_reader =
        |method: Method, path: &str| app.fhir_anonymous(method, path).bearer_auth(&reader);
    let read = as_reader(Method::GET, &format!("Patient/{patient_id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 200);
    let search = as_reader(Method::GET, "Patient?family=scopetest")
        .send()
        .await
        .unwrap();
    assert_eq!(search.status(), 200);

    let refused = [
        as_reader(
            Method::GET,
            &format!("Observation?patient=Patient/{patient_id}"),
        ),
        as_reader(Method::DELETE, &format!("Patient/{patient_id}")),
        as_reader(Method::POST, "Patient")
            .header("content-type", "application/fhir+json")
            .body(json!({"resourceType": "Patient"}).to_string()),
        as_reader(Method::GET, "Observation/_history"),
    ];
    for request in refused {
        let response = request.send().await.unwrap();
        assert_eq!(
            response.headers()["www-authenticate"],
            "Bearer error=\"insufficient_scope\""
        );
        assert_eq!(
            outcome_code(response, StatusCode::FORBIDDEN).await,
            "forbidden"
        );
    }

    // `_revinclude` cannot smuggle in a type the token does not cover.
    let with_observations: Value = as_reader(
        Method::GET,
        &format!("Patient?_id={patient_id}&_revinclude=Observation:patient"),
    )
    .send()
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let types: Vec<&str> = with_observations["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["resource"]["resourceType"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["Patient"]);

    // Bundles are checked entry by entry: a transaction with one forbidden entry stores nothing.
    let transaction = json!({"resourceType": "Bundle", "type": "transaction", "entry": [
        {"request": {"method": "GET", "url": format!("Patient/{patient_id}")}},
        {"resource": observation_of(&patient_id), "request": {"method": "POST", "url": "Observation"}},
    ]});
    let response = app
        .client
        .post(format!("{}/fhir", app.address))
        .bearer_auth(&reader)
        .header("content-type", "application/fhir+json")
        .body(transaction.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(
        outcome_code(response, StatusCode::FORBIDDEN).await,
        "forbidden"
    );
    let observations: Value = app
        .get_fhir(&format!(
            "Observation?patient=Patient/{patient_id}&_summary=count"
        ))
        .await;
    assert_eq!(observations["total"], 1);
}

#[tokio::test]
async fn every_call_leaves_an_audit_event_naming_the_client_the_records_and_the_patient() {
    let app = spawn_app().await;
    let PatientWithObservation {
        patient_id,
        observation_id,
        reader,
    } = patient_with_observation(&app, "Audited").await;
    let refused = app
        .fhir_anonymous(Method::GET, &format!("Observation/{observation_id}"))
        .bearer_auth(&reader)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    // A read that succeeds is sent as stored, with its version meta, and names the patient the
    // Observation is about.
    let read = app.get_fhir(&format!("Observation/{observation_id}")).await;
    assert_eq!(
        (read["id"].as_str(), read["meta"]["versionId"].as_str()),
        (Some(observation_id.as_str()), Some("1"))
    );

    let trail: Value = app
        .get_fhir(&format!(
            "AuditEvent?patient=Patient/{patient_id}&_count=50"
        ))
        .await;
    let mut events: Vec<&Value> = trail["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["resource"])
        .collect();
    // Recorded to the millisecond, fixed width: text order is time order; in the same
    // millisecond, the ledger's order (the row number is the id).
    events.sort_by_key(|e| {
        (
            e["recorded"].as_str().unwrap().to_owned(),
            e["id"].as_str().unwrap().parse::<i64>().unwrap(),
        )
    });
    let summary: Vec<(String, String, String, String)> = events
        .iter()
        .map(|e| {
            (
                e["agent"][0]["who"]["identifier"]["value"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
                e["subtype"][0]["code"].as_str().unwrap().to_owned(),
                e["action"].as_str().unwrap().to_owned(),
                e["outcome"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let row = |who: &str, what: &str, action: &str, outcome: &str| {
        (
            who.to_owned(),
            what.to_owned(),
            action.to_owned(),
            outcome.to_owned(),
        )
    };
    assert_eq!(
        summary,
        [
            row(DEMO_CLIENT_ID, "create", "C", "0"),
            row(DEMO_CLIENT_ID, "create", "C", "0"),
            // Refused, and recorded as refused.
            row("patient-reader", "read", "R", "4"),
            row(DEMO_CLIENT_ID, "read", "R", "0"),
        ]
    );
    // The records an AuditEvent names.
    let entities = |event: &Value| -> Vec<String> {
        event["entity"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["what"]["reference"].as_str().map(str::to_owned))
            .collect()
    };
    assert_eq!(
        entities(events[3]),
        [
            format!("Patient/{patient_id}"),
            format!("Observation/{observation_id}")
        ]
    );
    assert_eq!(events[0]["agent"][0]["network"]["address"], "127.0.0.1");
    assert_eq!(
        entities(events[2]),
        [
            format!("Patient/{patient_id}"),
            format!("Observation/{observation_id}")
        ]
    );
}

#[tokio::test]
async fn audit_events_cannot_be_changed_or_deleted() {
    let app = spawn_app().await;
    let _ = app.get_fhir("Patient?_count=1").await;
    let trail: Value = app.get_fhir("AuditEvent?_count=1").await;
    let event = trail["entry"][0]["resource"].clone();
    let id = event["id"].as_str().unwrap();
    let changed = app
        .fhir_with(Method::PUT, &format!("AuditEvent/{id}"), &event)
        .send()
        .await
        .unwrap();
    assert_eq!(
        outcome_code(changed, StatusCode::METHOD_NOT_ALLOWED).await,
        "not-supported"
    );
    let deleted = app
        .fhir(Method::DELETE, &format!("AuditEvent/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::METHOD_NOT_ALLOWED);
    let still_there = app
        .fhir(Method::GET, &format!("AuditEvent/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(still_there.status(), 200);
}
