//! Signing in through the real OpenID Connect provider (patients: NHS login-shaped; staff: NHS
//! CIS2-shaped), sessions, sign-out, and the browser protections around them.

use reqwest::{StatusCode, header};

use crate::helpers::{Browser, http_client, spawn_app, spawn_app_with_sign_in};

/// The value of `name` in a response's `Set-Cookie` headers, with the attributes.
fn set_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

#[tokio::test]
async fn a_patient_signs_in_with_nhs_login_and_the_request_carries_pkce_state_nonce_and_vtr() {
    let app = spawn_app_with_sign_in().await;
    let browser = Browser::new();

    let (_, sign_in_page) = browser.get_html(&format!("{}/sign-in", app.address)).await;
    assert!(
        sign_in_page.contains("Continue to NHS login"),
        "{sign_in_page}"
    );

    let start = browser
        .get(&format!("{}/auth/sign-in/patient", app.address))
        .await;
    assert_eq!(start.status(), StatusCode::SEE_OTHER);
    let cookie = set_cookie(&start, "sign-in").expect("a cookie ties the attempt to this browser");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let location = start.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .to_owned();
    let authorize = reqwest::Url::parse(&location).unwrap();
    assert!(
        location.starts_with(&app.identity.as_ref().unwrap().patient_issuer),
        "{location}"
    );
    let query: std::collections::HashMap<_, _> = authorize.query_pairs().into_owned().collect();
    assert_eq!(query["response_type"], "code");
    assert_eq!(query["code_challenge_method"], "S256");
    assert!(query["state"].len() >= 22 && query["nonce"].len() >= 22);
    assert!(query["scope"].split(' ').any(|s| s == "nhs_number"));
    let vtr: Vec<String> = serde_json::from_str(&query["vtr"]).expect("vtr is a JSON array");
    assert!(vtr.iter().any(|v| v.starts_with("P9")), "{vtr:?}");

    let home = browser.sign_in_at_provider(start, "patient-p9").await;
    assert!(
        home.contains("Sam Okoro"),
        "the header names who is signed in"
    );
    assert!(home.contains("Sign out"));
}

#[tokio::test]
async fn a_p9_patient_sees_who_has_looked_at_their_record_and_their_own_look_is_listed() {
    let app = spawn_app_with_sign_in().await;
    let browser = Browser::new();
    browser.sign_in(&app.address, "patient", "patient-p9").await;

    let (status, page) = browser
        .get_html(&format!("{}/your-record/who-has-looked", app.address))
        .await;
    assert_eq!(status, 200);
    assert!(page.contains("Who has looked at your record"), "{page}");
    // Looking at the list is itself an access, left out of the list unless the patient asks
    // for their own: then the second visit lists the first.
    let (_, page) = browser
        .get_html(&format!("{}/your-record/who-has-looked", app.address))
        .await;
    assert!(!page.contains("<strong>You</strong>"), "{page}");
    let (_, page) = browser
        .get_html(&format!(
            "{}/your-record/who-has-looked?who=patient",
            app.address
        ))
        .await;
    assert!(page.contains("<strong>You</strong>"), "{page}");
    assert!(
        page.contains("looked through the list of who has looked at your record"),
        "{page}"
    );
}

#[tokio::test]
async fn patients_below_p9_and_patients_without_a_record_are_told_why_and_what_to_do() {
    let app = spawn_app_with_sign_in().await;
    let browser = Browser::new();
    browser.sign_in(&app.address, "patient", "patient-p5").await;
    let (_, page) = browser
        .get_html(&format!("{}/your-record/who-has-looked", app.address))
        .await;
    assert!(page.contains("You need to prove who you are"), "{page}");

    let browser = Browser::new();
    browser
        .sign_in(&app.address, "patient", "patient-not-registered")
        .await;
    let (_, page) = browser
        .get_html(&format!("{}/your-record/who-has-looked", app.address))
        .await;
    assert!(page.contains("could not find a record for you"), "{page}");
}

#[tokio::test]
async fn staff_sign_in_with_their_cis2_role_and_someone_without_an_access_role_is_refused() {
    let app = spawn_app_with_sign_in().await;
    let browser = Browser::new();
    let home = browser.sign_in(&app.address, "staff", "clinician").await;
    assert!(home.contains("Amara Okafor"), "{home}");
    assert!(home.contains("Clinician, Y90001"), "{home}");

    let porter = Browser::new();
    let start = porter
        .get(&format!("{}/auth/sign-in/staff", app.address))
        .await;
    let landing = porter.finish_at_provider(start, "no-access-role").await;
    assert!(
        landing.0.ends_with("/sign-in?error=no-role"),
        "{}",
        landing.0
    );
    assert!(
        landing.1.contains("no role that gives access"),
        "{}",
        landing.1
    );
    assert!(!landing.1.contains("Sign out"));
}

#[tokio::test]
async fn a_callback_taken_to_another_browser_or_replayed_is_refused() {
    let app = spawn_app_with_sign_in().await;
    let victim = Browser::new();
    let attacker = Browser::new();
    let start = attacker
        .get(&format!("{}/auth/sign-in/patient", app.address))
        .await;
    let callback = attacker
        .callback_url_from_provider(start, "patient-p9")
        .await;

    // Login CSRF: the attacker's finished sign-in, opened in the victim's browser, signs nobody in.
    let (landing, page) = victim.follow_html(&callback).await;
    assert!(landing.ends_with("/sign-in?error=expired"), "{landing}");
    assert!(!page.contains("Sign out"));

    // In the browser that started it, it works, once.
    let (landing, page) = attacker.follow_html(&callback).await;
    assert!(!landing.contains("error="), "{landing}");
    assert!(page.contains("Sign out"));
    let (landing, _) = attacker.follow_html(&callback).await;
    assert!(
        landing.ends_with("/sign-in?error=expired"),
        "a replay: {landing}"
    );
}

#[tokio::test]
async fn signing_in_rotates_the_session_and_signing_out_ends_it_on_the_server() {
    let app = spawn_app_with_sign_in().await;
    let browser = Browser::new();
    browser.sign_in(&app.address, "staff", "clinician").await;
    let first = browser
        .cookie(&app.address, "session")
        .expect("a session cookie");
    // Signing in again in the same browser (as a patient, through the other provider).
    browser.sign_in(&app.address, "patient", "patient-p9").await;
    let second = browser
        .cookie(&app.address, "session")
        .expect("a session cookie");
    assert_ne!(first, second, "a fresh id at every sign-in");

    let response = browser
        .post_form(&format!("{}/auth/sign-out", app.address), &[])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[header::LOCATION], "/signed-out");
    let cleared = set_cookie(&response, "session").expect("the cookie is cleared");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");

    // The old id, presented again by anyone, is worth nothing: the session row is gone.
    for id in [first, second] {
        let (_, page) = Browser::with_cookie(&app.address, "session", &id)
            .get_html(&format!("{}/", app.address))
            .await;
        assert!(!page.contains("Sign out"), "session {id} still works");
    }
}

#[tokio::test]
async fn a_session_ends_after_15_idle_minutes() {
    let app = spawn_app_with_sign_in().await;
    let browser = Browser::new();
    browser.sign_in(&app.address, "patient", "patient-p9").await;
    let (_, page) = browser.get_html(&format!("{}/", app.address)).await;
    assert!(page.contains("Sign out"));

    let db = app.database().await;
    sqlx::query("UPDATE sessions SET last_seen_at = last_seen_at - 16 * 60")
        .execute(&db)
        .await
        .unwrap();
    let response = browser.get(&format!("{}/", app.address)).await;
    let cleared = set_cookie(&response, "session").expect("the dead session's cookie is cleared");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    assert!(!response.text().await.unwrap().contains("Sign out"));
}

#[tokio::test]
async fn cross_site_form_posts_and_server_function_calls_are_refused() {
    let app = spawn_app_with_sign_in().await;
    let client = http_client().build().unwrap();
    for (header, value) in [
        ("origin", "http://evil.example"),
        ("sec-fetch-site", "cross-site"),
    ] {
        for path in ["/auth/sign-out", "/api/current_user", "/auth/demo"] {
            let response = client
                .post(format!("{}{path}", app.address))
                .header(header, value)
                .header("content-type", "application/x-www-form-urlencoded")
                .body("persona=clinician")
                .send()
                .await
                .unwrap();
            assert_eq!(
                response.status(),
                StatusCode::FORBIDDEN,
                "{path} with {header}"
            );
        }
    }
    let same_origin = client
        .post(format!("{}/api/current_user", app.address))
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .unwrap();
    assert_eq!(same_origin.status(), StatusCode::OK);
}

#[tokio::test]
async fn demo_personas_sign_in_in_demo_mode_and_are_listed_as_demo() {
    let app = spawn_app().await;
    let browser = Browser::new();
    let (_, page) = browser.get_html(&format!("{}/sign-in", app.address)).await;
    assert!(page.contains("Sign in as a demo persona"), "{page}");
    assert!(page.contains("Every person here is synthetic"));
    let response = browser
        .post_form(
            &format!("{}/auth/demo", app.address),
            &[("persona", "clinician")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let cookie = set_cookie(&response, "session").expect("a session");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let (_, home) = browser.get_html(&format!("{}/", app.address)).await;
    assert!(home.contains("Dr Amara Okafor"), "{home}");
}

#[tokio::test]
async fn outside_demo_mode_there_are_no_personas() {
    let app = spawn_app_with_sign_in().await;
    let browser = Browser::new();
    let (_, page) = browser.get_html(&format!("{}/sign-in", app.address)).await;
    assert!(!page.contains("demo persona"), "{page}");
    let response = browser
        .post_form(
            &format!("{}/auth/demo", app.address),
            &[("persona", "clinician")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn starting_sign_in_again_and_again_is_slowed_down_per_address() {
    let app = spawn_app_with_sign_in().await;
    let browser = Browser::new();
    let mut last = String::new();
    for _ in 0..=server::startup::SIGN_IN_ATTEMPTS_PER_MINUTE {
        let response = browser
            .get(&format!("{}/auth/sign-in/patient", app.address))
            .await;
        last = response.headers()[header::LOCATION]
            .to_str()
            .unwrap()
            .to_owned();
    }
    assert_eq!(last, "/sign-in?error=too-many");
}
