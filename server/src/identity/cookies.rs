//! The three cookies the service sets, and nothing else: the session id, the secret that ties a
//! sign-in attempt to the browser that started it, and the id of a form kept for a moment
//! (`crate::kept_input`).
//!
//! Both are `HttpOnly` (no script reads them) and `SameSite=Lax` (not sent on cross-site posts, yet
//! sent when the identity provider redirects back). Over HTTPS they are `Secure` and take the
//! `__Host-` prefix, which the browser enforces: set by this host only, for every path, never
//! over plain HTTP. Plain HTTP is allowed only on a loopback address (see `Config`).

use axum::http::{HeaderMap, HeaderValue, header};

use backend::{
    auth::sessions::{ABSOLUTE_TIMEOUT, SIGN_IN_ATTEMPT_LIFETIME},
    kept_forms,
};

#[derive(Debug, Clone, Copy)]
pub struct CookiePolicy {
    pub secure: bool,
}

impl CookiePolicy {
    pub fn session_name(self) -> &'static str {
        if self.secure {
            "__Host-session"
        } else {
            "session"
        }
    }

    pub fn sign_in_name(self) -> &'static str {
        if self.secure {
            "__Host-sign-in"
        } else {
            "sign-in"
        }
    }

    /// Sets the session cookie. It outlives the absolute timeout by nothing: the server decides
    /// when a session ends, the cookie only carries the id.
    pub fn set_session(self, id: &str) -> HeaderValue {
        self.cookie(self.session_name(), id, ABSOLUTE_TIMEOUT.as_secs())
    }

    pub fn clear_session(self) -> HeaderValue {
        self.cookie(self.session_name(), "", 0)
    }

    pub fn set_sign_in(self, secret: &str) -> HeaderValue {
        self.cookie(
            self.sign_in_name(),
            secret,
            SIGN_IN_ATTEMPT_LIFETIME.as_secs(),
        )
    }

    pub fn clear_sign_in(self) -> HeaderValue {
        self.cookie(self.sign_in_name(), "", 0)
    }

    pub fn kept_form_name(self) -> &'static str {
        if self.secure {
            "__Host-kept-form"
        } else {
            "kept-form"
        }
    }

    pub fn set_kept_form(self, id: &str) -> HeaderValue {
        self.cookie(self.kept_form_name(), id, kept_forms::LIFETIME.as_secs())
    }

    pub fn clear_kept_form(self) -> HeaderValue {
        self.cookie(self.kept_form_name(), "", 0)
    }

    fn cookie(self, name: &str, value: &str, max_age: i64) -> HeaderValue {
        let secure = if self.secure { "; Secure" } else { "" };
        let cookie =
            format!("{name}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}");
        // Names are constants and values are URL-safe base64: always a valid header value.
        HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static(""))
    }
}

/// The value of cookie `name` in a request's `Cookie` headers.
pub fn read(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
        .filter(|value| !value.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn over_https_cookies_are_secure_and_host_bound() {
        let policy = CookiePolicy { secure: true };
        let cookie = policy.set_session("abc");
        assert_eq!(
            cookie.to_str().unwrap(),
            "__Host-session=abc; Path=/; Max-Age=43200; HttpOnly; SameSite=Lax; Secure"
        );
    }

    #[test]
    fn on_loopback_http_they_are_plain_but_still_http_only() {
        let policy = CookiePolicy { secure: false };
        let cookie = policy.clear_session();
        assert_eq!(
            cookie.to_str().unwrap(),
            "session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"
        );
    }

    #[test]
    fn a_cookie_is_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.append(header::COOKIE, HeaderValue::from_static("a=1; session=xyz"));
        headers.append(header::COOKIE, HeaderValue::from_static("b=2"));
        assert_eq!(read(&headers, "session").as_deref(), Some("xyz"));
        assert_eq!(read(&headers, "b").as_deref(), Some("2"));
        assert_eq!(read(&headers, "sessionx"), None);
    }
}
