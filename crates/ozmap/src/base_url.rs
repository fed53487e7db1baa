//! Base URLs as ISPs type them: `cliente.ozmap.com.br:9994`,
//! `https://cliente.ozmap.com.br:9994/`, `…/api/v2`, `…/api/v2/`.

use std::fmt;
use url::Url;

/// The API root of one OZmap, always ending in `/api/v2/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl(Url);

#[derive(Debug, Clone, PartialEq)]
pub enum BaseUrlError {
    Invalid(String),
    Scheme(String),
    HasQuery,
    Credentials,
}

impl fmt::Display for BaseUrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Invalid(e) => write!(f, "not a URL: {e}"),
            Self::Scheme(s) => write!(f, "the OZmap URL must start with https:// (got {s}://)"),
            Self::HasQuery => write!(f, "the OZmap URL must not carry a query (?…) or fragment (#…)"),
            Self::Credentials => write!(
                f,
                "the OZmap URL must not contain a user or password; the API key goes in its own field"
            ),
        }
    }
}

impl std::error::Error for BaseUrlError {}

impl BaseUrl {
    /// Parses what an ISP typed. A missing scheme means https.
    pub fn parse(input: &str) -> Result<Self, BaseUrlError> {
        let t = input.trim();
        let with_scheme = if t.contains("://") {
            t.to_string()
        } else {
            format!("https://{t}")
        };
        let mut url = Url::parse(&with_scheme).map_err(|e| BaseUrlError::Invalid(e.to_string()))?;
        if !matches!(url.scheme(), "https" | "http") {
            return Err(BaseUrlError::Scheme(url.scheme().to_string()));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(BaseUrlError::Invalid("no host".into()));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(BaseUrlError::HasQuery);
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(BaseUrlError::Credentials);
        }
        let mut path = url.path().trim_end_matches('/').to_string();
        for suffix in ["/api/v2", "/api"] {
            if let Some(p) = path.strip_suffix(suffix) {
                path = p.to_string();
                break;
            }
        }
        url.set_path(&format!("{path}/api/v2/"));
        Ok(Self(url))
    }

    pub fn is_https(&self) -> bool {
        self.0.scheme() == "https"
    }

    /// True for 127.0.0.0/8, ::1 and localhost.
    pub fn is_loopback(&self) -> bool {
        match self.0.host() {
            Some(url::Host::Domain(d)) => d == "localhost",
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        }
    }

    /// `…/api/v2/<route>`.
    pub fn route(&self, route: &str) -> Url {
        let mut u = self.0.clone();
        u.set_path(&format!("{}{}", self.0.path(), route.trim_start_matches('/')));
        u
    }

    /// A server-relative or absolute `nextUrl`, resolved against this
    /// server. Only this server's origin is followed: an OZmap answer must
    /// not send us elsewhere with the key.
    pub fn resolve_next(&self, next: &str) -> Option<Url> {
        let u = self.0.join(next).ok()?;
        (u.origin() == self.0.origin()).then_some(u)
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// Scheme, host and port: what status messages show.
    pub fn origin(&self) -> String {
        self.0.origin().ascii_serialization()
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_what_isps_type() {
        let want = "https://acme.ozmap.com.br:9994/api/v2/";
        for input in [
            "acme.ozmap.com.br:9994",
            "https://acme.ozmap.com.br:9994",
            "https://acme.ozmap.com.br:9994/",
            "https://acme.ozmap.com.br:9994/api/v2",
            "https://acme.ozmap.com.br:9994/api/v2/",
            "  https://acme.ozmap.com.br:9994/api  ",
        ] {
            assert_eq!(
                BaseUrl::parse(input).map(|b| b.to_string()),
                Ok(want.to_string()),
                "{input}"
            );
        }
        let sub = BaseUrl::parse("https://x.example/ozmap/api/v2").unwrap();
        assert_eq!(sub.route("boxes").as_str(), "https://x.example/ozmap/api/v2/boxes");
    }

    #[test]
    fn refuses_what_is_not_an_api_root() {
        assert!(matches!(BaseUrl::parse("ftp://x"), Err(BaseUrlError::Scheme(_))));
        assert!(matches!(BaseUrl::parse("https://x/?a=1"), Err(BaseUrlError::HasQuery)));
        assert!(matches!(
            BaseUrl::parse("https://u:p@x"),
            Err(BaseUrlError::Credentials)
        ));
        assert!(BaseUrl::parse("https://").is_err());
    }

    #[test]
    fn next_urls_stay_on_the_same_server() {
        let b = BaseUrl::parse("https://acme.ozmap.com.br:9994").unwrap();
        assert_eq!(
            b.resolve_next("/api/v2/boxes?cursor=100&limit=100")
                .map(|u| u.to_string()),
            Some("https://acme.ozmap.com.br:9994/api/v2/boxes?cursor=100&limit=100".into())
        );
        assert_eq!(b.resolve_next("https://evil.example/api/v2/boxes"), None);
        assert!(b
            .resolve_next("https://acme.ozmap.com.br:9994/api/v2/boxes?page=2")
            .is_some());
    }

    #[test]
    fn loopback_is_recognised() {
        assert!(BaseUrl::parse("http://127.0.0.1:9994").unwrap().is_loopback());
        assert!(BaseUrl::parse("http://localhost:1").unwrap().is_loopback());
        assert!(!BaseUrl::parse("https://acme.ozmap.com.br").unwrap().is_loopback());
    }
}
