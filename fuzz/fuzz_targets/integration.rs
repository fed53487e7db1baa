//! The body of `PUT /v1/providers/{id}/integration` and provider ids: an
//! input that passes the checks is always within bounds, whatever it was.
#![no_main]
use edge::config::{check, valid_provider_id, IntegrationInput};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(id) = std::str::from_utf8(data) {
        if valid_provider_id(id) {
            assert!(!id.contains(['/', '.', ':', '%']) && !id.is_empty() && id.len() <= 64);
        }
    }
    let Ok(input) = serde_json::from_slice::<IntegrationInput>(data) else {
        return;
    };
    for loopback in [false, true] {
        let Ok(c) = check(&input, None, loopback) else { continue };
        assert!((10.0..=2_000.0).contains(&c.max_distance_m), "{}", c.max_distance_m);
        assert!(c.base.is_https() || (loopback && c.base.is_loopback()));
        assert!(!c.name.is_empty() && c.name.chars().count() <= 100 && !c.name.chars().any(char::is_control));
        assert!(c
            .api_key
            .is_some_and(|k| !k.is_empty() && !k.contains(char::is_whitespace)));
        assert!((0.0..=1.0).contains(&c.options.shrink_guard));
    }
});
