//! One page of an OZmap listing as the server sent it: a page or an
//! `OzmapError`, never a panic; a `nextUrl` never leaves the server; the
//! tolerant models never yield an out-of-range position.
#![no_main]
use libfuzzer_sys::fuzz_target;
use ozmap::model::{Place, Splitter, Switch};
use ozmap::pagination::{first, parse_page};
use ozmap::BaseUrl;

fuzz_target!(|data: &[u8]| {
    let base = BaseUrl::parse("https://acme.ozmap.com.br:9994").expect("valid");
    let cursor = first(&base, "boxes", &[], 50);
    let Ok(page) = parse_page(&base, &cursor, &[], 50, data) else {
        return;
    };
    if let Some(next) = page.next {
        assert!(next.url.starts_with("https://acme.ozmap.com.br:9994/"), "{}", next.url);
    }
    for row in page.rows {
        let p: Place = serde_json::from_value(row.clone()).unwrap_or_default();
        if let Some(pos) = p.position() {
            assert!(pos[0].abs() <= 180.0 && pos[1].abs() <= 90.0, "{pos:?}");
        }
        let s: Splitter = serde_json::from_value(row.clone()).unwrap_or_default();
        let _ = s.free_ports();
        let w: Switch = serde_json::from_value(row).unwrap_or_default();
        let _ = w.free_ports();
    }
});
