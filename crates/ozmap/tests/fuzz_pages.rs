//! Fuzzing the OZmap page parser and the tolerant models with proptest:
//! arbitrary bytes, arbitrary JSON and mutated real pages give a page or an
//! `OzmapError`, never a panic, and a `nextUrl` never leaves the server.

use ozmap::model::{Place, Splitter, Switch};
use ozmap::pagination::{first, parse_page};
use ozmap::BaseUrl;
use proptest::prelude::*;
use serde_json::{json, Value};

fn base() -> BaseUrl {
    BaseUrl::parse("https://acme.ozmap.com.br:9994").expect("valid")
}

fn check(body: &[u8]) {
    let b = base();
    let c = first(&b, "boxes", &[], 50);
    if let Ok(page) = parse_page(&b, &c, &[], 50, body) {
        if let Some(next) = page.next {
            assert!(next.url.starts_with("https://acme.ozmap.com.br:9994/"), "{}", next.url);
        }
        for row in page.rows {
            let p: Place = serde_json::from_value(row.clone()).unwrap_or_default();
            if let Some(pos) = p.position() {
                assert!(pos[0].abs() <= 180.0 && pos[1].abs() <= 90.0);
            }
            let s: Splitter = serde_json::from_value(row.clone()).unwrap_or_default();
            let _ = s.free_ports();
            let w: Switch = serde_json::from_value(row).unwrap_or_default();
            let _ = w.free_ports();
        }
    }
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<f64>().prop_map(|f| json!(f)),
        "[a-z0-9/:?=&._-]{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::btree_map(
                prop_oneof![
                    Just("rows".to_string()),
                    Just("id".to_string()),
                    Just("coords".to_string()),
                    Just("hasNextPage".to_string()),
                    Just("nextUrl".to_string()),
                    Just("parent".to_string()),
                    Just("connectables".to_string()),
                    Just("ports".to_string()),
                    Just("total".to_string()),
                    Just("lng".to_string()),
                    Just("lat".to_string()),
                    "[a-z]{1,6}"
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

#[test]
fn corpus_seeds_never_panic() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fuzz/corpus/ozmap_page");
    let seeds: Vec<Vec<u8>> = std::fs::read_dir(dir)
        .expect("corpus")
        .filter_map(|e| std::fs::read(e.ok()?.path()).ok())
        .collect();
    assert!(seeds.len() >= 4);
    for s in seeds {
        check(&s);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        check(&bytes);
    }

    #[test]
    fn arbitrary_json(v in arb_json()) {
        check(&serde_json::to_vec(&v).unwrap_or_default());
    }

    #[test]
    fn arbitrary_rows(rows in proptest::collection::vec(arb_json(), 0..8), next in "[ -~]{0,30}", more in any::<bool>()) {
        let body = json!({"rows": rows, "hasNextPage": more, "nextUrl": next});
        check(&serde_json::to_vec(&body).unwrap_or_default());
    }

    #[test]
    fn base_urls(s in "\\PC{0,40}") {
        if let Ok(b) = BaseUrl::parse(&s) {
            prop_assert!(b.as_str().ends_with("/api/v2/"));
        }
    }
}
