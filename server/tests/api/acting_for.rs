//! Acting for someone you care for, without JavaScript: the demo persona "proxy" holds patient A's
//! proxy grant. Choosing A makes every page about A and say so; what the carer does is audited
//! with them as the agent and A as the patient; a grant allows only what it states; a person who
//! gave no grant is refused with an explanation, never silently swapped for the carer's own.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Browser, TestApp, free_gp_slot, spawn_app};

/// Patient B (999 000 0026): gave the carer nothing.
const B_NHS_NUMBER: &str = "9990000026";
/// A word only patient A's record holds (an allergy the test records).
const A_ALLERGY: &str = "Quetiapinoid";
/// A word only patient B's record holds.
const B_ALLERGY: &str = "Lamotrigoid";

/// Records an allergy to `substance` for `patient_id`, as the practice's system would.
async fn record_allergy(app: &TestApp, patient_id: &str, substance: &str) {
    let response = app
        .fhir_with(
            Method::POST,
            "AllergyIntolerance",
            &json!({"resourceType": "AllergyIntolerance",
                "code": {"text": substance},
                "patient": {"reference": format!("Patient/{patient_id}")}}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
}

async fn patient_id(app: &TestApp, nhs_number: &str) -> String {
    app.get_fhir(&format!(
        "Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|{nhs_number}"
    ))
    .await["entry"][0]["resource"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The grant patient A gave: the RelatedPerson naming A.
async fn grant_of(app: &TestApp, a: &str) -> Value {
    app.get_fhir(&format!("RelatedPerson?patient=Patient/{a}"))
        .await["entry"][0]["resource"]
        .clone()
}

async fn update(app: &TestApp, resource: &Value) {
    let id = resource["id"].as_str().unwrap();
    let response = app
        .fhir_with(Method::PUT, &format!("RelatedPerson/{id}"), resource)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{resource}");
}

#[tokio::test]
async fn a_carer_acts_for_the_person_who_granted_it_and_every_page_and_the_audit_say_so() {
    let app = spawn_app().await;
    let a = app.patient_a_id().await;
    record_allergy(&app, &a, A_ALLERGY).await;
    let carer = Browser::new();
    carer.sign_in_as_persona(&app.address, "proxy").await;

    let (_, home) = app.page_as(&carer, "/").await;
    assert!(!home.contains("You are acting for"), "{home}");
    assert!(home.contains("Act for someone you care for"), "{home}");
    let (status, choices) = app.page_as(&carer, "/acting-for").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        choices.contains("Oliver Evans (Carer with proxy access)"),
        "{choices}"
    );
    assert!(
        choices.contains(
            "You can see their health record, book and manage their appointments, message their GP practice and order their repeat prescriptions."
        ),
        "{choices}"
    );

    // Choosing A: home says whose record every page is about.
    let (status, home) = app
        .post_as(&carer, "/acting-for", "act_for", &[("person", &a)])
        .await;
    assert!(status.is_redirection(), "{status}");
    assert!(home.contains("You are acting for Oliver Evans"), "{home}");
    assert!(
        home.contains("Oliver Evans&#x27;s next appointment")
            || home.contains("Oliver Evans's next appointment"),
        "{home}"
    );
    let (status, record) = app.page_as(&carer, "/your-record").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        record.contains("You are acting for Oliver Evans"),
        "{record}"
    );
    assert!(record.contains(A_ALLERGY), "A's record: {record}");
    let (_, messages) = app.page_as(&carer, "/messages").await;
    assert!(
        messages.contains("You are acting for Oliver Evans"),
        "{messages}"
    );

    // Booking for A: the appointment is A's.
    let slot = free_gp_slot(&app, 3).await;
    let slot_id = slot["id"].as_str().unwrap();
    app.post_as(&carer, "/book", "hold_time", &[("slot_id", slot_id)])
        .await;
    let (status, booked) = app
        .post_as(
            &carer,
            &format!("/book/check?slot={slot_id}"),
            "book_appointment",
            &[("slot_id", slot_id), ("contact", "text")],
        )
        .await;
    assert!(status.is_redirection(), "{status}: {booked}");
    let appointment = app
        .get_fhir(&format!("Appointment?slot=Slot/{slot_id}"))
        .await["entry"][0]["resource"]
        .clone();
    let participants = appointment["participant"].to_string();
    assert!(
        participants.contains(&format!("Patient/{a}")),
        "{appointment}"
    );

    // The audit names the carer, as a proxy, and A as the patient; A sees it.
    let id = appointment["id"].as_str().unwrap();
    let audit = app
        .get_fhir(&format!("AuditEvent?entity=Appointment/{id}"))
        .await;
    let event = &audit["entry"][0]["resource"];
    assert_eq!(event["agent"][0]["type"]["text"], "Proxy", "{event}");
    assert!(
        event["entity"]
            .to_string()
            .contains(&format!("Patient/{a}")),
        "{event}"
    );
    let patient = Browser::new();
    patient.sign_in_as_persona(&app.address, "patient-p9").await;
    let (_, looked) = app.page_as(&patient, "/your-record/who-has-looked").await;
    let carer_name = event["agent"][0]["who"]["display"].as_str().unwrap();
    assert!(looked.contains(carer_name), "{looked}");
    // And the carer's own list shows what they did for A.
    let (_, own_list) = app.page_as(&carer, "/your-record/who-has-looked").await;
    let done = own_list
        .split("What you did lately for Oliver Evans")
        .nth(1)
        .unwrap_or_else(|| panic!("a section for A: {own_list}"));
    let done = done.split("</section>").next().unwrap();
    assert!(done.contains("<strong>You</strong>"), "{done}");
    assert!(done.contains("their appointments"), "{done}");
    // A's own session is not affected by the carer's choice.
    let (_, own) = app.page_as(&patient, "/your-record").await;
    assert!(!own.contains("You are acting for"), "{own}");
    assert!(own.contains("Your health record"), "{own}");

    // Back to themselves: their own pages again.
    app.post_as(
        &carer,
        "/acting-for",
        "act_for",
        &[("person", "themselves")],
    )
    .await;
    let (_, record) = app.page_as(&carer, "/your-record").await;
    assert!(!record.contains("You are acting for"), "{record}");
    assert!(record.contains("Your health record"), "{record}");
    assert!(!record.contains(A_ALLERGY), "not A's: {record}");
}

#[tokio::test]
async fn a_grant_allows_only_what_it_states_and_anyone_else_is_refused_with_an_explanation() {
    let app = spawn_app().await;
    let a = app.patient_a_id().await;
    let b = patient_id(&app, B_NHS_NUMBER).await;
    record_allergy(&app, &a, A_ALLERGY).await;
    record_allergy(&app, &b, B_ALLERGY).await;
    // A's practice narrows the grant to appointments.
    let mut grant = grant_of(&app, &a).await;
    grant["extension"] = json!([{
        "url": "https://fhir.openhealth.example/StructureDefinition/proxy-access",
        "valueCode": "appointments",
    }]);
    update(&app, &grant).await;

    let carer = Browser::new();
    carer.sign_in_as_persona(&app.address, "proxy").await;
    let (_, choices) = app.page_as(&carer, "/acting-for").await;
    assert!(
        choices.contains("You can book and manage their appointments."),
        "{choices}"
    );
    app.post_as(&carer, "/acting-for", "act_for", &[("person", &a)])
        .await;
    let (status, appointments) = app.page_as(&carer, "/appointments").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        appointments.contains("Oliver Evans&#x27;s appointments")
            || appointments.contains("Oliver Evans's appointments"),
        "{appointments}"
    );
    let (status, record) = app.page_as(&carer, "/your-record").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(record.contains("You cannot do this for them"), "{record}");
    assert!(!record.contains(A_ALLERGY), "{record}");
    // Who has looked at A's record, and why, is part of the record: refused too.
    let who_has_looked = format!("/your-record/who-has-looked?for={a}");
    for page in ["/messages", "/prescriptions", who_has_looked.as_str()] {
        let (status, refused) = app.page_as(&carer, page).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{page}");
        assert!(refused.contains("You cannot do this for them"), "{refused}");
    }

    // B gave nothing: asking for B's record or appointments by address is refused and says why,
    // and choosing B changes nothing.
    for page in ["/your-record", "/appointments"] {
        let (status, refused) = app.page_as(&carer, &format!("{page}?for={b}")).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{page}");
        assert!(refused.contains("You cannot do this for them"), "{refused}");
        assert!(!refused.contains(B_ALLERGY), "{refused}");
    }
    let response = carer
        .post_form(&format!("{}/api/act_for", app.address), &[("person", &b)])
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let (_, home) = app.page_as(&carer, "/").await;
    assert!(home.contains("You are acting for Oliver Evans"), "{home}");

    // A ends the grant: the next page says so, once, and is the carer's own again.
    grant = grant_of(&app, &a).await;
    grant["active"] = json!(false);
    update(&app, &grant).await;
    let (status, appointments) = app.page_as(&carer, "/appointments").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        appointments.contains("Your access to act for someone has ended."),
        "{appointments}"
    );
    assert!(appointments.contains("Your appointments"), "{appointments}");
    let (_, again) = app.page_as(&carer, "/appointments").await;
    assert!(!again.contains("has ended"), "{again}");
    assert!(again.contains("Your appointments"), "{again}");
}
