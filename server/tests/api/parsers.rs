//! The parsers behind the server's doors, on generated input over HTTP: form posts to every
//! server function (as scripts send them and as a browser without scripts does) and the identity
//! providers' callbacks. Whatever arrives, the answer is never a 5xx: a malformed request is the
//! asker's mistake. A failure prints the seed to draw the same inputs again.

use proptest::{collection::vec, prelude::*, sample::select};
use reqwest::{StatusCode, header};
use test_support::property::samples;

use crate::{
    browser::Browser,
    helpers::{spawn_app, spawn_app_with_sign_in},
};

/// Every server function's endpoint, as registered: a new one is tried as soon as it exists.
fn endpoints() -> Vec<String> {
    let mut endpoints: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.trim_start_matches("/api/").to_owned())
        .collect();
    endpoints.sort();
    assert!(endpoints.len() > 40, "server functions are registered");
    endpoints
}

/// The forms' field names, and a few nobody sends.
const FIELDS: &[&str] = &[
    "id",
    "patient_id",
    "slot",
    "service",
    "day",
    "change",
    "reason",
    "contact",
    "status",
    "date",
    "clinician",
    "systolic",
    "diastolic",
    "pulse",
    "temperature",
    "weight",
    "height",
    "problem",
    "onset",
    "substance",
    "reaction",
    "risk",
    "vaccine",
    "given",
    "note",
    "appointment",
    "name",
    "line1",
    "town",
    "postcode",
    "phone",
    "places[]",
    "cutoff",
    "offered",
    "open",
    "version",
    "from_day",
    "until_day",
    "from",
    "until",
    "minutes",
    "weeks",
    "monday",
    "nhs_number",
    "family",
    "before",
    "who",
    "colour",
    "topic",
    "subject",
    "message",
    "queue",
    "appointments",
    "emergency_access",
    "messages",
    "",
];

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9 .:-]{0,12}",
        "[A-Za-z0-9 ,.'&-]{0,30}",
        any::<String>(),
    ]
}

/// A form body: fields of the service's forms with generated values, as a browser encodes them;
/// or any bytes at all.
fn body() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => vec((select(FIELDS), value()), 0..8).prop_map(|pairs| {
            form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish()
        }),
        1 => any::<String>(),
        1 => "[a-z_=&%0-9]{0,40}",
    ]
}

#[tokio::test]
async fn generated_form_posts_to_every_server_function_never_fail_the_server() {
    let app = spawn_app().await;
    let clinician = Browser::new();
    clinician
        .sign_in_as_persona(&app.address, "clinician")
        .await;
    let patient = Browser::new();
    patient.sign_in_as_persona(&app.address, "patient-p9").await;
    let nobody = Browser::new();
    let posts = (select(endpoints()), body(), 0_usize..3, any::<bool>());
    let (seed, posts) = samples(300, posts);
    for (endpoint, body, who, scripts) in posts {
        let browser = [&clinician, &patient, &nobody][who];
        let url = format!("{}/api/{endpoint}", app.address);
        let response = if scripts {
            browser.post_raw(&url, body.clone(), "*/*", None).await
        } else {
            let page = format!("{}/", app.address);
            browser
                .post_raw(&url, body.clone(), "text/html", Some(&page))
                .await
        };
        assert!(
            response.status() < StatusCode::INTERNAL_SERVER_ERROR,
            "POST /api/{endpoint} {body:?} (scripts {scripts}) answered {}; \
             draw the same with PROPERTY_SEED={seed}",
            response.status()
        );
    }
}

#[tokio::test]
async fn generated_sign_in_callbacks_never_fail_the_server() {
    let app = spawn_app_with_sign_in().await;
    let param = prop_oneof![
        select(vec![
            "code",
            "state",
            "error",
            "error_description",
            "iss",
            "session_state"
        ])
        .prop_map(str::to_owned),
        "[a-z_]{1,8}",
    ];
    let queries = (
        vec((param, value()), 0..5),
        any::<bool>(),
        select(vec!["patient", "staff", "other"]),
    );
    let (seed, queries) = samples(60, queries);
    for (pairs, with_real_state, provider) in queries {
        // A browser that started a sign-in: the cookie and, sometimes, the state are real.
        let browser = Browser::new();
        let start = browser
            .get(&format!("{}/auth/sign-in/{provider}", app.address))
            .await;
        let state = (start.headers().get(header::LOCATION))
            .and_then(|location| location.to_str().ok())
            .and_then(|location| reqwest::Url::parse(location).ok())
            .and_then(|url| {
                url.query_pairs()
                    .find(|(k, _)| k == "state")
                    .map(|(_, v)| v.into_owned())
            });
        let mut query = form_urlencoded::Serializer::new(String::new());
        query.extend_pairs(&pairs);
        if let (true, Some(state)) = (with_real_state, &state) {
            query.append_pair("state", state);
        }
        let query = query.finish();
        let response = browser
            .get(&format!("{}/auth/callback/{provider}?{query}", app.address))
            .await;
        assert!(
            response.status() < StatusCode::INTERNAL_SERVER_ERROR,
            "GET /auth/callback/{provider}?{query} answered {}; draw the same with PROPERTY_SEED={seed}",
            response.status()
        );
    }
}
