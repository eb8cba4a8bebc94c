//! What operators rely on: probes, request ids, compression and cacheable static files.

use crate::helpers::spawn_app;

#[tokio::test]
async fn liveness_and_readiness_probes_answer_200() {
    let app = spawn_app().await;
    let (status, body) = app.get_html("/healthz").await;
    assert_eq!((status.as_u16(), body.as_str()), (200, "ok"));
    let (status, body) = app.get_html("/readyz").await;
    assert_eq!((status.as_u16(), body.as_str()), (200, "ready"));
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_a_given_one_is_kept() {
    let app = spawn_app().await;
    let response = app.get("/healthz").await;
    let generated = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(generated.len(), 36, "a UUID: {generated}");

    let response = app
        .get_with("/healthz", "x-request-id", "from-the-load-balancer")
        .await;
    assert_eq!(response.headers()["x-request-id"], "from-the-load-balancer");
}

#[tokio::test]
async fn pages_are_compressed_with_brotli_or_gzip_as_the_browser_asks() {
    let app = spawn_app().await;
    for encoding in ["br", "gzip"] {
        let response = app.get_with("/", "accept-encoding", encoding).await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-encoding"], encoding);
    }
}

#[tokio::test]
async fn bundle_files_are_served_from_pkg_and_missing_ones_are_404() {
    let app = spawn_app().await;
    std::fs::write(
        app.dir.path().join("site/pkg/health.js"),
        "export default 1;",
    )
    .unwrap();
    let response = app.get("/pkg/health.js").await;
    assert_eq!(response.status(), 200);
    // The test binary has no hash.txt beside it, so names are unhashed and must be revalidated.
    assert_eq!(response.headers()["cache-control"], "no-cache");
    assert_eq!(response.text().await.unwrap(), "export default 1;");

    assert_eq!(app.get("/pkg/nothing-here.wasm").await.status(), 404);
}

#[tokio::test]
async fn the_practice_summary_server_function_returns_public_details_as_json() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(format!("{}/api/practice_summary", app.address))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .body("")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body = response.text().await.unwrap();
    assert!(body.contains(r#""ods_code":"Y90001""#), "{body}");
    assert!(
        !body.contains("nhs"),
        "no patient data on a public endpoint: {body}"
    );
}

#[tokio::test]
async fn precompressed_bundle_files_are_sent_as_they_are_when_the_browser_accepts_them() {
    let app = spawn_app().await;
    let pkg = app.dir.path().join("site/pkg");
    std::fs::write(pkg.join("health.wasm"), b"\0asm plain").unwrap();
    std::fs::write(pkg.join("health.wasm.br"), b"brotli bytes").unwrap();

    let response = app
        .get_with("/pkg/health.wasm", "accept-encoding", "br, gzip")
        .await;
    assert_eq!(response.headers()["content-encoding"], "br");
    assert_eq!(response.headers()["content-type"], "application/wasm");
    assert_eq!(response.bytes().await.unwrap().as_ref(), b"brotli bytes");

    let response = app.get("/pkg/health.wasm").await;
    assert!(response.headers().get("content-encoding").is_none());
    assert_eq!(response.bytes().await.unwrap().as_ref(), b"\0asm plain");
}

#[tokio::test]
async fn every_response_carries_the_browser_security_headers() {
    let app = spawn_app().await;
    for path in ["/", "/no-such-page", "/healthz", "/fhir/metadata"] {
        let response = app.get(path).await;
        let headers = response.headers();
        for (name, value) in [
            (
                "strict-transport-security",
                "max-age=31536000; includeSubDomains",
            ),
            ("x-content-type-options", "nosniff"),
            ("referrer-policy", "same-origin"),
            ("x-frame-options", "DENY"),
        ] {
            assert_eq!(headers[name], value, "{name} on {path}");
        }
        assert!(headers.contains_key("permissions-policy"), "{path}");
        let policy = headers["content-security-policy"].to_str().unwrap();
        assert!(
            policy.contains("frame-ancestors 'none'"),
            "{path}: {policy}"
        );
        assert!(!policy.contains("unsafe-inline"), "{path}: {policy}");
    }
    let api = app.get("/fhir/metadata").await;
    assert_eq!(
        api.headers()["content-security-policy"],
        "default-src 'none'; frame-ancestors 'none'"
    );
}

#[tokio::test]
async fn a_page_admits_exactly_the_inline_scripts_it_carries_by_a_fresh_nonce() {
    let app = spawn_app().await;
    let nonce_of = |response: &reqwest::Response| {
        let policy = response.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned();
        let start = policy.find("'nonce-").expect("a nonce in the policy") + 7;
        let end = start + policy[start..].find('\'').unwrap();
        policy[start..end].to_owned()
    };
    let first = app.get("/").await;
    let nonce = nonce_of(&first);
    let html = first.text().await.unwrap();
    let script_tags: Vec<&str> = html
        .split("<script")
        .skip(1)
        .map(|rest| &rest[..rest.find('>').unwrap()])
        .collect();
    assert!(!script_tags.is_empty(), "the page hydrates with a script");
    for tag in script_tags {
        assert!(
            tag.contains(&format!("nonce=\"{nonce}\"")),
            "every script carries this response's nonce: <script{tag}>"
        );
    }
    let second = app.get("/").await;
    assert_ne!(nonce_of(&second), nonce, "a new nonce per response");
}
