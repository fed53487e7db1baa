//! Property tests of what callers control (the cargo-fuzz targets in `fuzz/`
//! explore the same parsers by coverage):
//! session tokens, Authorization headers, integration bodies and provider
//! ids. Nothing panics; no forged token is accepted; a checked config is
//! always within bounds.

use edge::auth::{identify, Caller, Secrets};
use edge::config::{check, valid_provider_id, IntegrationInput};
use edge::session::{mint, verify, Claims};
use proptest::prelude::*;

const S: Secrets<'static> = Secrets {
    platform: "platform-token-0123",
    lookup: "lookup-token-4567",
    session: "session-secret-89ab",
};

#[test]
fn corpus_seeds_never_pass() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fuzz/corpus/session");
    for e in std::fs::read_dir(dir).expect("corpus") {
        let t = std::fs::read_to_string(e.expect("entry").path()).expect("text");
        assert!(verify(S.session.as_bytes(), &t, 0).is_err(), "{t}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3_000))]

    #[test]
    fn arbitrary_authorization_headers(h in "\\PC{0,80}") {
        match identify(Some(&h), &S, 1_000) {
            Ok(Caller::Platform) => prop_assert!(h.contains(S.platform)),
            Ok(Caller::Lookup) => prop_assert!(h.contains(S.lookup)),
            Ok(Caller::Provider(_)) => prop_assert!(false, "forged session accepted: {h}"),
            Err(_) => {}
        }
    }

    #[test]
    fn mutated_session_tokens(sub in "[a-z0-9-]{1,20}", i in any::<usize>(), c in any::<char>()) {
        let t = mint(S.session.as_bytes(), &Claims { sub: sub.clone(), exp: 10_000 });
        let mut chars: Vec<char> = t.chars().collect();
        let k = i % chars.len();
        if chars[k] != c {
            chars[k] = c;
            let forged: String = chars.into_iter().collect();
            // A changed token may only verify if it still names the same claims
            // (base64 padding bits); it never grants another provider.
            if let Ok(claims) = verify(S.session.as_bytes(), &forged, 1) {
                prop_assert_eq!(claims.sub, sub);
            }
        }
    }

    #[test]
    fn integration_bodies(body in "\\PC{0,200}", name in "\\PC{0,120}", d in any::<f64>(), url in "\\PC{0,60}", key in "\\PC{0,40}") {
        if let Ok(i) = serde_json::from_str::<IntegrationInput>(&body) {
            let _ = check(&i, None, true);
        }
        let i = IntegrationInput { name: Some(name), ozmap_url: Some(url), api_key: Some(key), max_distance_m: Some(d), options: None };
        if let Ok(c) = check(&i, None, false) {
            prop_assert!((10.0..=2_000.0).contains(&c.max_distance_m));
            prop_assert!(c.base.is_https());
            prop_assert!(!c.name.is_empty() && c.name.chars().count() <= 100);
        }
    }

    #[test]
    fn provider_ids_never_escape_a_key(id in "\\PC{0,70}") {
        if valid_provider_id(&id) {
            prop_assert!(!id.contains('/') && !id.contains('.') && !id.contains(':') && !id.is_empty());
        }
    }
}
