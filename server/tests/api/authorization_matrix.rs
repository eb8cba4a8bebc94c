//! The authorization matrix: every FHIR route and every server function, tried by every kind of
//! caller on patient A's data. What each cell must answer is written down once, in the tables
//! below; a cell that answers otherwise, or a refusal that lets any of A's data through, fails.
//!
//! Patient A is the demo persona "patient-p9"; the persona "proxy" holds A's proxy grant (a
//! RelatedPerson naming them); patient B is any other patient.

use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

/// Who is calling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Anonymous,
    PatientA,
    PatientB,
    ProxyOfA,
    ClinicianHere,
    ClinicianElsewhere,
    Administrator,
    /// A backend system with a token for `system/Patient.rs` only.
    NarrowSystem,
}

const ROLES: [Role; 8] = [
    Role::Anonymous,
    Role::PatientA,
    Role::PatientB,
    Role::ProxyOfA,
    Role::ClinicianHere,
    Role::ClinicianElsewhere,
    Role::Administrator,
    Role::NarrowSystem,
];

/// What a cell must answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// 2xx with the data.
    Allowed,
    /// 401: who is calling is not established (no bearer token, or none this route accepts).
    Unauthenticated,
    /// 403: known, but not allowed.
    Forbidden,
}

use Expect::{Allowed as OK, Forbidden as NO, Unauthenticated as WHO};

/// FHIR routes. Columns follow `ROLES`. People reach records through the web service, never
/// with their session cookie on the API: it takes bearer tokens only.
const FHIR_ROUTES: &[(&str, [Expect; 8])] = &[
    ("GET metadata", [OK, OK, OK, OK, OK, OK, OK, OK]),
    (
        "GET .well-known/smart-configuration",
        [OK, OK, OK, OK, OK, OK, OK, OK],
    ),
    (
        "GET Patient/A (read)",
        [WHO, WHO, WHO, WHO, WHO, WHO, WHO, OK],
    ),
    (
        "GET Patient/A/_history/1 (vread)",
        [WHO, WHO, WHO, WHO, WHO, WHO, WHO, OK],
    ),
    (
        "GET Patient/A/_history",
        [WHO, WHO, WHO, WHO, WHO, WHO, WHO, OK],
    ),
    (
        "GET Patient/_history",
        [WHO, WHO, WHO, WHO, WHO, WHO, WHO, OK],
    ),
    (
        "GET Patient?_id=A (search)",
        [WHO, WHO, WHO, WHO, WHO, WHO, WHO, OK],
    ),
    (
        "POST Patient/_search",
        [WHO, WHO, WHO, WHO, WHO, WHO, WHO, OK],
    ),
    (
        "GET Appointment?patient=A",
        [WHO, WHO, WHO, WHO, WHO, WHO, WHO, NO],
    ),
    (
        "GET Observation/A's (read)",
        [WHO, WHO, WHO, WHO, WHO, WHO, WHO, NO],
    ),
    (
        "POST Observation for A (create)",
        [WHO, WHO, WHO, WHO, WHO, WHO, WHO, NO],
    ),
    (
        "PUT Patient/A (update)",
        [WHO, WHO, WHO, WHO, WHO, WHO, WHO, NO],
    ),
    (
        "DELETE Observation/A's",
        [WHO, WHO, WHO, WHO, WHO, WHO, WHO, NO],
    ),
    (
        "POST transaction for A",
        [WHO, WHO, WHO, WHO, WHO, WHO, WHO, NO],
    ),
    (
        "GET AuditEvent?patient=A",
        [WHO, WHO, WHO, WHO, WHO, WHO, WHO, NO],
    ),
];

/// Server functions (POST /api/…), as the pages call them.
const SERVER_FUNCTIONS: &[(&str, [Expect; 8])] = &[
    ("practice_summary", [OK, OK, OK, OK, OK, OK, OK, OK]),
    ("sign_in_options", [OK, OK, OK, OK, OK, OK, OK, OK]),
    // Everyone may ask who they are; the answer is about themselves only (checked below).
    ("current_user", [OK, OK, OK, OK, OK, OK, OK, OK]),
    // A's audit trail (`patient=A`): A, and whoever holds A's proxy grant. Not B, not staff (the
    // page is patients' own; staff rules come with the clinician pages), nobody without a session.
    ("record_access", [WHO, OK, NO, OK, NO, NO, NO, WHO]),
];

/// Patient A's identifying details: no refused cell may contain any of them.
struct PatientA {
    id: String,
    nhs_number: String,
    family: String,
    observation: String,
}

struct Callers {
    sessions: Vec<(Role, String)>,
    narrow_token: String,
}

impl Callers {
    fn authorize(&self, role: Role, request: RequestBuilder) -> RequestBuilder {
        match role {
            Role::Anonymous => request,
            Role::NarrowSystem => request.bearer_auth(&self.narrow_token),
            person => {
                let (_, session) = self
                    .sessions
                    .iter()
                    .find(|(r, _)| *r == person)
                    .expect("a session for every person");
                request.header("cookie", format!("session={session}"))
            }
        }
    }
}

async fn sign_in_persona(app: &TestApp, persona: &str) -> String {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = client
        .post(format!("{}/auth/demo", app.address))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "same-origin")
        .body(format!("persona={persona}"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "{persona} signs in"
    );
    let cookie = response.headers()["set-cookie"].to_str().unwrap();
    cookie
        .strip_prefix("session=")
        .and_then(|rest| rest.split(';').next())
        .expect("a session cookie")
        .to_owned()
}

async fn patient_a(app: &TestApp) -> PatientA {
    // Patient A is the demo persona "patient-p9": the first seeded patient.
    let bundle = app
        .get_fhir("Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|9990000018")
        .await;
    let patient = &bundle["entry"][0]["resource"];
    let id = patient["id"].as_str().expect("patient A").to_owned();
    let observation = app
        .fhir_with(
            Method::POST,
            "Observation",
            &json!({"resourceType": "Observation", "status": "final",
                "code": {"text": "Blood pressure"},
                "subject": {"reference": format!("Patient/{id}")}}),
        )
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    PatientA {
        id,
        nhs_number: "9990000018".into(),
        family: patient["name"][0]["family"].as_str().unwrap().to_owned(),
        observation,
    }
}

fn fhir_request(app: &TestApp, route: &str, a: &PatientA, current_a: &Value) -> RequestBuilder {
    let client = reqwest::Client::new();
    let url = |path: &str| format!("{}/fhir/{path}", app.address);
    let fhir_json = |builder: RequestBuilder, body: &Value| {
        builder
            .header("content-type", "application/fhir+json")
            .body(body.to_string())
    };
    let observation = json!({"resourceType": "Observation", "status": "final",
        "code": {"text": "Pulse"}, "subject": {"reference": format!("Patient/{}", a.id)}});
    let request = match route {
        "GET metadata" => client.get(url("metadata")),
        "GET .well-known/smart-configuration" => client.get(url(".well-known/smart-configuration")),
        "GET Patient/A (read)" => client.get(url(&format!("Patient/{}", a.id))),
        "GET Patient/A/_history/1 (vread)" => {
            client.get(url(&format!("Patient/{}/_history/1", a.id)))
        }
        "GET Patient/A/_history" => client.get(url(&format!("Patient/{}/_history", a.id))),
        "GET Patient/_history" => client.get(url("Patient/_history?_count=500")),
        "GET Patient?_id=A (search)" => client.get(url(&format!("Patient?_id={}", a.id))),
        "POST Patient/_search" => client
            .post(url("Patient/_search"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("_id={}", a.id)),
        "GET Appointment?patient=A" => {
            client.get(url(&format!("Appointment?patient=Patient/{}", a.id)))
        }
        "GET Observation/A's (read)" => client.get(url(&format!("Observation/{}", a.observation))),
        "POST Observation for A (create)" => {
            fhir_json(client.post(url("Observation")), &observation)
        }
        "PUT Patient/A (update)" => {
            fhir_json(client.put(url(&format!("Patient/{}", a.id))), current_a)
        }
        "DELETE Observation/A's" => client.delete(url(&format!("Observation/{}", a.observation))),
        "POST transaction for A" => fhir_json(
            client.post(format!("{}/fhir", app.address)),
            &json!({"resourceType": "Bundle", "type": "transaction", "entry": [{
                "resource": observation,
                "request": {"method": "POST", "url": "Observation"}}]}),
        ),
        "GET AuditEvent?patient=A" => {
            client.get(url(&format!("AuditEvent?patient=Patient/{}", a.id)))
        }
        other => panic!("no request written for {other}"),
    };
    request.header("accept", "application/fhir+json")
}

fn check(route: &str, role: Role, expect: Expect, status: StatusCode, body: &str, a: &PatientA) {
    let cell = format!("{route} as {role:?}: expected {expect:?}, got {status}");
    match expect {
        Expect::Allowed => assert!(status.is_success(), "{cell}\n{body}"),
        Expect::Unauthenticated => assert_eq!(status, StatusCode::UNAUTHORIZED, "{cell}"),
        Expect::Forbidden => assert_eq!(status, StatusCode::FORBIDDEN, "{cell}"),
    }
    if expect != Expect::Allowed {
        for secret in [&a.id, &a.nhs_number, &a.family] {
            assert!(
                !body.contains(secret.as_str()),
                "{cell}: the refusal leaks {secret}"
            );
        }
    }
}

#[tokio::test]
async fn every_route_and_server_function_answers_each_role_as_the_tables_say() {
    let app = spawn_app().await;
    let a = patient_a(&app).await;
    // Something for A's audit trail that B must never see: the demo client read A.
    let current_a = app.get_fhir(&format!("Patient/{}", a.id)).await;
    let personas = [
        (Role::PatientA, "patient-p9"),
        (Role::PatientB, "patient-b-p9"),
        (Role::ProxyOfA, "proxy"),
        (Role::ClinicianHere, "clinician"),
        (Role::ClinicianElsewhere, "clinician-elsewhere"),
        (Role::Administrator, "administrator"),
    ];
    let mut sessions = Vec::new();
    for (role, persona) in personas {
        sessions.push((role, sign_in_persona(&app, persona).await));
    }
    let narrow_token = app.client_with_scope("narrow", "system/Patient.rs").await;
    let callers = Callers {
        sessions,
        narrow_token,
    };

    for (route, row) in FHIR_ROUTES {
        for (role, expect) in ROLES.iter().zip(row) {
            let request = callers.authorize(*role, fhir_request(&app, route, &a, &current_a));
            let response = request.send().await.unwrap();
            let status = response.status();
            let body = response.text().await.unwrap();
            check(route, *role, *expect, status, &body, &a);
        }
    }

    let client = reqwest::Client::new();
    for (function, row) in SERVER_FUNCTIONS {
        for (role, expect) in ROLES.iter().zip(row) {
            let request = client
                .post(format!("{}/api/{function}", app.address))
                .header("sec-fetch-site", "same-origin")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(if *function == "record_access" {
                    format!("patient={}", a.id)
                } else {
                    String::new()
                });
            let response = callers.authorize(*role, request).send().await.unwrap();
            let status = response.status();
            let body = response.text().await.unwrap();
            check(function, *role, *expect, status, &body, &a);
            // Allowed answers hold nothing of A's unless the caller is A or A's proxy. (Demo mode
            // lists its synthetic personas, A among them, on the sign-in page by design.)
            if !matches!(role, Role::PatientA | Role::ProxyOfA) && *function != "sign_in_options" {
                for secret in [&a.id, &a.nhs_number, &a.family] {
                    assert!(
                        !body.contains(secret.as_str()),
                        "{function} as {role:?} leaks {secret}: {body}"
                    );
                }
            }
        }
    }

    // And A and A's proxy do get A's: the demo client's read is in the list they see.
    for role in [Role::PatientA, Role::ProxyOfA] {
        let response = callers
            .authorize(
                role,
                client
                    .post(format!("{}/api/record_access", app.address))
                    .header("sec-fetch-site", "same-origin")
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(format!("patient={}", a.id)),
            )
            .send()
            .await
            .unwrap();
        let body = response.text().await.unwrap();
        assert!(body.contains("Demo client"), "{role:?}: {body}");
    }
    // The matrix's size, for the record (shown with --nocapture).
    eprintln!(
        "authorization matrix: {} FHIR routes and {} server functions × {} roles = {} cells",
        FHIR_ROUTES.len(),
        SERVER_FUNCTIONS.len(),
        ROLES.len(),
        (FHIR_ROUTES.len() + SERVER_FUNCTIONS.len()) * ROLES.len()
    );
}
