//! An `Authorization` header as a caller sends it: never a panic, and never
//! a provider session without the secret (the corpus starts the fuzzer from
//! well-formed tokens with a wrong MAC and from a static token).
#![no_main]
use edge::auth::{identify, Caller, Secrets};
use edge::session::verify;
use libfuzzer_sys::fuzz_target;

const S: Secrets<'static> = Secrets {
    platform: "platform-token-0123",
    lookup: "lookup-token-4567",
    session: "session-secret-89ab",
};

fuzz_target!(|data: &[u8]| {
    let Ok(h) = std::str::from_utf8(data) else { return };
    match identify(Some(h), &S, 1_000) {
        Ok(Caller::Platform) => assert!(h.contains(S.platform)),
        Ok(Caller::Lookup) => assert!(h.contains(S.lookup)),
        Ok(Caller::Provider(p)) => panic!("forged session accepted for {p}: {h}"),
        Err(_) => {}
    }
    assert!(verify(S.session.as_bytes(), h.trim_start_matches("Bearer "), 0).is_err());
});
