//! The authorization matrix: every FHIR route and every server function, tried by every kind of
//! caller on patient A's data. What each cell must answer is written down once, in the tables
//! below; a cell that answers otherwise, or a refusal that lets any of A's data through, fails.
//!
//! Patient A is the demo persona "patient-p9"; the persona "proxy" holds A's proxy grant (a
//! RelatedPerson naming them); patient B is any other patient.

use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{
    REQUEST_TIMEOUT, TestApp, book_for, free_gp_slot, okafor_role_and_place, sign_in_persona,
    spawn_app,
};

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
    /// A clinician outside A's practice: asked to break the glass first. Nothing clinical, but
    /// whose record it is (name, NHS number), so they can check they have the right person. (The
    /// page that shows it answers 403; the server function, 200 with the request to break it.)
    BreakGlassFirst,
}

use Expect::{Allowed as OK, BreakGlassFirst as BG, Forbidden as NO, Unauthenticated as WHO};

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
    // Patients are readable, Observations are not: a search of patients by their observations
    // (or of anything through a chain) would tell what the Observations hold.
    (
        "GET Patient?_has:Observation:patient:code=… (reverse chain)",
        [WHO, WHO, WHO, WHO, WHO, WHO, WHO, NO],
    ),
    (
        "GET Patient?general-practitioner:Practitioner.name=… (chain)",
        [WHO, WHO, WHO, WHO, WHO, WHO, WHO, NO],
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
        "POST Observation/$validate for A",
        [WHO, WHO, WHO, WHO, WHO, WHO, WHO, NO],
    ),
    (
        "PUT Patient/A (update)",
        [WHO, WHO, WHO, WHO, WHO, WHO, WHO, NO],
    ),
    ("PATCH Patient/A", [WHO, WHO, WHO, WHO, WHO, WHO, WHO, NO]),
    (
        "PUT Patient?identifier=A (conditional update)",
        [WHO, WHO, WHO, WHO, WHO, WHO, WHO, NO],
    ),
    (
        "PATCH Patient?identifier=A (conditional patch)",
        [WHO, WHO, WHO, WHO, WHO, WHO, WHO, NO],
    ),
    (
        "DELETE Observation/A's",
        [WHO, WHO, WHO, WHO, WHO, WHO, WHO, NO],
    ),
    (
        "DELETE Observation?subject=A (conditional delete)",
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

/// Server functions (POST /api/…), as the pages call them, in this order (breaking the glass
/// comes after the record is tried without it). Those marked `about A` answer with A's data
/// where allowed; the others must never contain any of it.
const SERVER_FUNCTIONS: &[(&str, bool, [Expect; 8])] = &[
    ("practice_summary", false, [OK, OK, OK, OK, OK, OK, OK, OK]),
    ("sign_in_options", false, [OK, OK, OK, OK, OK, OK, OK, OK]),
    // Everyone may ask who they are; the answer is about themselves only.
    ("current_user", false, [OK, OK, OK, OK, OK, OK, OK, OK]),
    // A's audit trail (`patient=A`): A, and whoever holds A's proxy grant. Not B, not staff (the
    // page is patients' own), nobody without a session.
    ("record_access", true, [WHO, OK, NO, OK, NO, NO, NO, WHO]),
    // Find by A's NHS number: staff only, like a demographics trace.
    ("find_patient", true, [WHO, NO, NO, NO, OK, OK, OK, WHO]),
    // Find by A's family name: the same.
    (
        "find_patients_by_name",
        true,
        [WHO, NO, NO, NO, OK, OK, OK, WHO],
    ),
    // A's record: A, A's proxy, a clinician of A's practice. A clinician elsewhere must break the
    // glass first; an administrator sees no clinical record.
    ("patient_record", true, [WHO, OK, NO, OK, OK, BG, NO, WHO]),
    // Breaking the glass for A: clinicians only.
    ("break_glass", false, [WHO, NO, NO, NO, OK, OK, NO, WHO]),
    // Booking, for patients checked to P9 (each for themselves): the choices, holding a free
    // time (A first; everyone after A is offered other times), A's held time, other times,
    // booking it. Staff book in the practice's own system, not as a patient.
    ("booking_options", false, [WHO, OK, OK, OK, NO, NO, NO, WHO]),
    ("hold_time", false, [WHO, OK, OK, OK, NO, NO, NO, WHO]),
    ("held_time", false, [WHO, OK, OK, OK, NO, NO, NO, WHO]),
    ("alternatives", false, [WHO, OK, OK, OK, NO, NO, NO, WHO]),
    (
        "book_appointment",
        false,
        [WHO, OK, OK, OK, NO, NO, NO, WHO],
    ),
    // A's appointments asked for by name (`?for=A`): A, and A's proxy; anyone else is refused,
    // never shown their own instead.
    ("my_appointments", true, [WHO, OK, NO, OK, NO, NO, NO, WHO]),
    // One of A's appointments: A, A's proxy, the staff of A's practice (reception included).
    // Breaking the glass is for clinical need, not diaries.
    ("appointment", true, [WHO, OK, NO, OK, OK, NO, OK, WHO]),
    // Cancelling one online (a fresh one per caller), by the patient's rules: A and A's proxy.
    (
        "cancel_appointment",
        true,
        [WHO, OK, NO, OK, NO, NO, NO, WHO],
    ),
    // One of A's appointments as the practice sees it, and cancelling one for the practice (a
    // fresh one per caller): the staff of A's practice, reception included.
    (
        "practice_appointment",
        true,
        [WHO, NO, NO, NO, OK, NO, OK, WHO],
    ),
    (
        "cancel_for_the_practice",
        false,
        [WHO, NO, NO, NO, OK, NO, OK, WHO],
    ),
    // What each patient is emailed about: their own choice, nobody else's (a proxy chooses
    // their own, not A's).
    ("email_choices", false, [WHO, OK, OK, OK, NO, NO, NO, WHO]),
    ("choose_emails", false, [WHO, OK, OK, OK, NO, NO, NO, WHO]),
    // Messages: each patient's own conversations, and starting one (a proxy writes for
    // themselves). A's conversation: A, A's proxy and the staff of A's practice read it and
    // reply; the practice's staff take it (from whoever had it) and close it (a fresh one
    // each). The inbox: any staff member, each seeing their own practice's
    // (checked below).
    ("my_messages", false, [WHO, OK, OK, OK, NO, NO, NO, WHO]),
    (
        "start_conversation",
        false,
        [WHO, OK, OK, OK, NO, NO, NO, WHO],
    ),
    ("conversation", true, [WHO, OK, NO, OK, OK, NO, OK, WHO]),
    (
        "reply_to_conversation",
        false,
        [WHO, OK, NO, OK, OK, NO, OK, WHO],
    ),
    (
        "take_conversation",
        false,
        [WHO, NO, NO, NO, OK, NO, OK, WHO],
    ),
    (
        "close_conversation",
        false,
        [WHO, NO, NO, NO, OK, NO, OK, WHO],
    ),
    ("inbox", true, [WHO, NO, NO, NO, OK, OK, OK, WHO]),
    // Writing to A from the practice, after checking whose record it is: its staff.
    (
        "message_recipient",
        true,
        [WHO, NO, NO, NO, OK, NO, OK, WHO],
    ),
    (
        "write_to_patient",
        false,
        [WHO, NO, NO, NO, OK, NO, OK, WHO],
    ),
    // The emails the mail server kept refusing, A's among them, and sending A's again: the
    // practice's administrators.
    ("failing_emails", true, [WHO, NO, NO, NO, NO, NO, OK, WHO]),
    (
        "send_email_again",
        false,
        [WHO, NO, NO, NO, NO, NO, OK, WHO],
    ),
    // A's record asked for by name (`?for=A`): A and A's proxy; staff open records by patient.
    ("my_record", true, [WHO, OK, NO, OK, NO, NO, NO, WHO]),
    // Moving one of A's appointments to another time: A, and A's proxy (whose grant covers
    // appointments). A holds no time here, so is offered others; nobody else gets that far.
    (
        "reschedule_appointment",
        true,
        [WHO, OK, NO, OK, NO, NO, NO, WHO],
    ),
    // The clinic list of the day of A's appointment, every clinician's: the practice's staff.
    // Staff elsewhere get their own practice's list, which has nothing of A's (checked below).
    ("clinic_day", true, [WHO, NO, NO, NO, OK, OK, OK, WHO]),
    // Marking one of A's appointments (a fresh one): the practice's staff, reception included.
    ("mark_attendance", false, [WHO, NO, NO, NO, OK, NO, OK, WHO]),
    // Writing to A's record: clinicians only, of A's practice or (having broken the glass above)
    // from elsewhere. Patients and proxies read the record; administrators never see it.
    (
        "record_vital_signs",
        false,
        [WHO, NO, NO, NO, OK, OK, NO, WHO],
    ),
    // Adding a problem, an allergy, a vaccination to A's record: as for vital signs.
    ("record_problem", false, [WHO, NO, NO, NO, OK, OK, NO, WHO]),
    (
        "record_consultation",
        false,
        [WHO, NO, NO, NO, OK, OK, NO, WHO],
    ),
    ("record_allergy", false, [WHO, NO, NO, NO, OK, OK, NO, WHO]),
    (
        "record_immunisation",
        false,
        [WHO, NO, NO, NO, OK, OK, NO, WHO],
    ),
    // The diaries: any staff member sees what they may set up and a week's use (of their own
    // practice); Dr Okafor's diary is kept by herself and the practice's administrator only.
    ("diary_choices", false, [WHO, NO, NO, NO, OK, OK, OK, WHO]),
    ("week_use", false, [WHO, NO, NO, NO, OK, OK, OK, WHO]),
    (
        "open_appointment_times",
        false,
        [WHO, NO, NO, NO, OK, NO, OK, WHO],
    ),
    ("block_time_off", false, [WHO, NO, NO, NO, OK, NO, OK, WHO]),
    (
        "times_in_the_way",
        false,
        [WHO, NO, NO, NO, OK, NO, OK, WHO],
    ),
    // The practice's services and places: its administrators' alone.
    ("practice_setup", false, [WHO, NO, NO, NO, NO, NO, OK, WHO]),
    ("save_service", false, [WHO, NO, NO, NO, NO, NO, OK, WHO]),
    ("save_place", false, [WHO, NO, NO, NO, NO, NO, OK, WHO]),
    // Asking to be told of an earlier time than one of A's appointments, and taking one offered
    // (a fresh offer per caller): A, and A's proxy.
    (
        "want_earlier_time",
        false,
        [WHO, OK, NO, OK, NO, NO, NO, WHO],
    ),
    (
        "take_earlier_time",
        false,
        [WHO, OK, NO, OK, NO, NO, NO, WHO],
    ),
    // Repeat prescriptions: each patient's own medicines (a proxy's own, until they act for A);
    // ordering one of A's repeats (a fresh one per caller): A, and A's proxy. The practice's
    // queue: any clinician, each seeing their own practice's (checked in `prescriptions`); one
    // of A's requests, and deciding one (a fresh one per caller): the clinicians of A's
    // practice. Breaking the glass is for clinical need, not the practice's repeat requests.
    (
        "repeat_prescriptions",
        false,
        [WHO, OK, OK, OK, NO, NO, NO, WHO],
    ),
    (
        "request_prescriptions",
        false,
        [WHO, OK, NO, OK, NO, NO, NO, WHO],
    ),
    (
        "prescription_requests",
        true,
        [WHO, NO, NO, NO, OK, OK, NO, WHO],
    ),
    (
        "prescription_request",
        true,
        [WHO, NO, NO, NO, OK, NO, NO, WHO],
    ),
    (
        "decide_prescription",
        false,
        [WHO, NO, NO, NO, OK, NO, NO, WHO],
    ),
    // Whom each patient may act for (A's name for A's proxy), and choosing A: A's proxy only.
    // Last, since the proxy's session acts for A from then on.
    ("acting_choices", true, [WHO, OK, OK, OK, NO, NO, NO, WHO]),
    ("act_for", false, [WHO, NO, NO, OK, NO, NO, NO, WHO]),
];

/// A reason good enough to break the glass with.
const REASON: &str = "Seen in A&E, unconscious, no other history available";

/// Patient A's identifying details: no refused cell may contain any of them.
struct PatientA {
    id: String,
    nhs_number: String,
    family: String,
    observation: String,
    /// One of A's booked appointments.
    appointment: String,
    /// A free GP time two days ahead, which A holds and books in the matrix.
    free_slot: String,
    /// A word only A's allergy record holds: clinical detail no refusal may carry.
    allergy: &'static str,
    /// An email to A that the mail server kept refusing.
    failing_email: String,
    /// A conversation A started with the practice.
    conversation: String,
    /// A request of A's for a repeat prescription, waiting for the practice.
    prescription_request: String,
    /// A pharmacy to send prescriptions to.
    pharmacy: String,
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
    let allergy = "Quetiapinoid";
    let status = app
        .fhir_with(
            Method::POST,
            "AllergyIntolerance",
            &json!({"resourceType": "AllergyIntolerance",
                "code": {"text": allergy},
                "patient": {"reference": format!("Patient/{id}")}}),
        )
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, StatusCode::CREATED, "A's allergy is recorded");
    let free_slot = free_gp_slot(app, 2).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let appointment = book_for(app, &id, 3).await;
    let failing_email = failing_email(app, &id).await;
    let conversation = conversation_of_a(app).await;
    let pharmacy = app.get_fhir("Organization?name=Boots").await["entry"][0]["resource"]["id"]
        .as_str()
        .expect("a pharmacy")
        .to_owned();
    let prescription_request = prescription_request_of_a(app, &id, &pharmacy).await;
    PatientA {
        conversation,
        prescription_request,
        pharmacy,
        appointment,
        failing_email,
        free_slot,
        id,
        nhs_number: "9990000018".into(),
        family: patient["name"][0]["family"].as_str().unwrap().to_owned(),
        observation,
        allergy,
    }
}

fn fhir_request(app: &TestApp, route: &str, a: &PatientA, current_a: &Value) -> RequestBuilder {
    let client = reqwest::Client::builder()
        .timeout(REQUEST_TIMEOUT)
        .build()
        .unwrap();
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
        "GET Patient?_has:Observation:patient:code=… (reverse chain)" => client.get(url(
            &format!("Patient?_id={}&_has:Observation:patient:code=8867-4", a.id),
        )),
        "GET Patient?general-practitioner:Practitioner.name=… (chain)" => {
            client.get(url(&format!(
                "Patient?_id={}&general-practitioner:Practitioner.name=a",
                a.id
            )))
        }
        "GET Appointment?patient=A" => {
            client.get(url(&format!("Appointment?patient=Patient/{}", a.id)))
        }
        "GET Observation/A's (read)" => client.get(url(&format!("Observation/{}", a.observation))),
        "POST Observation/$validate for A" => {
            fhir_json(client.post(url("Observation/$validate")), &observation)
        }
        "POST Observation for A (create)" => {
            fhir_json(client.post(url("Observation")), &observation)
        }
        "PUT Patient/A (update)" => {
            fhir_json(client.put(url(&format!("Patient/{}", a.id))), current_a)
        }
        "PATCH Patient/A" => client
            .patch(url(&format!("Patient/{}", a.id)))
            .header("content-type", "application/json-patch+json")
            .body(r#"[{"op": "replace", "path": "/gender", "value": "unknown"}]"#),
        "PUT Patient?identifier=A (conditional update)" => fhir_json(
            client.put(url(&format!(
                "Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|{}",
                a.nhs_number
            ))),
            current_a,
        ),
        "PATCH Patient?identifier=A (conditional patch)" => client
            .patch(url(&format!(
                "Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|{}",
                a.nhs_number
            )))
            .header("content-type", "application/json-patch+json")
            .body(r#"[{"op": "replace", "path": "/gender", "value": "unknown"}]"#),
        "DELETE Observation/A's" => client.delete(url(&format!("Observation/{}", a.observation))),
        "DELETE Observation?subject=A (conditional delete)" => client.delete(url(&format!(
            "Observation?subject=Patient/{}&_id={}",
            a.id, a.observation
        ))),
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
        Expect::BreakGlassFirst => assert_eq!(status, StatusCode::OK, "{cell}"),
    }
    match expect {
        Expect::Allowed => {}
        Expect::BreakGlassFirst => {
            assert!(
                body.contains(&a.family),
                "{cell}: says whose record: {body}"
            );
            assert!(!body.contains(a.allergy), "{cell}: leaks A's allergy");
        }
        Expect::Unauthenticated | Expect::Forbidden => {
            for secret in [&a.id, &a.nhs_number, &a.family, a.allergy] {
                assert!(!body.contains(secret), "{cell}: the refusal leaks {secret}");
            }
        }
    }
}

/// The form a server function is called with in the matrix: about patient A.
async fn server_function_body(app: &TestApp, function: &str, a: &PatientA) -> String {
    let form = |pairs: &[(&str, &str)]| {
        form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish()
    };
    match function {
        "record_access" | "my_record" | "my_appointments" => form(&[("patient", &a.id)]),
        "act_for" => form(&[("person", &a.id)]),
        "find_patient" => form(&[("nhs_number", &a.nhs_number)]),
        "find_patients_by_name" => form(&[("family", &a.family)]),
        "patient_record" => form(&[("patient_id", &a.id)]),
        "break_glass" => form(&[("patient_id", &a.id), ("reason", REASON)]),
        "hold_time" => form(&[("slot_id", &a.free_slot)]),
        "held_time" => form(&[("slot", &a.free_slot)]),
        "alternatives" => form(&[("slot", &a.free_slot), ("expired", "false")]),
        "book_appointment" => form(&[("slot_id", &a.free_slot), ("contact", "text")]),
        "appointment" | "practice_appointment" => form(&[("id", &a.appointment)]),
        "cancel_for_the_practice" => form(&[
            ("id", &book_for(app, &a.id, 7).await),
            ("reason", "The clinician is unwell"),
        ]),
        "choose_emails" => form(&[("appointments", "on")]),
        "send_email_again" => form(&[("id", &a.failing_email)]),
        "start_conversation" => form(&[
            ("topic", "admin"),
            ("subject", "A letter"),
            ("message", "Please send a letter."),
        ]),
        "conversation" | "take_conversation" => form(&[("id", &a.conversation)]),
        "reply_to_conversation" => form(&[("id", &a.conversation), ("message", "Thank you.")]),
        "close_conversation" => form(&[("id", &conversation_of_a(app).await)]),
        "want_earlier_time" => form(&[("id", &a.appointment), ("wanted", "yes")]),
        "take_earlier_time" => {
            let (appointment, slot) = earlier_offer_to_a(app, &a.id).await;
            form(&[("id", &appointment), ("slot_id", &slot)])
        }
        "request_prescriptions" => form(&[
            ("medicines[]", &repeat_of_a(app, &a.id).await),
            ("pharmacy", &a.pharmacy),
            ("note", ""),
        ]),
        "prescription_request" => form(&[("id", &a.prescription_request)]),
        "decide_prescription" => form(&[
            (
                "id",
                &prescription_request_of_a(app, &a.id, &a.pharmacy).await,
            ),
            ("decision", "approve"),
            ("reason", ""),
        ]),
        "message_recipient" => form(&[("patient_id", &a.id)]),
        "write_to_patient" => form(&[
            ("patient_id", &a.id),
            ("topic", "test-results"),
            ("subject", "Your results"),
            ("message", "Please book a review."),
        ]),
        "cancel_appointment" => form(&[("id", &book_for(app, &a.id, 4).await)]),
        "reschedule_appointment" => form(&[
            ("id", &book_for(app, &a.id, 5).await),
            ("slot_id", &a.free_slot),
        ]),
        "record_vital_signs" => form(&[("patient_id", &a.id), ("pulse", "72")]),
        "record_problem" => form(&[("patient_id", &a.id), ("problem", "37796009")]),
        "record_consultation" => form(&[("patient_id", &a.id), ("note", "Seen today.")]),
        "record_allergy" => form(&[
            ("patient_id", &a.id),
            ("substance", "111088007"),
            ("risk", "low"),
        ]),
        "record_immunisation" => form(&[
            ("patient_id", &a.id),
            ("vaccine", "Flu vaccine"),
            ("given", "2025-10-01"),
        ]),
        "open_appointment_times" => {
            let (role, place) = okafor(app).await;
            form(&[
                ("clinician", &role),
                ("service", "gp"),
                ("place", &place),
                ("monday", "on"),
                ("from", "09:00"),
                ("until", "09:30"),
                ("minutes", "10"),
                ("first_day", &far_day()),
                ("weeks", "1"),
            ])
        }
        "save_service" => form(&[
            ("id", ""),
            ("version", ""),
            ("name", "Minor surgery"),
            ("description", "Small procedures under local anaesthetic."),
            ("cutoff", "24"),
            ("offered", "no"),
            ("places[]", &okafor(app).await.1),
        ]),
        "save_place" => form(&[
            ("id", ""),
            ("version", ""),
            ("name", "Outreach room"),
            ("line1", "3 Mill Lane"),
            ("line2", ""),
            ("town", "Leeds"),
            ("postcode", "LS6 2AB"),
            ("phone", "0113 496 0001"),
            ("directions", ""),
            ("open", "no"),
        ]),
        "block_time_off" => form(&[
            ("clinician", &okafor(app).await.0),
            ("from_day", &far_day()),
            ("from_time", "09:00"),
            ("until_day", &far_day()),
            ("until_time", "09:30"),
            ("reason", "Training"),
        ]),
        "times_in_the_way" => {
            let day: jiff::civil::Date = far_day().parse().unwrap();
            let from = day.to_zoned(jiff::tz::TimeZone::UTC).unwrap().timestamp();
            form(&[
                ("clinician", &okafor(app).await.0),
                ("from", &from.to_string()),
                (
                    "until",
                    &(from + jiff::SignedDuration::from_hours(9)).to_string(),
                ),
            ])
        }
        "clinic_day" => form(&[
            ("date", &day_of(app, &a.appointment).await),
            ("clinician", "all"),
        ]),
        "mark_attendance" => {
            let id = book_for(app, &a.id, 6).await;
            form(&[
                ("id", &id),
                ("status", "booked"),
                ("date", &day_of(app, &id).await),
            ])
        }
        _ => String::new(),
    }
}

/// A new conversation patient A starts with the practice: its id.
async fn conversation_of_a(app: &TestApp) -> String {
    let patient = crate::helpers::Browser::new();
    patient.sign_in_as_persona(&app.address, "patient-p9").await;
    let response = patient
        .post_form(
            &format!("{}/api/start_conversation", app.address),
            &[
                ("topic", "medical-question"),
                ("subject", "About my tablets"),
                ("message", "Should I take them with food?"),
            ],
        )
        .await;
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    location
        .trim_start_matches("/messages/")
        .split('?')
        .next()
        .unwrap()
        .to_owned()
}

/// A GP appointment of patient `patient_id`'s nine days ahead, and a free time earlier than it
/// offered in its place (as a cancellation would offer it): the appointment and the time's slot.
async fn earlier_offer_to_a(app: &TestApp, patient_id: &str) -> (String, String) {
    use store::state::earlier_times::{self, Wish};

    let appointment = book_for(app, patient_id, 9).await;
    let slot = free_gp_slot(app, 4).await;
    let slot_id = slot["id"].as_str().unwrap().to_owned();
    let slot_start: jiff::Timestamp = slot["start"].as_str().unwrap().parse().unwrap();
    let db = store::Db::connect(&app.database.url, None).await.unwrap();
    let now = jiff::Timestamp::now();
    let wish = Wish {
        appointment_id: appointment.clone(),
        patient_id: patient_id.to_owned(),
        service: "gp".into(),
        start_before: now + jiff::SignedDuration::from_hours(24 * 30),
    };
    earlier_times::wish(db.state(), &wish, now).await.unwrap();
    earlier_times::offer(db.state(), &appointment, (&slot_id, slot_start), now)
        .await
        .unwrap();
    (appointment, slot_id)
}

/// A new repeat medicine of patient `patient_id`'s, as the practice's system records one.
async fn repeat_of_a(app: &TestApp, patient_id: &str) -> String {
    let repeat = app
        .create_fhir(&json!({
            "resourceType": "MedicationRequest",
            "status": "active",
            "intent": "order",
            "courseOfTherapyType": {"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/medicationrequest-course-of-therapy",
                "code": "continuous"}]},
            "medicationCodeableConcept": {"text": "Ramipril 5mg capsules"},
            "subject": {"reference": format!("Patient/{patient_id}")},
        }))
        .await;
    repeat["id"].as_str().expect("a repeat").to_owned()
}

/// A request of patient `patient_id`'s for a new repeat, sent to `pharmacy`, waiting.
async fn prescription_request_of_a(app: &TestApp, patient_id: &str, pharmacy: &str) -> String {
    let repeat = repeat_of_a(app, patient_id).await;
    let request = app
        .create_fhir(&json!({
            "resourceType": "MedicationRequest",
            "status": "draft",
            "intent": "order",
            "medicationCodeableConcept": {"text": "Ramipril 5mg capsules"},
            "subject": {"reference": format!("Patient/{patient_id}")},
            "authoredOn": jiff::Timestamp::now().to_string(),
            "basedOn": [{"reference": format!("MedicationRequest/{repeat}")}],
            "dispenseRequest": {"performer": {
                "reference": format!("Organization/{pharmacy}"),
                "display": "Boots, High Street"}},
        }))
        .await;
    request["id"].as_str().expect("a request").to_owned()
}

/// An email to patient `patient_id` that the mail server refused at every attempt, as the
/// mailer leaves one: given up, for the practice's office to see.
async fn failing_email(app: &TestApp, patient_id: &str) -> String {
    use store::state::notifications::{self, NewNotification};

    let db = store::Db::connect(&app.database.url, None).await.unwrap();
    let now = jiff::Timestamp::now();
    let email = NewNotification {
        kind: "appointment-booked".into(),
        patient_id: patient_id.to_owned(),
        regarding: format!("Appointment/{patient_id}"),
        recipient: "nobody@invalid.example".into(),
        details: json!({ "start": now.to_string() }).to_string(),
        due_at: now,
    };
    let id = notifications::insert(db.state(), &email, now)
        .await
        .unwrap();
    notifications::claim_due(db.state(), now, now, 100)
        .await
        .unwrap();
    notifications::give_up(db.state(), &id, now, "the mail server refused it (550)")
        .await
        .unwrap();
    id
}

/// Dr Okafor's PractitionerRole (the "clinician" persona's own diary) and its place.
async fn okafor(app: &TestApp) -> (String, String) {
    okafor_role_and_place(async |path: &str| app.get_fhir(path).await).await
}

/// A day well past the seeded diaries, ten weeks on: the matrix's diary changes meet nobody.
fn far_day() -> String {
    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    today
        .checked_add(jiff::Span::new().days(70))
        .unwrap()
        .to_string()
}

/// The UK day an appointment is on, as the clinic list's address carries it.
async fn day_of(app: &TestApp, appointment: &str) -> String {
    let appointment = app.get_fhir(&format!("Appointment/{appointment}")).await;
    let start: jiff::Timestamp = appointment["start"].as_str().unwrap().parse().unwrap();
    start
        .to_zoned(jiff::tz::TimeZone::get("Europe/London").unwrap())
        .date()
        .to_string()
}

/// A server function missing from the table would be a public endpoint nobody checked.
#[test]
fn the_table_lists_every_server_function() {
    let listed: Vec<&str> = SERVER_FUNCTIONS.iter().map(|(name, _, _)| *name).collect();
    let mut registered: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.trim_start_matches("/api/").to_owned())
        .collect();
    registered.sort();
    assert!(!registered.is_empty(), "server functions are registered");
    for path in &registered {
        assert!(
            listed.contains(&path.as_str()),
            "{path} is not in the authorization matrix"
        );
    }
    assert_eq!(registered.len(), listed.len(), "{registered:?}");
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

    let client = reqwest::Client::builder()
        .timeout(REQUEST_TIMEOUT)
        .build()
        .unwrap();
    for (function, about_a, row) in SERVER_FUNCTIONS {
        for (role, expect) in ROLES.iter().zip(row) {
            let request = client
                .post(format!("{}/api/{function}", app.address))
                .header("sec-fetch-site", "same-origin")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(server_function_body(&app, function, &a).await);
            let response = callers.authorize(*role, request).send().await.unwrap();
            let status = response.status();
            let body = response.text().await.unwrap();
            check(function, *role, *expect, status, &body, &a);
            // Answers not about A hold nothing of A's, except A's own "who am I", asked for by
            // A. (Demo mode lists its synthetic personas, A among them, on the sign-in page by
            // design.)
            let own = *role == Role::PatientA && *function == "current_user";
            if !about_a && !own && *function != "sign_in_options" {
                for secret in [&a.id, &a.nhs_number, &a.family, a.allergy] {
                    assert!(
                        !body.contains(secret),
                        "{function} as {role:?} leaks {secret}: {body}"
                    );
                }
            }
        }
    }

    // The clinic list of A's day, and the inbox with A's conversations: A is in the practice's,
    // and in no other practice's.
    for (function, role, on_it) in [
        ("clinic_day", Role::ClinicianHere, true),
        ("clinic_day", Role::Administrator, true),
        ("clinic_day", Role::ClinicianElsewhere, false),
        ("inbox", Role::ClinicianHere, true),
        ("inbox", Role::ClinicianElsewhere, false),
    ] {
        let list = callers
            .authorize(
                role,
                client
                    .post(format!("{}/api/{function}", app.address))
                    .header("sec-fetch-site", "same-origin")
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(server_function_body(&app, function, &a).await),
            )
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(
            list.contains(&a.family),
            on_it,
            "{function} as {role:?}: {list}"
        );
        if !on_it {
            assert!(
                !list.contains(&a.id) && !list.contains(&a.nhs_number),
                "{list}"
            );
        }
    }

    // Having broken the glass, the clinician elsewhere opens A's record, and A reads who did
    // and why.
    let opened = callers
        .authorize(
            Role::ClinicianElsewhere,
            client
                .post(format!("{}/api/patient_record", app.address))
                .header("sec-fetch-site", "same-origin")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(server_function_body(&app, "patient_record", &a).await),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(opened.status(), StatusCode::OK);
    assert!(opened.text().await.unwrap().contains(a.allergy));

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
        assert!(
            body.contains(REASON),
            "{role:?} reads the break-glass reason: {body}"
        );
    }
    // A reads their own record, allergy and all.
    let own_record = callers
        .authorize(
            Role::PatientA,
            client
                .post(format!("{}/api/my_record", app.address))
                .header("sec-fetch-site", "same-origin")
                .header("content-type", "application/x-www-form-urlencoded"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(own_record.status(), StatusCode::OK);
    assert!(own_record.text().await.unwrap().contains(a.allergy));

    // A booked the time it held; B, who tried after, was offered others.
    let booked = app
        .get_fhir(&format!(
            "Appointment?patient=Patient/{}&slot=Slot/{}",
            a.id, a.free_slot
        ))
        .await;
    let entries = booked["entry"].as_array().cloned().unwrap_or_default();
    assert_eq!(entries.len(), 1, "{booked}");
    assert_eq!(entries[0]["resource"]["status"], "booked");

    // The matrix's size, for the record (shown with --nocapture).
    eprintln!(
        "authorization matrix: {} FHIR routes and {} server functions × {} roles = {} cells",
        FHIR_ROUTES.len(),
        SERVER_FUNCTIONS.len(),
        ROLES.len(),
        (FHIR_ROUTES.len() + SERVER_FUNCTIONS.len()) * ROLES.len()
    );
}
