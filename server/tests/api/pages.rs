//! Pages are complete, accessible HTML before any script runs.

use std::time::Duration;

use crate::helpers::{spawn_app, spawn_app_with};

#[tokio::test]
async fn home_page_is_server_rendered_with_the_practice_and_the_app_shell() {
    let app = spawn_app().await;
    let (status, html) = app.get_html("/").await;
    assert_eq!(status, 200);
    assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
    assert!(html.contains(r#"<html lang="en""#));
    assert!(html.contains(r##"href="#maincontent""##), "skip link");
    assert!(html.contains(r#"<main id="maincontent""#));
    assert!(
        html.contains("<title>Book appointments and see your health record – Open Health</title>")
    );
    // The data is in the first response: async SSR waited for it instead of streaming a placeholder.
    assert!(
        html.contains("<h1>Riverside Medical Practice</h1>"),
        "{html}"
    );
    assert!(html.contains("Practice nurse appointment"));
    assert!(!html.contains("Loading…"));
}

/// Listing an app's routes, Leptos tells every resource in the process not to load, and one that
/// starts meanwhile never does (leptos-rs/leptos#4773): the page waiting for it never answers.
/// Another server starting in the same process (as every test here starts one) must not do that
/// to this one's pages.
#[tokio::test]
async fn pages_keep_rendering_while_another_server_starts_in_the_same_process() {
    let app = spawn_app().await;
    let others = std::thread::spawn(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        runtime.block_on(async {
            for _ in 0..5 {
                spawn_app_with(false).await;
            }
        });
    });
    loop {
        let (status, html) = tokio::time::timeout(Duration::from_secs(20), app.get_html("/"))
            .await
            .expect("the home page answers while another server starts");
        assert_eq!(status, 200);
        assert!(html.contains("<h1>Riverside Medical Practice</h1>"));
        if others.is_finished() {
            break;
        }
    }
    others.join().expect("the other servers started");
}

#[tokio::test]
async fn unknown_pages_are_404_in_the_same_frame() {
    let app = spawn_app().await;
    let (status, html) = app.get_html("/no/such/page").await;
    assert_eq!(status, 404);
    assert!(html.contains("<h1>Page not found</h1>"), "{html}");
    assert!(html.contains("<title>Page not found – Open Health</title>"));
    assert!(html.contains(r#"<main id="maincontent""#));
}

#[tokio::test]
async fn checking_a_valid_nhs_number_without_javascript_shows_it_grouped() {
    let app = spawn_app().await;
    let (status, html) = app
        .get_html("/check-an-nhs-number?nhs-number=999-000-0018")
        .await;
    assert_eq!(status, 200);
    assert!(html.contains("This is a valid NHS number"), "{html}");
    assert!(html.contains("999 000 0018"));
    assert!(!html.contains("There is a problem"));
}

#[tokio::test]
async fn checking_a_wrong_nhs_number_without_javascript_gives_an_error_summary() {
    let app = spawn_app().await;
    let (status, html) = app
        .get_html("/check-an-nhs-number?nhs-number=9990000019")
        .await;
    assert_eq!(status, 200);
    assert!(html.contains("There is a problem"), "{html}");
    assert!(html.contains(
        r##"<a href="#nhs-number">Enter a valid NHS number: the check digit does not match</a>"##
    ));
    assert!(html.contains("<title>Error: Check an NHS number – Open Health</title>"));
    assert!(!html.contains("This is a valid NHS number"));
}

#[tokio::test]
async fn a_failing_database_gives_the_service_problem_page_without_internal_detail() {
    let app = spawn_app().await;
    sqlx::query("ALTER TABLE resources RENAME TO resources_gone")
        .execute(&app.database().await)
        .await
        .unwrap();
    let (status, html) = app.get_html("/").await;
    assert_eq!(status, 500);
    assert!(
        html.contains("<h1>Sorry, there is a problem with the service</h1>"),
        "{html}"
    );
    assert!(html.contains(r#"<main id="maincontent""#), "same frame");
    assert!(!html.contains("resources"), "no table names: {html}");
    assert!(
        !html.to_lowercase().contains("sqlite"),
        "no database details: {html}"
    );
}
