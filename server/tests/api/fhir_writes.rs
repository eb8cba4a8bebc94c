//! Writes as FHIR clients make them beyond plain create and update: JSON Patch, conditional
//! update and delete, `Prefer: return=…`, and `Prefer: handling=lenient` on search.

use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

const NHS_NUMBER_SYSTEM: &str = "https://fhir.nhs.uk/Id/nhs-number";

fn patient(nhs_number: &str, family: &str) -> Value {
    json!({
        "resourceType": "Patient",
        "identifier": [{"system": NHS_NUMBER_SYSTEM, "value": nhs_number}],
        "name": [{"family": family, "given": ["Alex"]}],
        "gender": "other",
        "birthDate": "1990-04-01",
    })
}

fn by_nhs_number(nhs_number: &str) -> String {
    format!("Patient?identifier={NHS_NUMBER_SYSTEM}|{nhs_number}")
}

async fn patch(app: &TestApp, path: &str, operations: Value) -> Response {
    app.fhir(Method::PATCH, path)
        .header("content-type", "application/json-patch+json")
        .body(operations.to_string())
        .send()
        .await
        .unwrap()
}

/// The response's status and its OperationOutcome's first issue.
async fn refusal(response: Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["resourceType"], "OperationOutcome", "{body}");
    (status, body["issue"][0].clone())
}

#[tokio::test]
async fn a_json_patch_changes_only_what_it_names_and_keeps_the_history() {
    let app = spawn_app().await;
    let created = app.create_fhir(&patient("9997700007", "Patched")).await;
    let id = created["id"].as_str().unwrap();

    let patched = patch(
        &app,
        &format!("Patient/{id}"),
        json!([
            {"op": "test", "path": "/gender", "value": "other"},
            {"op": "replace", "path": "/gender", "value": "female"},
            {"op": "add", "path": "/name/0/given/-", "value": "Jo"},
        ]),
    )
    .await;
    assert_eq!(patched.status(), StatusCode::OK);
    assert_eq!(patched.headers()["etag"], "W/\"2\"");
    let body: Value = patched.json().await.unwrap();
    assert_eq!(body["gender"], "female");
    assert_eq!(body["name"][0]["given"], json!(["Alex", "Jo"]));
    assert_eq!(body["birthDate"], "1990-04-01", "the rest is untouched");
    let first: Value = app.get_fhir(&format!("Patient/{id}/_history/1")).await;
    assert_eq!(first["gender"], "other");

    // A test that fails, a patch that would leave the resource invalid, one that would change
    // its id, and one from a stale version: each refused, nothing stored.
    let cases = [
        (
            json!([{"op": "test", "path": "/gender", "value": "other"}]),
            None,
            422,
            "not the one tested for",
        ),
        (
            json!([{"op": "replace", "path": "/gender", "value": "banana"}]),
            None,
            422,
            "Patient.gender",
        ),
        (
            json!([{"op": "add", "path": "/favouriteColour", "value": "blue"}]),
            None,
            422,
            "favouriteColour",
        ),
        (
            json!([{"op": "replace", "path": "/id", "value": "someone-else"}]),
            None,
            422,
            "type or id",
        ),
        (
            json!([{"op": "remove", "path": "/telecom"}]),
            None,
            422,
            "/telecom does not exist",
        ),
        (
            json!([{"op": "replace", "path": "/gender", "value": "male"}]),
            Some("W/\"1\""),
            412,
            "version 2",
        ),
    ];
    for (operations, if_match, status, says) in cases {
        let mut request = app
            .fhir(Method::PATCH, &format!("Patient/{id}"))
            .header("content-type", "application/json-patch+json")
            .body(operations.to_string());
        if let Some(etag) = if_match {
            request = request.header("if-match", etag);
        }
        let (got, issue) = refusal(request.send().await.unwrap()).await;
        assert_eq!(got, status, "{operations}: {issue}");
        assert!(
            issue.to_string().contains(says),
            "{operations}: {issue} should say {says}"
        );
    }
    let current: Value = app.get_fhir(&format!("Patient/{id}")).await;
    assert_eq!(
        current["meta"]["versionId"], "2",
        "nothing refused was stored"
    );

    // Only JSON Patch is taken; a missing resource is 404.
    let fhir_body = app
        .fhir_with(Method::PATCH, &format!("Patient/{id}"), &json!([]))
        .send()
        .await
        .unwrap();
    assert_eq!(refusal(fhir_body).await.0, 415);
    let missing = patch(&app, "Patient/no-such-patient", json!([])).await;
    assert_eq!(refusal(missing).await.0, 404);
}

#[tokio::test]
async fn a_conditional_update_creates_then_updates_the_one_match() {
    let app = spawn_app().await;
    let path = by_nhs_number("9997700015");
    let first = app
        .fhir_with(Method::PUT, &path, &patient("9997700015", "Conditional"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        first.status(),
        StatusCode::CREATED,
        "nothing matched: created"
    );
    let id = first.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let mut changed = patient("9997700015", "Conditional");
    changed["gender"] = json!("male");
    let second = app
        .fhir_with(Method::PUT, &path, &changed)
        .send()
        .await
        .unwrap();
    assert_eq!(second.status(), StatusCode::OK);
    let second: Value = second.json().await.unwrap();
    assert_eq!(
        (second["id"].as_str(), second["meta"]["versionId"].as_str()),
        (Some(id.as_str()), Some("2")),
        "the match was updated, not a second patient made"
    );

    // A body naming another resource than the match is refused.
    changed["id"] = json!("another-id");
    let (status, issue) = refusal(
        app.fhir_with(Method::PUT, &path, &changed)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, issue["expression"][0].as_str()),
        (400, Some("Patient.id"))
    );

    // Two patients with the same family name: criteria matching both change neither.
    app.create_fhir(&patient("9997700023", "Conditional")).await;
    let (status, issue) = refusal(
        app.fhir_with(Method::PUT, "Patient?family=Conditional", &changed)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, issue["code"].as_str()),
        (412, Some("multiple-matches"))
    );

    // Criteria that filter nothing would match everything: refused.
    let (status, _) = refusal(
        app.fhir_with(Method::PUT, "Patient?_count=1", &changed)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn a_conditional_delete_removes_the_one_match_and_never_a_crowd() {
    let app = spawn_app().await;
    let kept = app.create_fhir(&patient("9997700031", "Deletable")).await;
    let gone = app.create_fhir(&patient("9997700058", "Deletable")).await;

    let (status, _) = refusal(
        app.fhir(Method::DELETE, "Patient?family=Deletable")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 412, "two match: neither deleted");
    let (status, _) = refusal(app.fhir(Method::DELETE, "Patient").send().await.unwrap()).await;
    assert_eq!(status, 400, "no criteria: nothing deleted");

    let deleted = app
        .fhir(Method::DELETE, &by_nhs_number("9997700058"))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let left: Value = app.get_fhir("Patient?family=Deletable").await;
    assert_eq!(left["total"], 1);
    assert_eq!(left["entry"][0]["resource"]["id"], kept["id"]);

    let none = app
        .fhir(Method::DELETE, &by_nhs_number("9997700058"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        none.status(),
        StatusCode::NO_CONTENT,
        "nothing left to delete"
    );

    // The audit trail names the patient whose record was deleted, though the URL did not.
    let trail: Value = app
        .get_fhir(&format!(
            "AuditEvent?patient=Patient/{}&_count=100",
            gone["id"].as_str().unwrap()
        ))
        .await;
    let deleted_by_criteria = trail["entry"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["resource"]["action"] == "D" && e["resource"]["outcome"] == "0")
        .count();
    assert_eq!(deleted_by_criteria, 1, "{trail}");
}

#[tokio::test]
async fn prefer_return_chooses_what_a_write_answers_with() {
    let app = spawn_app().await;
    let minimal = app
        .fhir_with(
            Method::POST,
            "Patient",
            &patient("9997700066", "Preferring"),
        )
        .header("prefer", "return=minimal")
        .send()
        .await
        .unwrap();
    assert_eq!(minimal.status(), StatusCode::CREATED);
    assert_eq!(minimal.headers()["etag"], "W/\"1\"");
    let location = minimal.headers()["location"].to_str().unwrap().to_owned();
    assert!(minimal.text().await.unwrap().is_empty());
    let id = location.split('/').nth(3).unwrap().to_owned();

    let mut changed = patient("9997700066", "Preferring");
    changed["id"] = json!(id);
    let outcome = app
        .fhir_with(Method::PUT, &format!("Patient/{id}"), &changed)
        .header("prefer", "return=OperationOutcome")
        .send()
        .await
        .unwrap();
    assert_eq!(outcome.status(), StatusCode::OK);
    let outcome: Value = outcome.json().await.unwrap();
    assert_eq!(outcome["resourceType"], "OperationOutcome");
    assert_eq!(outcome["issue"][0]["severity"], "information");
    assert!(
        outcome["issue"][0]["diagnostics"]
            .as_str()
            .unwrap()
            .contains(&format!("Patient/{id} at version 2"))
    );

    let representation = app
        .fhir(Method::PATCH, &format!("Patient/{id}"))
        .header("content-type", "application/json-patch+json")
        .header("prefer", "return=representation")
        .body(json!([{"op": "replace", "path": "/gender", "value": "female"}]).to_string())
        .send()
        .await
        .unwrap();
    let body: Value = representation.json().await.unwrap();
    assert_eq!(
        (body["gender"].as_str(), body["meta"]["versionId"].as_str()),
        (Some("female"), Some("3"))
    );
}

#[tokio::test]
async fn lenient_handling_ignores_unknown_parameters_and_says_which() {
    let app = spawn_app().await;
    app.create_fhir(&patient("9997700074", "Lenient")).await;
    let strict = app
        .fhir(Method::GET, "Patient?family=Lenient&colour=blue")
        .send()
        .await
        .unwrap();
    assert_eq!(refusal(strict).await.0, 400);
    let lenient: Value = app
        .fhir(Method::GET, "Patient?family=Lenient&colour=blue")
        .header("prefer", "handling=lenient")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(lenient["total"], 1);
    let entries = lenient["entry"].as_array().unwrap();
    let outcome = entries
        .iter()
        .find(|e| e["search"]["mode"] == "outcome")
        .expect("an outcome entry");
    assert_eq!(outcome["resource"]["issue"][0]["severity"], "warning");
    assert_eq!(outcome["resource"]["issue"][0]["expression"][0], "colour");
    let own = lenient["link"][0]["url"].as_str().unwrap();
    assert!(
        !own.contains("colour"),
        "the self link says what was applied: {own}"
    );
}
