//! Who is calling: the platform (everything), a lookup client (lookups
//! only), or one provider's session (that provider only).

use crate::secrets::token_eq;
use crate::session::{looks_like_session, verify, SessionError};

#[derive(Debug, Clone, PartialEq)]
pub enum Caller {
    Platform,
    Lookup,
    Provider(String),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AuthError {
    Missing,
    Invalid,
    Expired,
}

impl AuthError {
    pub fn code(self) -> &'static str {
        match self {
            Self::Missing => "unauthorized",
            Self::Invalid => "invalid_token",
            Self::Expired => "session_expired",
        }
    }
    pub fn message(self) -> &'static str {
        match self {
            Self::Missing => "send Authorization: Bearer <token>",
            Self::Invalid => "the token is not valid",
            Self::Expired => "the session has expired; open the integrations page again",
        }
    }
}

pub struct Secrets<'a> {
    pub platform: &'a str,
    pub lookup: &'a str,
    pub session: &'a str,
}

pub fn identify(authorization: Option<&str>, secrets: &Secrets<'_>, now_s: u64) -> Result<Caller, AuthError> {
    let token = authorization
        .map(str::trim)
        .and_then(|h| h.strip_prefix("Bearer ").or_else(|| h.strip_prefix("bearer ")))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or(AuthError::Missing)?;
    if looks_like_session(token) {
        return match verify(secrets.session.as_bytes(), token, now_s) {
            Ok(c) => Ok(Caller::Provider(c.sub)),
            Err(SessionError::Expired) => Err(AuthError::Expired),
            Err(_) => Err(AuthError::Invalid),
        };
    }
    // Empty secrets never match (a missing secret must not open the door).
    if !secrets.platform.is_empty() && token_eq(token, secrets.platform) {
        return Ok(Caller::Platform);
    }
    if !secrets.lookup.is_empty() && token_eq(token, secrets.lookup) {
        return Ok(Caller::Lookup);
    }
    Err(AuthError::Invalid)
}

impl Caller {
    /// May this caller see and change provider `id`?
    pub fn may_manage(&self, id: &str) -> bool {
        match self {
            Self::Platform => true,
            Self::Provider(p) => p == id,
            Self::Lookup => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::{mint, Claims};

    const S: Secrets<'static> = Secrets {
        platform: "plat",
        lookup: "look",
        session: "sess",
    };

    #[test]
    fn the_three_callers_and_the_refusals() {
        assert_eq!(identify(Some("Bearer plat"), &S, 0), Ok(Caller::Platform));
        assert_eq!(identify(Some("Bearer look"), &S, 0), Ok(Caller::Lookup));
        let t = mint(
            b"sess",
            &Claims {
                sub: "isp-a".into(),
                exp: 100,
            },
        );
        assert_eq!(
            identify(Some(&format!("Bearer {t}")), &S, 50),
            Ok(Caller::Provider("isp-a".into()))
        );
        assert_eq!(identify(Some(&format!("Bearer {t}")), &S, 100), Err(AuthError::Expired));
        assert_eq!(identify(None, &S, 0), Err(AuthError::Missing));
        assert_eq!(
            identify(Some("plat"), &S, 0),
            Err(AuthError::Missing),
            "the Bearer scheme is required"
        );
        assert_eq!(identify(Some("Bearer "), &S, 0), Err(AuthError::Missing));
        assert_eq!(identify(Some("Bearer pla"), &S, 0), Err(AuthError::Invalid));
        let none = Secrets {
            platform: "",
            lookup: "",
            session: "x",
        };
        assert_eq!(identify(Some("Bearer "), &none, 0), Err(AuthError::Missing));
        assert!(Caller::Provider("a".into()).may_manage("a"));
        assert!(!Caller::Provider("a".into()).may_manage("b"));
        assert!(!Caller::Lookup.may_manage("a"));
    }
}
