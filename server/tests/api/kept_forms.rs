//! A form posted without JavaScript that comes back with an error keeps what was typed, under a
//! short-lived cookie, for its page only; except after a conflict, where the page must show what
//! is stored now.

use reqwest::StatusCode;

use crate::{browser::Browser, helpers::spawn_app};

#[tokio::test]
async fn a_refused_form_keeps_what_was_typed_but_a_conflict_shows_what_is_stored() {
    let app = spawn_app().await;
    let administrator = Browser::new();
    administrator
        .sign_in_as_persona(&app.address, "administrator")
        .await;
    let services = app.get_fhir("HealthcareService?_count=1").await;
    let service = &services["entry"][0]["resource"];
    let id = service["id"].as_str().unwrap().to_owned();
    let version: i64 = service["meta"]["versionId"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let place = service["location"][0]["reference"]
        .as_str()
        .unwrap()
        .to_owned();
    let page = format!("{}/practice/services/{id}", app.address);
    let save = format!("{}/api/save_service", app.address);
    let form = |version: String, name: &'static str| {
        vec![
            ("id", id.clone()),
            ("version", version),
            ("name", name.to_owned()),
            ("description", "Ten minutes with a GP".to_owned()),
            ("cutoff", "24".to_owned()),
            ("offered", "yes".to_owned()),
            ("places[]", place.clone()),
        ]
    };
    let post = |fields: Vec<(&'static str, String)>| {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        administrator.post_raw(&save, body, "text/html", Some(&page))
    };

    // No name: back to the form, and what was typed kept for it.
    let refused = post(form(version.to_string(), "")).await;
    assert_eq!(refused.status(), StatusCode::FOUND);
    assert!(administrator.cookie(&app.address, "kept-form").is_some());
    let (status, html) = administrator
        .get_html(refused.headers()["location"].to_str().unwrap())
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Ten minutes with a GP"),
        "the description typed is shown"
    );
    assert!(
        administrator.cookie(&app.address, "kept-form").is_none(),
        "shown once"
    );

    // Based on an older version than the stored one: back to the form with nothing kept, so
    // that it shows the service as it is now.
    let stale = post(form(
        (version - 1).to_string(),
        "Changed over an old version",
    ))
    .await;
    assert_eq!(stale.status(), StatusCode::FOUND);
    assert!(
        stale.headers()["location"]
            .to_str()
            .unwrap()
            .contains("__err=")
    );
    assert!(administrator.cookie(&app.address, "kept-form").is_none());
}
