//! The FHIR REST API as an independent client sees it: statuses, headers, OperationOutcomes.

use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

const FHIR_JSON: &str = "application/fhir+json";

fn patient(nhs_number: &str) -> Value {
    json!({
        "resourceType": "Patient",
        "identifier": [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": nhs_number}],
        "name": [{"family": "Testperson", "given": ["Alex"]}],
        "gender": "other",
        "birthDate": "1990-04-01",
    })
}

async fn send_json(app: &TestApp, method: Method, path: &str, body: &Value) -> Response {
    app.fhir_with(method, path, body).send().await.unwrap()
}

/// Asserts the response is an OperationOutcome with `status` and returns its first issue.
async fn outcome(response: Response, status: u16) -> Value {
    assert_eq!(response.status().as_u16(), status);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with(FHIR_JSON)
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["resourceType"], "OperationOutcome", "{body}");
    body["issue"][0].clone()
}

#[tokio::test]
async fn the_api_is_described_in_openapi_from_the_same_definitions() {
    let app = spawn_app().await;
    // Like the CapabilityStatement, read without a token: tooling reads it before signing in.
    let response = app
        .client
        .get(format!("{}/fhir/openapi.json", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let document: Value = response.json().await.unwrap();
    assert_eq!(document["openapi"], "3.0.3");
    assert_eq!(
        document["servers"][0]["url"],
        format!("{}/fhir", app.address)
    );
    let paths = document["paths"].as_object().unwrap();
    for t in ["Patient", "Specimen", "Observation"] {
        let instance = &paths[&format!("/{t}/{{id}}")];
        for method in ["get", "put", "patch", "delete"] {
            assert!(instance[method].is_object(), "{method} {t}");
        }
        assert!(paths[&format!("/{t}")]["post"].is_object());
    }
    // The audit trail is append-only, in the document as in the CapabilityStatement.
    assert!(paths["/AuditEvent/{id}"].get("put").is_none());
    let birthdate = paths["/Patient"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "birthdate");
    assert!(birthdate.is_some(), "search parameters are listed");
    // Schemas say what the validator checks: only known elements, required ones, codes of
    // required bindings, primitive formats.
    let schemas = &document["components"]["schemas"];
    let patient = &schemas["Patient"];
    assert_eq!(patient["additionalProperties"], false);
    assert_eq!(
        patient["properties"]["gender"]["enum"],
        json!(["female", "male", "other", "unknown"])
    );
    assert!(patient["properties"]["_birthDate"].is_object());
    assert!(patient["properties"].get("_id").is_none());
    let observation = &schemas["Observation"];
    let required = observation["required"].as_array().unwrap();
    assert!(required.contains(&json!("status")) && required.contains(&json!("code")));
    assert_eq!(
        observation["properties"]["valueQuantity"]["$ref"],
        "#/components/schemas/Quantity"
    );
    assert!(
        schemas["date"]["pattern"]
            .as_str()
            .unwrap()
            .starts_with("^(?:")
    );
}

#[tokio::test]
async fn metadata_states_fhir_r4_and_only_the_interactions_implemented() {
    let app = spawn_app().await;
    let response = app.fhir(Method::GET, "metadata").send().await.unwrap();
    assert_eq!(response.status(), 200);
    let statement: Value = response.json().await.unwrap();
    assert_eq!(statement["resourceType"], "CapabilityStatement");
    assert_eq!(statement["fhirVersion"], "4.0.1");
    let resources = statement["rest"][0]["resource"].as_array().unwrap();
    // Every R4 resource type, each with the specification's own search parameters.
    assert_eq!(resources.len(), 146);
    let procedure = resources.iter().find(|r| r["type"] == "Procedure").unwrap();
    let subject = procedure["searchParam"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "subject")
        .unwrap();
    assert_eq!(
        subject["definition"],
        "http://hl7.org/fhir/SearchParameter/Procedure-subject"
    );
    let audit = resources
        .iter()
        .find(|r| r["type"] == "AuditEvent")
        .unwrap();
    assert!(
        audit.get("searchInclude").is_none(),
        "the ledger has no includes (and FHIR no empty lists): {audit}"
    );
    let patient = resources.iter().find(|r| r["type"] == "Patient").unwrap();
    let codes: Vec<&str> = patient["interaction"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "read",
            "vread",
            "update",
            "patch",
            "delete",
            "history-instance",
            "create",
            "history-type",
            "search-type"
        ]
    );
    let params: Vec<&str> = patient["searchParam"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for expected in [
        "_id",
        "identifier",
        "family",
        "given",
        "name",
        "birthdate",
        "gender",
        "address-postalcode",
    ] {
        assert!(
            params.contains(&expected),
            "{expected} missing from {params:?}"
        );
    }
    assert!(
        patient["searchRevInclude"]
            .as_array()
            .unwrap()
            .contains(&json!("Appointment:patient"))
    );
    let slot = resources.iter().find(|r| r["type"] == "Slot").unwrap();
    assert_eq!(slot["searchInclude"], json!(["Slot:schedule"]));
    assert_eq!(
        statement["rest"][0]["interaction"],
        json!([{"code": "transaction"}, {"code": "batch"}])
    );
}

#[tokio::test]
async fn create_read_update_delete_and_history_round_trip() {
    let app = spawn_app().await;
    let created = send_json(&app, Method::POST, "Patient", &patient("9990000018")).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(created.headers()["etag"], "W/\"1\"");
    let location = created.headers()["location"].to_str().unwrap().to_owned();
    let body: Value = created.json().await.unwrap();
    let id = body["id"].as_str().unwrap().to_owned();
    assert_eq!(location, format!("/fhir/Patient/{id}/_history/1"));
    assert_eq!(body["meta"]["versionId"], "1");

    let read = app
        .fhir(Method::GET, &format!("Patient/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 200);
    assert!(read.headers().contains_key("last-modified"));
    let read: Value = read.json().await.unwrap();
    assert_eq!(read, body);

    let mut changed = body.clone();
    changed["gender"] = json!("female");
    let stale = app
        .fhir_with(Method::PUT, &format!("Patient/{id}"), &changed)
        .header("if-match", "W/\"7\"")
        .send()
        .await
        .unwrap();
    assert_eq!(outcome(stale, 412).await["code"], "conflict");
    let updated = app
        .fhir_with(Method::PUT, &format!("Patient/{id}"), &changed)
        .header("if-match", "W/\"1\"")
        .send()
        .await
        .unwrap();
    assert_eq!(updated.status(), 200);
    assert_eq!(updated.headers()["etag"], "W/\"2\"");

    let deleted = app
        .fhir(Method::DELETE, &format!("Patient/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let gone = app
        .fhir(Method::GET, &format!("Patient/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(outcome(gone, 410).await["code"], "deleted");

    let v1: Value = app.get_fhir(&format!("Patient/{id}/_history/1")).await;
    assert_eq!(v1["gender"], "other");
    let history: Value = app.get_fhir(&format!("Patient/{id}/_history")).await;
    assert_eq!(history["type"], "history");
    let methods: Vec<&str> = history["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["request"]["method"].as_str().unwrap())
        .collect();
    assert_eq!(methods, ["DELETE", "PUT", "POST"]);
}

#[tokio::test]
async fn client_mistakes_get_the_right_status_and_an_operation_outcome() {
    let app = spawn_app().await;
    let malformed = app
        .fhir(Method::POST, "Patient")
        .header("content-type", FHIR_JSON)
        .body("{\"resourceType\":")
        .send()
        .await
        .unwrap();
    assert_eq!(outcome(malformed, 400).await["code"], "structure");

    let wrong_nhs_number = send_json(&app, Method::POST, "Patient", &patient("9990000019")).await;
    let issue = outcome(wrong_nhs_number, 422).await;
    assert_eq!(issue["expression"], json!(["Patient.identifier[0].value"]));

    let wrong_type = send_json(
        &app,
        Method::POST,
        "Patient",
        &json!({"resourceType": "Slot"}),
    )
    .await;
    assert_eq!(outcome(wrong_type, 400).await["code"], "invalid");

    // What the client sent is quoted back printable: no control character reaches a terminal.
    let control = app
        .fhir(Method::GET, "Patient?col%1B%5B31mour=blue")
        .send()
        .await
        .unwrap();
    let issue = outcome(control, 400).await;
    let said = issue["diagnostics"].as_str().unwrap();
    assert!(said.contains("col\\u{1b}[31mour"), "{said}");
    assert!(!said.chars().any(char::is_control));

    // A NUL anywhere (no database searches for one in text) is the client's mistake, on either
    // backend: in the URL, in a search posted as a form, in a batch entry's URL, in a resource.
    for url in [
        "Patient/a%00b",
        "Patient?family=a%00",
        "Patient/a/_history/1%00",
    ] {
        let nul = app.fhir(Method::GET, url).send().await.unwrap();
        assert_eq!(outcome(nul, 400).await["code"], "invalid", "{url}");
    }
    let posted = app
        .fhir(Method::POST, "Patient/_search")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("family=a%00")
        .send()
        .await
        .unwrap();
    assert_eq!(outcome(posted, 400).await["code"], "invalid");
    let batch = json!({"resourceType": "Bundle", "type": "batch",
        "entry": [{"request": {"method": "GET", "url": "Patient?family=a\u{0}"}}]});
    let response = send_json(&app, Method::POST, "", &batch).await;
    assert_eq!(response.status(), 200);
    let answered: Value = response.json().await.unwrap();
    assert!(
        answered["entry"][0]["response"]["status"]
            .as_str()
            .unwrap()
            .starts_with("400"),
        "{answered}"
    );
    let named = send_json(
        &app,
        Method::POST,
        "Patient",
        &json!({"resourceType": "Patient", "name": [{"family": "a\u{0}b"}]}),
    )
    .await;
    assert_eq!(
        outcome(named, 422).await["expression"],
        json!(["Patient.name[0].family"])
    );

    let unknown_type = app.fhir(Method::GET, "Spaceship/1").send().await.unwrap();
    assert_eq!(outcome(unknown_type, 404).await["code"], "not-supported");
    let unknown_id = app
        .fhir(Method::GET, "Patient/no-such-id")
        .send()
        .await
        .unwrap();
    assert_eq!(outcome(unknown_id, 404).await["code"], "not-found");

    let xml_body = app
        .fhir(Method::POST, "Patient")
        .header("content-type", "application/fhir+xml")
        .body("<Patient/>")
        .send()
        .await
        .unwrap();
    outcome(xml_body, 415).await;
    let wants_xml = app
        .client
        .get(format!("{}/fhir/Patient/x", app.address))
        .bearer_auth(app.token.as_deref().unwrap_or_default())
        .header("accept", "application/fhir+xml")
        .send()
        .await
        .unwrap();
    outcome(wants_xml, 406).await;
    let bad_if_match = app
        .fhir_with(Method::PUT, "Patient/p1", &patient("9990000018"))
        .header("if-match", "yesterday")
        .send()
        .await
        .unwrap();
    outcome(bad_if_match, 400).await;
    let id_mismatch = send_json(
        &app,
        Method::PUT,
        "Patient/p1",
        &json!({"resourceType": "Patient", "id": "p2"}),
    )
    .await;
    outcome(id_mismatch, 400).await;
    let wrong_method = app
        .fhir(Method::POST, "Patient/p1/_history/1")
        .send()
        .await
        .unwrap();
    outcome(wrong_method, 405).await;
    let unknown_param = app
        .fhir(Method::GET, "Patient?colour=blue")
        .send()
        .await
        .unwrap();
    let issue = outcome(unknown_param, 400).await;
    assert_eq!(issue["code"], "not-supported");
    assert_eq!(issue["expression"], json!(["colour"]));

    // 5 MB: over the limit, and said so in an OperationOutcome (it was plain text).
    let huge = format!(
        "{{\"resourceType\":\"Patient\",\"text\":{{\"div\":\"{}\"}}}}",
        "x".repeat(5 * 1024 * 1024)
    );
    let too_large = app
        .fhir(Method::POST, "Patient")
        .header("content-type", FHIR_JSON)
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(outcome(too_large, 413).await["code"], "too-long");
}

#[tokio::test]
async fn a_resource_that_breaks_the_specification_is_refused_naming_the_element() {
    let app = spawn_app().await;
    let encounter = json!({"resourceType": "Encounter", "status": "finished",
        "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"},
        "period": {"start": "2026-03-02", "end": "2026-03-01"}});
    let cases = [
        (
            json!({"resourceType": "Patient", "colour": "blue"}),
            400,
            "Patient.colour",
        ),
        (
            json!({"resourceType": "Patient", "gender": "banana"}),
            400,
            "Patient.gender",
        ),
        (
            json!({"resourceType": "Patient", "birthDate": "yesterday"}),
            422,
            "Patient.birthDate",
        ),
        (
            json!({"resourceType": "Patient", "active": "yes"}),
            422,
            "Patient.active",
        ),
        (
            json!({"resourceType": "Patient", "name": {"family": "Not-an-array"}}),
            400,
            "Patient.name",
        ),
        (
            json!({"resourceType": "Observation", "code": {"text": "Pulse"}}),
            400,
            "Observation.status",
        ),
        (
            json!({"resourceType": "Observation", "status": "final", "code": {"text": "Pulse"},
                "valueBoolean": true, "valueString": "high"}),
            400,
            "Observation.valueString",
        ),
        (
            json!({"resourceType": "Appointment", "status": "booked",
                "participant": [{"actor": {"reference": "Patient/p1"}, "status": "accepted"}]}),
            400,
            "Appointment.start",
        ),
        (
            json!({"resourceType": "Observation", "status": "final", "code": {"text": "Pulse"},
                "valueQuantity": {"value": 72, "code": "/min"}}),
            400,
            "Observation.valueQuantity.system",
        ),
        (
            json!({"resourceType": "Observation", "status": "final", "code": {"text": "Pulse"},
                "valueQuantity": {"value": 72}, "dataAbsentReason": {"text": "not asked"}}),
            400,
            "Observation.dataAbsentReason",
        ),
        (
            json!({"resourceType": "Observation", "status": "final", "code": {"text": "Pulse"},
                "performer": [{"reference": "#nobody"}]}),
            400,
            "Observation.performer[0].reference",
        ),
        (
            json!({"resourceType": "Appointment", "status": "proposed",
                "start": "2026-12-01T10:00:00Z", "end": "2026-12-01T09:00:00Z",
                "participant": [{"status": "needs-action"}]}),
            422,
            "Appointment.end",
        ),
        (encounter, 400, "Encounter.period.end"),
    ];
    for (resource, status, element) in cases {
        let resource_type = resource["resourceType"].as_str().unwrap().to_owned();
        let response = send_json(&app, Method::POST, &resource_type, &resource).await;
        let issue = outcome(response, status).await;
        assert_eq!(issue["expression"], json!([element]), "{resource}");
    }
    // Nothing refused was stored.
    let patients: Value = app
        .fhir(Method::GET, "Patient?gender=banana&_summary=count")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(patients["total"], 0);
}

#[tokio::test]
async fn validate_answers_what_a_write_would_without_storing_anything() {
    let app = spawn_app().await;
    let invalid =
        json!({"resourceType": "Patient", "gender": "banana", "name": [{"family": "Validatee"}]});
    let response = send_json(&app, Method::POST, "Patient/$validate", &invalid).await;
    assert_eq!(response.status(), 200);
    let outcome: Value = response.json().await.unwrap();
    assert_eq!(outcome["resourceType"], "OperationOutcome");
    assert_eq!(outcome["issue"][0]["severity"], "error");
    assert_eq!(outcome["issue"][0]["expression"], json!(["Patient.gender"]));

    // The operation's other form: the resource as a parameter.
    let valid = json!({"resourceType": "Parameters", "parameter": [{"name": "resource",
        "resource": {"resourceType": "Patient", "gender": "female", "name": [{"family": "Validatee"}]}}]});
    let response = send_json(&app, Method::POST, "Patient/$validate", &valid).await;
    let outcome: Value = response.json().await.unwrap();
    assert_eq!(outcome["issue"][0]["severity"], "information", "{outcome}");

    // Something that is no resource at all cannot be checked: refused as a body that is not JSON is.
    let response = send_json(&app, Method::POST, "Patient/$validate", &json!(["Patient"])).await;
    assert_eq!(response.status(), 400);
    let outcome: Value = response.json().await.unwrap();
    assert_eq!(outcome["issue"][0]["code"], "structure", "{outcome}");

    let stored: Value = app
        .fhir(Method::GET, "Patient?family=validatee&_summary=count")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stored["total"], 0, "nothing was stored");
}

#[tokio::test]
async fn decimals_come_back_with_the_precision_they_were_written_with() {
    let app = spawn_app().await;
    let observation = r#"{"resourceType": "Observation", "status": "final", "code": {"text": "Potassium"},
        "valueQuantity": {"value": 1.50, "unit": "mmol/L"},
        "referenceRange": [{"low": {"value": 0.1000}, "high": {"value": 12345678901234567890.123}}]}"#;
    let created = app
        .fhir(Method::POST, "Observation")
        .header("content-type", FHIR_JSON)
        .body(observation)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let id = created.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let text = app
        .fhir(Method::GET, &format!("Observation/{id}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for exact in [
        "\"value\":1.50",
        "\"value\":0.1000",
        "\"value\":12345678901234567890.123",
    ] {
        assert!(text.contains(exact), "{exact} in {text}");
    }
}

#[tokio::test]
async fn booking_over_http_takes_the_slot_refuses_a_double_booking_and_cancelling_frees_it() {
    let app = spawn_app().await;
    let slot = json!({"resourceType": "Slot", "status": "free", "schedule": {"reference": "Schedule/s1"},
        "start": "2026-12-01T09:00:00+00:00", "end": "2026-12-01T09:10:00+00:00"});
    assert_eq!(
        send_json(&app, Method::PUT, "Slot/http-slot", &slot)
            .await
            .status(),
        StatusCode::CREATED
    );
    let appointment = json!({"resourceType": "Appointment", "status": "booked",
        "slot": [{"reference": "Slot/http-slot"}],
        "participant": [{"actor": {"reference": "Patient/p1"}, "status": "accepted"}]});

    // Many clients try at once; exactly one gets the slot, the others a 409 saying why.
    let attempts = (0..10).map(|_| {
        app.fhir_with(Method::POST, "Appointment", &appointment)
            .send()
    });
    let responses = all_at_once(attempts).await;
    let mut booked = Vec::new();
    for response in responses {
        if response.status() == StatusCode::CREATED {
            booked.push(response.json::<Value>().await.unwrap());
        } else {
            let body: Value = {
                assert_eq!(response.status(), StatusCode::CONFLICT);
                response.json().await.unwrap()
            };
            assert_eq!(
                body["issue"][0]["details"]["coding"][0]["code"],
                "DUPLICATE_REJECTED"
            );
        }
    }
    assert_eq!(booked.len(), 1);
    let slot: Value = app.get_fhir("Slot/http-slot").await;
    assert_eq!(slot["status"], "busy");
    // The client named the slot, not the times: the appointment keeps the slot's (app-3).
    let stored: Value = app
        .get_fhir(&format!(
            "Appointment/{}",
            booked[0]["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(stored["start"], "2026-12-01T09:00:00+00:00");
    assert_eq!(stored["end"], "2026-12-01T09:10:00+00:00");
    assert_eq!(
        booked[0]["start"], stored["start"],
        "the response is what was stored"
    );

    let mut cancelled = booked[0].clone();
    cancelled["status"] = json!("cancelled");
    let id = cancelled["id"].as_str().unwrap().to_owned();
    let response = app
        .fhir_with(Method::PUT, &format!("Appointment/{id}"), &cancelled)
        .header("if-match", "W/\"1\"")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let slot: Value = app.get_fhir("Slot/http-slot").await;
    assert_eq!(slot["status"], "free");

    let missing_slot = json!({"resourceType": "Appointment", "status": "booked", "slot": [{"reference": "Slot/none"}],
        "participant": [{"actor": {"reference": "Patient/p1"}, "status": "accepted"}]});
    let response = send_json(&app, Method::POST, "Appointment", &missing_slot).await;
    assert_eq!(outcome(response, 422).await["code"], "business-rule");
}

/// Sends the requests concurrently and collects their responses.
async fn all_at_once<F>(requests: impl Iterator<Item = F>) -> Vec<Response>
where
    F: std::future::Future<Output = reqwest::Result<Response>> + Send + 'static,
{
    let handles: Vec<_> = requests.map(tokio::spawn).collect();
    let mut responses = Vec::new();
    for handle in handles {
        responses.push(handle.await.unwrap().unwrap());
    }
    responses
}
