//! Staff reaching patients' records: a clinician of the practice opens its patients' records; a
//! clinician elsewhere only by breaking the glass, with a reason the patient then reads; an
//! administrator sees no clinical record. Signing in and out leaves a line in the patient's list.

use reqwest::{Method, StatusCode, header};
use serde_json::json;

use crate::helpers::{Browser, TestApp, spawn_app};

/// Patient A (the demo persona "patient-p9"), with an allergy on record: their id.
async fn patient_a_with_an_allergy(app: &TestApp) -> String {
    let id = app.patient_a_id().await;
    let created = app
        .fhir_with(
            Method::POST,
            "AllergyIntolerance",
            &json!({"resourceType": "AllergyIntolerance",
                "code": {"text": "Penicillin"}, "criticality": "high",
                "reaction": [{"manifestation": [{"text": "Anaphylaxis"}]}],
                "patient": {"reference": format!("Patient/{id}")}}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    id
}

#[tokio::test]
async fn a_clinician_finds_a_practice_patient_by_nhs_number_and_reads_their_allergies() {
    let app = spawn_app().await;
    let a = patient_a_with_an_allergy(&app).await;
    let browser = Browser::new();
    browser.sign_in_as_persona(&app.address, "clinician").await;

    let (status, page) = browser
        .get_html(&format!("{}/patients?nhs-number=999-000-0018", app.address))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("999 000 0018"), "{page}");
    assert!(page.contains("At your practice"), "{page}");
    assert!(page.contains(&format!("/patients/{a}")), "{page}");

    let (status, page) = browser
        .get_html(&format!("{}/patients/{a}", app.address))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Penicillin"), "{page}");
    assert!(page.contains("High risk. Reaction: Anaphylaxis"), "{page}");
    assert!(
        !page.contains("in an emergency"),
        "no break-glass needed: {page}"
    );
}

#[tokio::test]
async fn a_wrong_nhs_number_is_explained_on_the_search_page() {
    let app = spawn_app().await;
    let browser = Browser::new();
    browser.sign_in_as_persona(&app.address, "clinician").await;
    let (status, page) = browser
        .get_html(&format!("{}/patients?nhs-number=9990000019", app.address))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("There is a problem"), "{page}");
    assert!(page.contains("the check digit does not match"), "{page}");
    assert!(page.contains("<title>Error: Find a patient"), "{page}");
}

#[tokio::test]
async fn a_clinician_elsewhere_breaks_the_glass_without_javascript_and_the_patient_reads_why() {
    let app = spawn_app().await;
    let a = patient_a_with_an_allergy(&app).await;
    let record = format!("{}/patients/{a}", app.address);
    let browser = Browser::new();
    browser
        .sign_in_as_persona(&app.address, "clinician-elsewhere")
        .await;

    let (status, page) = browser.get_html(&record).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("not registered at your practice"), "{page}");
    assert!(page.contains("999 000 0018"), "whose record it is: {page}");
    assert!(!page.contains("Penicillin"), "nothing clinical: {page}");

    // Too short a reason: back to the page, which says what is wrong; nothing is opened.
    let action = format!("{}/api/break_glass", app.address);
    let response = browser
        .post_form_from_page(
            &record,
            &action,
            &[("patient_id", &a), ("reason", "urgent")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let back = response.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(back.starts_with(&record), "{back}");
    let (_, page) = browser.get_html(&back).await;
    assert!(page.contains("at least 10 characters"), "{page}");
    assert!(!page.contains("Penicillin"), "{page}");

    let reason = "Seen in A&E, unconscious, no other history available";
    let response = browser
        .post_form_from_page(&record, &action, &[("patient_id", &a), ("reason", reason)])
        .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(
        response.headers()[header::LOCATION],
        format!("/patients/{a}")
    );
    let (status, page) = browser.get_html(&record).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Penicillin"), "{page}");
    assert!(
        page.contains("You opened this record in an emergency"),
        "{page}"
    );

    // Patient A reads who opened it, from where, and why.
    let patient = Browser::new();
    patient.sign_in_as_persona(&app.address, "patient-p9").await;
    let (_, list) = patient
        .get_html(&format!("{}/your-record/who-has-looked", app.address))
        .await;
    assert!(list.contains("Dr Tom Hale (another practice)"), "{list}");
    assert!(list.contains("Seen in A&amp;E, unconscious"), "{list}");
    assert!(
        list.contains("Refused: nothing was seen or changed"),
        "the first try: {list}"
    );
    // Shown at the top the first time, in the list after that.
    assert!(
        list.contains("Your record was opened in an emergency"),
        "{list}"
    );
    let (_, again) = patient
        .get_html(&format!("{}/your-record/who-has-looked", app.address))
        .await;
    assert!(
        !again.contains("Your record was opened in an emergency"),
        "seen already: {again}"
    );
    assert!(again.contains("Seen in A&amp;E, unconscious"), "{again}");

    // The glass stays broken for that session only.
    browser
        .post_form(&format!("{}/auth/sign-out", app.address), &[])
        .await;
    browser
        .sign_in_as_persona(&app.address, "clinician-elsewhere")
        .await;
    let (status, _) = browser.get_html(&record).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a new session starts closed");
}

#[tokio::test]
async fn an_administrator_sees_no_clinical_record_and_cannot_break_the_glass() {
    let app = spawn_app().await;
    let a = patient_a_with_an_allergy(&app).await;
    let browser = Browser::new();
    browser
        .sign_in_as_persona(&app.address, "administrator")
        .await;
    let (status, page) = browser
        .get_html(&format!("{}/patients/{a}", app.address))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("You cannot see this record"), "{page}");
    assert!(
        page.contains("administrators do not see clinical records"),
        "{page}"
    );
    assert!(!page.contains("Penicillin"), "{page}");
    let response = browser
        .post_form(
            &format!("{}/api/break_glass", app.address),
            &[
                ("patient_id", &a),
                ("reason", "I would like to read it please"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let (status, _) = browser
        .get_html(&format!("{}/patients/{a}", app.address))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn signing_in_and_out_is_in_the_patients_own_list() {
    let app = spawn_app().await;
    let browser = Browser::new();
    browser.sign_in_as_persona(&app.address, "patient-p9").await;
    browser
        .post_form(&format!("{}/auth/sign-out", app.address), &[])
        .await;
    browser.sign_in_as_persona(&app.address, "patient-p9").await;
    // The patient's own doings are listed when they ask for them.
    let (_, list) = browser
        .get_html(&format!(
            "{}/your-record/who-has-looked?who=patient",
            app.address
        ))
        .await;
    // Counted in the HTML only (the page also carries its data for hydration).
    assert_eq!(list.matches("signed in<").count(), 2, "{list}");
    assert_eq!(list.matches("signed out<").count(), 1, "{list}");
}
