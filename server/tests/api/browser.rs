//! A minimal browser for the sign-in tests: a cookie jar, redirects followed one by one (so a test
//! can stop at any hop), and forms posted the way a browser posts them.

use std::sync::Arc;

use reqwest::{StatusCode, Url, cookie::CookieStore as _, header};

pub struct Browser {
    client: reqwest::Client,
    jar: Arc<reqwest::cookie::Jar>,
}

impl Browser {
    pub fn new() -> Self {
        let jar = Arc::new(reqwest::cookie::Jar::default());
        let client = crate::helpers::http_client()
            .cookie_provider(jar.clone())
            .build()
            .expect("an HTTP client");
        Self { client, jar }
    }

    /// A browser that holds one cookie for `url` already (a stolen or planted one).
    pub fn with_cookie(url: &str, name: &str, value: &str) -> Self {
        let browser = Self::new();
        browser
            .jar
            .add_cookie_str(&format!("{name}={value}"), &url.parse().expect("a URL"));
        browser
    }

    /// The value of cookie `name` the browser would send to `url`.
    pub fn cookie(&self, url: &str, name: &str) -> Option<String> {
        let header = self.jar.cookies(&url.parse().expect("a URL"))?;
        header
            .to_str()
            .ok()?
            .split("; ")
            .filter_map(|pair| pair.split_once('='))
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.to_owned())
    }

    pub async fn get(&self, url: &str) -> reqwest::Response {
        self.client
            .get(url)
            .send()
            .await
            .expect("the server answers")
    }

    pub async fn get_html(&self, url: &str) -> (StatusCode, String) {
        let response = self.get(url).await;
        (response.status(), response.text().await.expect("a body"))
    }

    /// A form post as a browser sends it from a page of the same site.
    pub async fn post_form(&self, url: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.form_post(url, form)
            .send()
            .await
            .expect("the server answers")
    }

    fn form_post(&self, url: &str, form: &[(&str, &str)]) -> reqwest::RequestBuilder {
        let body: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        self.client
            .post(url)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin")
            .body(body)
    }

    /// A form posted from the page at `page` with JavaScript off: the browser sends the page as
    /// the Referer (the site's policy allows it to itself) and accepts HTML back.
    pub async fn post_form_from_page(
        &self,
        page: &str,
        url: &str,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        self.form_post(url, form)
            .header("accept", "text/html,application/xhtml+xml")
            .header("referer", page)
            .send()
            .await
            .expect("the server answers")
    }

    /// Posts server function `name` of the app at `app` from its page `page` without JavaScript,
    /// then follows the redirects: the answer's status, and the page it ends on and its HTML.
    pub async fn post_and_follow(
        &self,
        app: &str,
        page: &str,
        name: &str,
        form: &[(&str, &str)],
    ) -> (StatusCode, String, String) {
        let page = format!("{app}{page}");
        let response = self
            .post_form_from_page(&page, &format!("{app}/api/{name}"), form)
            .await;
        let status = response.status();
        let (url, response) = self.follow(&page, response).await;
        (status, url, response.text().await.expect("a body"))
    }

    /// A form post of `body` as it is, accepting `accept`, from the page `referer` if given.
    pub async fn post_raw(
        &self,
        url: &str,
        body: String,
        accept: &str,
        referer: Option<&str>,
    ) -> reqwest::Response {
        let mut request = self
            .client
            .post(url)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin")
            .header("accept", accept)
            .body(body);
        if let Some(page) = referer {
            request = request.header("referer", page);
        }
        request.send().await.expect("the server answers")
    }

    /// Follows redirects from `response` to the end; the final URL and response.
    pub async fn follow(
        &self,
        from: &str,
        mut response: reqwest::Response,
    ) -> (String, reqwest::Response) {
        let mut url: Url = from.parse().expect("a URL");
        for _ in 0..20 {
            if !response.status().is_redirection() {
                return (url.to_string(), response);
            }
            url = url
                .join(
                    response.headers()[header::LOCATION]
                        .to_str()
                        .expect("a location"),
                )
                .expect("a valid redirect");
            response = self.get(url.as_str()).await;
        }
        panic!("too many redirects, at {url}");
    }

    pub async fn follow_html(&self, url: &str) -> (String, String) {
        let response = self.get(url).await;
        let (url, response) = self.follow(url, response).await;
        (url, response.text().await.expect("a body"))
    }

    /// From the app's redirect to the provider, through the provider's sign-in page as
    /// `account`, to the provider's redirect back to the app (not followed).
    pub async fn callback_url_from_provider(
        &self,
        start: reqwest::Response,
        account: &str,
    ) -> String {
        let provider = start.headers()[header::LOCATION]
            .to_str()
            .expect("a redirect to the provider")
            .to_owned();
        let response = self.get(&provider).await;
        let (page_url, page) = self.follow(&provider, response).await;
        let html = page.text().await.expect("the provider's sign-in page");
        let action = html
            .split("action=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .filter(|action| action.starts_with("/interaction/"))
            .unwrap_or_else(|| panic!("the provider's sign-in form, at {page_url}: {html}"));
        let login_url = Url::parse(&page_url).unwrap().join(action).unwrap();
        let mut response = self
            .post_form(login_url.as_str(), &[("login", account)])
            .await;
        let mut url = login_url;
        // The provider redirects within itself, then to the app's callback.
        for _ in 0..10 {
            assert!(
                response.status().is_redirection(),
                "the provider redirects, got {} at {url}",
                response.status()
            );
            let next = url
                .join(response.headers()[header::LOCATION].to_str().unwrap())
                .unwrap();
            if next.path().starts_with("/auth/callback/") {
                return next.to_string();
            }
            url = next;
            response = self.get(url.as_str()).await;
        }
        panic!("the provider never sent the browser back");
    }

    /// Signs in at the provider and follows the way back; the final URL and page.
    pub async fn finish_at_provider(
        &self,
        start: reqwest::Response,
        account: &str,
    ) -> (String, String) {
        let callback = self.callback_url_from_provider(start, account).await;
        self.follow_html(&callback).await
    }

    pub async fn sign_in_at_provider(&self, start: reqwest::Response, account: &str) -> String {
        let (url, page) = self.finish_at_provider(start, account).await;
        assert!(
            !url.contains("error="),
            "signing in as {account} failed: {url}"
        );
        page
    }

    /// The whole flow from the app's sign-in link; returns the page it lands on.
    pub async fn sign_in(&self, app: &str, provider: &str, account: &str) -> String {
        let start = self.get(&format!("{app}/auth/sign-in/{provider}")).await;
        assert_eq!(
            start.status(),
            StatusCode::SEE_OTHER,
            "sign-in starts with a redirect"
        );
        self.sign_in_at_provider(start, account).await
    }

    /// Signs in as a demo persona (demo mode only).
    pub async fn sign_in_as_persona(&self, app: &str, persona: &str) {
        let response = self
            .post_form(&format!("{app}/auth/demo"), &[("persona", persona)])
            .await;
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "{persona} signs in"
        );
    }
}
