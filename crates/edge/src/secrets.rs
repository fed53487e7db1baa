//! OZmap API keys at rest: AES-256-GCM under `KEY_ENCRYPTION_KEY`, stored as
//! base64(nonce ‖ ciphertext ‖ tag), with the provider id as associated data
//! so a ciphertext cannot be moved to another provider. Also constant-time
//! comparison of static tokens.

use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use subtle::ConstantTimeEq;

#[derive(Debug, Clone, PartialEq)]
pub enum SecretError {
    /// KEY_ENCRYPTION_KEY is not 32 bytes of base64.
    BadMasterKey,
    /// The stored value does not decrypt (wrong key, tampered, other provider).
    Undecryptable,
}

fn cipher(master_b64: &str) -> Result<Aes256Gcm, SecretError> {
    let key = B64.decode(master_b64.trim()).map_err(|_| SecretError::BadMasterKey)?;
    Aes256Gcm::new_from_slice(&key).map_err(|_| SecretError::BadMasterKey)
}

pub fn encrypt(master_b64: &str, provider_id: &str, plaintext: &str, nonce: [u8; 12]) -> Result<String, SecretError> {
    let c = cipher(master_b64)?;
    let ct = c
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: plaintext.as_bytes(),
                aad: provider_id.as_bytes(),
            },
        )
        .map_err(|_| SecretError::Undecryptable)?;
    let mut out = nonce.to_vec();
    out.extend(ct);
    Ok(B64.encode(out))
}

pub fn decrypt(master_b64: &str, provider_id: &str, stored: &str) -> Result<String, SecretError> {
    let c = cipher(master_b64)?;
    let raw = B64.decode(stored).map_err(|_| SecretError::Undecryptable)?;
    if raw.len() < 12 + 16 {
        return Err(SecretError::Undecryptable);
    }
    let (nonce, ct) = raw.split_at(12);
    let pt = c
        .decrypt(
            Nonce::from_slice(nonce),
            Payload {
                msg: ct,
                aad: provider_id.as_bytes(),
            },
        )
        .map_err(|_| SecretError::Undecryptable)?;
    String::from_utf8(pt).map_err(|_| SecretError::Undecryptable)
}

/// Constant-time equality for tokens (the length is not secret).
pub fn token_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const K: &str = "ZGV2LWtleS1lbmNyeXB0aW9uLWtleS0zMi1ieXRlcyE=";

    #[test]
    fn round_trip_bound_to_the_provider() {
        let s = encrypt(K, "isp-a", "ozmap-key-123", [7; 12]).unwrap();
        assert!(!s.contains("ozmap-key-123"));
        assert_eq!(decrypt(K, "isp-a", &s).unwrap(), "ozmap-key-123");
        assert_eq!(decrypt(K, "isp-b", &s), Err(SecretError::Undecryptable));
        let mut raw = B64.decode(&s).unwrap();
        raw[20] ^= 1;
        assert_eq!(decrypt(K, "isp-a", &B64.encode(raw)), Err(SecretError::Undecryptable));
        assert_eq!(encrypt("c2hvcnQ=", "a", "x", [0; 12]), Err(SecretError::BadMasterKey));
        assert_eq!(decrypt(K, "isp-a", "!!"), Err(SecretError::Undecryptable));
    }

    #[test]
    fn token_comparison() {
        assert!(token_eq("abc", "abc"));
        assert!(!token_eq("abc", "abd"));
        assert!(!token_eq("abc", "abcd"));
    }
}
