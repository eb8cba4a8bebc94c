//! `spawn_app()`: the real server, on a free port, with a fresh database seeded with demo data;
//! `spawn_app_with_sign_in()`: the same with the test identity provider configured instead of
//! demo mode.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

pub use crate::browser::Browser;
use crate::identity_provider::{
    IdentityProvider, PATIENT_CLIENT_ID, STAFF_CLIENT_ID, STAFF_CLIENT_SECRET,
};
use server::{
    Application, Config,
    config::{
        ClientAuth, DEFAULT_VTR, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, OidcProviderConfig, Secret,
    },
};

/// Longer than any request here takes, even on a busy CI machine: a request that never answers
/// fails its test with the test's name instead of holding the whole suite until CI gives up.
pub const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// An HTTP client as the tests use it: redirects not followed (a test looks at each hop), and no
/// request waits longer than [`REQUEST_TIMEOUT`].
pub fn http_client() -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(REQUEST_TIMEOUT)
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    /// The data dir, site root and database live as long as the app under test.
    pub dir: tempfile::TempDir,
    pub database: test_support::TestDatabase,
    /// A bearer token of the demo client (every scope); `None` outside demo mode.
    pub token: Option<String>,
    /// The identity provider, for apps started with sign-in configured.
    pub identity: Option<IdentityProvider>,
}

impl TestApp {
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .expect("the server answers")
    }

    /// A GET with one request header, as a browser or a load balancer would send it.
    pub async fn get_with(&self, path: &str, header: &str, value: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .header(header, value)
            .send()
            .await
            .expect("the server answers")
    }

    /// A FHIR REST request to `path` under `/fhir`, asking for FHIR JSON, with the demo client's
    /// token (in demo mode).
    pub fn fhir(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let request = self.fhir_anonymous(method, path);
        match &self.token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    /// A FHIR REST request without any token.
    pub fn fhir_anonymous(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, format!("{}/fhir/{path}", self.address))
            .header("accept", "application/fhir+json")
    }

    /// `POST /oauth2/token` with a client-credentials form.
    pub async fn request_token(&self, form: &[(&str, &str)]) -> reqwest::Response {
        let body: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        self.client
            .post(format!("{}/oauth2/token", self.address))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .expect("the server answers")
    }

    /// Registers a backend client with `scope` straight in the app's database, and returns a token
    /// for it.
    pub async fn client_with_scope(&self, client_id: &str, scope: &str) -> String {
        let db = backend::open_database(&self.database.url)
            .await
            .expect("the app's database");
        let scopes: backend::auth::Scopes = scope.parse().expect("a valid scope");
        backend::auth::api_clients::register(
            &db,
            client_id,
            client_id,
            "s3cret",
            &scopes,
            jiff::Timestamp::now(),
        )
        .await
        .expect("the client is registered");
        self.token_for(client_id, "s3cret", scope).await
    }

    /// A token for `client_id` with `scope`, which the test expects to be granted.
    pub async fn token_for(&self, client_id: &str, secret: &str, scope: &str) -> String {
        let response = self
            .request_token(&[
                ("grant_type", "client_credentials"),
                ("client_id", client_id),
                ("client_secret", secret),
                ("scope", scope),
            ])
            .await;
        assert_eq!(response.status(), 200, "a token for {client_id}");
        let body: serde_json::Value = response.json().await.expect("a JSON body");
        body["access_token"]
            .as_str()
            .expect("an access token")
            .to_owned()
    }

    /// A FHIR request carrying `body` as `application/fhir+json`.
    pub fn fhir_with(
        &self,
        method: reqwest::Method,
        path: &str,
        body: &serde_json::Value,
    ) -> reqwest::RequestBuilder {
        self.fhir(method, path)
            .header("content-type", "application/fhir+json")
            .body(body.to_string())
    }

    /// `POST /fhir/{type}` of `body` (its `resourceType`), which must be created: what was
    /// stored.
    pub async fn create_fhir(&self, body: &serde_json::Value) -> serde_json::Value {
        let kind = body["resourceType"].as_str().expect("a resourceType");
        let response = self
            .fhir_with(reqwest::Method::POST, kind, body)
            .send()
            .await
            .expect("the server answers");
        assert_eq!(response.status(), reqwest::StatusCode::CREATED, "{kind}");
        response.json().await.expect("a JSON body")
    }

    /// `GET /fhir/{path}` and its JSON body.
    pub async fn get_fhir(&self, path: &str) -> serde_json::Value {
        let response = self
            .fhir(reqwest::Method::GET, path)
            .send()
            .await
            .expect("the server answers");
        response.json().await.expect("a JSON body")
    }

    /// The id of patient A (999 000 0018): the first seeded patient, the demo persona
    /// "patient-p9".
    pub async fn patient_a_id(&self) -> String {
        let bundle = self
            .get_fhir("Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|9990000018")
            .await;
        bundle["entry"][0]["resource"]["id"]
            .as_str()
            .expect("patient A")
            .to_owned()
    }

    /// A second connection to the app's database, for tests that break it on purpose.
    pub async fn database(&self) -> sqlx::AnyPool {
        sqlx::any::install_default_drivers();
        sqlx::AnyPool::connect(&self.database.url)
            .await
            .expect("the test database opens")
    }

    pub async fn get_html(&self, path: &str) -> (reqwest::StatusCode, String) {
        let response = self.get(path).await;
        let status = response.status();
        (status, response.text().await.expect("a text body"))
    }

    /// Page `path` as `who` sees it: its status and HTML.
    pub async fn page_as(&self, who: &Browser, path: &str) -> (reqwest::StatusCode, String) {
        who.get_html(&format!("{}{path}", self.address)).await
    }

    /// `who` posts server function `name` from page `page` without JavaScript: the status of
    /// the answer and, after its redirects, the page it ends on.
    pub async fn post_as(
        &self,
        who: &Browser,
        page: &str,
        name: &str,
        form: &[(&str, &str)],
    ) -> (reqwest::StatusCode, String) {
        let (status, _, page) = who.post_and_follow(&self.address, page, name, form).await;
        (status, page)
    }
}

/// Starts the app in demo mode on the suite's backend (SQLite, or PostgreSQL under
/// `TEST_DATABASE_URL`).
pub async fn spawn_app() -> TestApp {
    spawn_app_with(true).await
}

/// Starts the app with demo mode on or off (off: no demo data, no demo API client).
pub async fn spawn_app_with(demo_mode: bool) -> TestApp {
    start(demo_mode, false).await
}

/// Starts the app with the practice's data but not in demo mode, signing people in through the
/// test identity provider (a real `oidc-provider` process): NHS login-shaped for patients,
/// CIS2-shaped for staff.
pub async fn spawn_app_with_sign_in() -> TestApp {
    start(false, true).await
}

async fn start(demo_mode: bool, sign_in: bool) -> TestApp {
    let database = test_support::fresh_database().await;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let data_dir = dir.path().join("data");
    let site_root = dir.path().join("site");
    std::fs::create_dir_all(site_root.join("pkg")).expect("a site root");
    // Bound first, so that the identity provider can be told the app's redirect URIs.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let address = format!("http://{}", listener.local_addr().expect("a bound address"));
    let identity = sign_in.then(|| IdentityProvider::start(&address, dir.path()));
    let mut config = Config {
        bind_addr: "127.0.0.1:0".parse().expect("a loopback address"),
        database_url: database.url.clone(),
        data_dir,
        log_filter: "warn".into(),
        demo_mode,
        behind_proxy: false,
        site_root,
        public_url: address.clone(),
        production: false,
        patient_login: None,
        staff_login: None,
        request_timeout: server::config::DEFAULT_REQUEST_TIMEOUT,
        mail: None,
    };
    if let Some(identity) = &identity {
        let key = std::fs::read_to_string(&identity.patient_key_file).expect("the client key");
        config.patient_login = Some(OidcProviderConfig {
            issuer: identity.patient_issuer.clone(),
            client_id: PATIENT_CLIENT_ID.into(),
            client_auth: ClientAuth::PrivateKeyJwt {
                private_key_pem: Secret::new(key),
            },
            scopes: ["openid", "profile", "nhs_number"]
                .map(String::from)
                .to_vec(),
            vtr: Some(DEFAULT_VTR.into()),
        });
        config.staff_login = Some(OidcProviderConfig {
            issuer: identity.staff_issuer.clone(),
            client_id: STAFF_CLIENT_ID.into(),
            client_auth: ClientAuth::ClientSecret(Secret::new(STAFF_CLIENT_SECRET)),
            scopes: ["openid", "profile", "nationalrbacaccess"]
                .map(String::from)
                .to_vec(),
            vtr: None,
        });
    }
    server::telemetry::init(&config.log_filter);
    let app = Application::build_with_listener(config, listener)
        .await
        .expect("the app starts");
    if sign_in {
        // The practice's records, without demo mode's personas and API client.
        let db = backend::open_database(&database.url)
            .await
            .expect("the database");
        let now = jiff::Timestamp::now()
            .in_tz("Europe/London")
            .expect("UK time");
        backend::seed::seed_if_empty(&db, &now)
            .await
            .expect("the practice is seeded");
    }
    tokio::spawn(app.run_until_stopped());
    let client = http_client().build().expect("an HTTP client");
    let mut app = TestApp {
        address,
        client,
        dir,
        database,
        token: None,
        identity,
    };
    if demo_mode {
        app.token = Some(
            app.token_for(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, "system/*.cruds")
                .await,
        );
    }
    app
}

/// Signs in as demo persona `persona` (demo mode): the session cookie's value.
pub async fn sign_in_persona(app: &TestApp, persona: &str) -> String {
    let client = http_client().build().unwrap();
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

/// The earliest free GP slot from `days` days ahead.
pub async fn free_gp_slot(app: &TestApp, days: i64) -> Value {
    let from = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24 * days);
    let from = jiff::Timestamp::from_second(from.as_second()).unwrap();
    let bundle = app
        .get_fhir(&format!(
            "Slot?status=free&service-type=https://fhir.openhealth.example/CodeSystem/service-kind|gp\
             &start=ge{from}&_sort=start&_count=1"
        ))
        .await;
    bundle["entry"][0]["resource"].clone()
}

/// Books the earliest free GP time `days` ahead for patient `patient_id` through the FHIR API
/// (as the practice system would): the appointment's id.
pub async fn book_for(app: &TestApp, patient_id: &str, days: i64) -> String {
    let slot = free_gp_slot(app, days).await;
    let response = app
        .fhir_with(
            Method::POST,
            "Appointment",
            &json!({"resourceType": "Appointment", "status": "booked",
                "serviceType": slot["serviceType"],
                "slot": [{"reference": format!("Slot/{}", slot["id"].as_str().unwrap())}],
                "start": slot["start"], "end": slot["end"],
                "participant": [{"actor": {"reference": format!("Patient/{patient_id}")},
                    "status": "accepted"}]}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::CREATED,
        "A's appointment is booked"
    );
    response.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Dr Amara Okafor's PractitionerRole (the "clinician" persona's) and the place of her diary,
/// read with `get` (a FHIR GET of a path).
pub async fn okafor_role_and_place(get: impl AsyncFn(&str) -> Value) -> (String, String) {
    let person =
        get("Practitioner?identifier=https://fhir.nhs.uk/Id/sds-user-id|555000000000").await;
    let person = person["entry"][0]["resource"]["id"].as_str().unwrap();
    let role = get(&format!(
        "PractitionerRole?practitioner=Practitioner/{person}"
    ))
    .await;
    let role = &role["entry"][0]["resource"];
    (
        format!("PractitionerRole/{}", role["id"].as_str().unwrap()),
        role["location"][0]["reference"]
            .as_str()
            .unwrap()
            .to_owned(),
    )
}
