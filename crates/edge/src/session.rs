//! Provider session tokens: `qs1.<payload>.<mac>`, both base64url, the
//! payload `{"sub": provider id, "exp": unix seconds}`, the MAC
//! HMAC-SHA256 over `qs1.<payload>` with `SESSION_SECRET`. Verification is
//! constant-time (hmac's `verify_slice`) and checks expiry.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

const PREFIX: &str = "qs1.";
/// Longest session a token may grant.
pub const MAX_TTL_S: u64 = 24 * 3600;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub exp: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionError {
    Malformed,
    BadSignature,
    Expired,
}

fn mac(secret: &[u8]) -> Hmac<Sha256> {
    // HMAC takes keys of any length; this cannot fail.
    <Hmac<Sha256> as Mac>::new_from_slice(secret).unwrap_or_else(|_| unreachable!("HMAC accepts any key length"))
}

pub fn mint(secret: &[u8], claims: &Claims) -> String {
    let payload = B64.encode(serde_json::to_vec(claims).unwrap_or_default());
    let signed = format!("{PREFIX}{payload}");
    let mut m = mac(secret);
    m.update(signed.as_bytes());
    format!("{signed}.{}", B64.encode(m.finalize().into_bytes()))
}

/// Is this string shaped like a session token (rather than a static token)?
pub fn looks_like_session(token: &str) -> bool {
    token.starts_with(PREFIX)
}

pub fn verify(secret: &[u8], token: &str, now_s: u64) -> Result<Claims, SessionError> {
    if token.len() > 2048 || !token.starts_with(PREFIX) {
        return Err(SessionError::Malformed);
    }
    let (signed, sig) = token.rsplit_once('.').ok_or(SessionError::Malformed)?;
    let sig = B64.decode(sig).map_err(|_| SessionError::Malformed)?;
    let mut m = mac(secret);
    m.update(signed.as_bytes());
    m.verify_slice(&sig).map_err(|_| SessionError::BadSignature)?;
    let payload = B64
        .decode(&signed[PREFIX.len()..])
        .map_err(|_| SessionError::Malformed)?;
    let claims: Claims = serde_json::from_slice(&payload).map_err(|_| SessionError::Malformed)?;
    if claims.exp <= now_s {
        return Err(SessionError::Expired);
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_every_forgery_fails() {
        let c = Claims {
            sub: "isp-a".into(),
            exp: 2_000,
        };
        let t = mint(b"secret", &c);
        assert_eq!(verify(b"secret", &t, 1_000), Ok(c.clone()));
        assert_eq!(verify(b"secret", &t, 2_000), Err(SessionError::Expired));
        assert_eq!(verify(b"other", &t, 1_000), Err(SessionError::BadSignature));
        // Swap the payload for another provider's, keep the signature.
        let forged_payload = B64.encode(br#"{"sub":"isp-b","exp":9999999999}"#);
        let sig = t.rsplit_once('.').unwrap().1;
        assert_eq!(
            verify(b"secret", &format!("qs1.{forged_payload}.{sig}"), 1_000),
            Err(SessionError::BadSignature)
        );
        for bad in ["", "qs1.", "qs1..", "qs1.abc", "Bearer x", "qs1.!!!.???"] {
            assert!(verify(b"secret", bad, 1_000).is_err(), "{bad}");
        }
        // A correctly signed payload that is not claims JSON.
        let signed = format!("qs1.{}", B64.encode(b"not json"));
        let mut m = mac(b"secret");
        m.update(signed.as_bytes());
        let tok = format!("{signed}.{}", B64.encode(m.finalize().into_bytes()));
        assert_eq!(verify(b"secret", &tok, 1), Err(SessionError::Malformed));
    }
}
