//! "Add to your calendar": the appointment as an iCalendar file, for whoever may see it.

use reqwest::StatusCode;

use crate::helpers::{book_for, http_client, sign_in_persona, spawn_app};

#[tokio::test]
async fn the_patient_downloads_their_appointment_and_nobody_else_can() {
    let app = spawn_app().await;
    let patient_a = app.patient_a_id().await;
    let appointment = book_for(&app, &patient_a, 2).await;
    let url = format!("{}/appointments/{appointment}/calendar.ics", app.address);
    let client = http_client().build().unwrap();

    let a = sign_in_persona(&app, "patient-p9").await;
    let response = client
        .get(&url)
        .header("cookie", format!("session={a}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "text/calendar; charset=utf-8"
    );
    let ics = response.text().await.unwrap();
    assert!(ics.contains("BEGIN:VEVENT\r\n"), "{ics}");
    assert!(
        ics.contains(&format!("UID:{appointment}@openhealth")),
        "{ics}"
    );
    assert!(ics.contains("SUMMARY:GP appointment with Dr "), "{ics}");

    let b = sign_in_persona(&app, "patient-b-p9").await;
    let refused = client
        .get(&url)
        .header("cookie", format!("session={b}"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(!refused.text().await.unwrap().contains("VEVENT"));

    let signed_out = client.get(&url).send().await.unwrap();
    assert_eq!(signed_out.status(), StatusCode::SEE_OTHER);
    assert!(
        signed_out.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/sign-in?return_to=")
    );
}
