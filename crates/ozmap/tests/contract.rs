//! Contract tests: the client against the mock, over real HTTP on loopback,
//! including every fault the mock can inject.

// Test helpers may unwrap: a panic here is a failed test.
#![allow(clippy::unwrap_used)]

use ozmap::http::{block_on, NativeHttp};
use ozmap::{eligible_elements, BaseUrl, Client, ClientOptions, EligibilityOptions, OzmapError};
use ozmap_mock::{Faults, IspSpec, MockServer, NetworkSpec};
use std::time::Duration;

const KEY: &str = "test-key";

fn mock(boxes: usize) -> MockServer {
    ozmap_mock::start(
        "127.0.0.1:0",
        vec![IspSpec {
            key: KEY.into(),
            name: "Teste".into(),
            network: NetworkSpec {
                seed: 9,
                boxes,
                centre: [-48.5482, -27.5949],
            },
        }],
    )
    .expect("mock starts")
}

fn client(m: &MockServer, key: &str, page_size: u32) -> Client<NativeHttp> {
    let opts = ClientOptions {
        page_size,
        max_pages: 200,
        retries: 2,
        backoff_ms: 10,
    };
    Client::new(
        BaseUrl::parse(&m.url).unwrap(),
        key,
        NativeHttp::new(Duration::from_millis(1_500)),
        opts,
    )
}

fn set_faults(m: &MockServer, f: &Faults) {
    let url = format!("{}/__mock/isps/{KEY}/faults", m.url);
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let res = agent.put(&url).send(serde_json::to_string(f).unwrap()).expect("admin");
    assert_eq!(res.status(), 200);
}

fn expected(m: &MockServer, strict: bool) -> Vec<[f64; 2]> {
    let agent: ureq::Agent = ureq::Agent::config_builder().build().into();
    let url = format!("{}/__mock/isps/{KEY}/expected?require_free_port={strict}", m.url);
    let v: serde_json::Value =
        serde_json::from_str(&agent.get(&url).call().unwrap().body_mut().read_to_string().unwrap()).unwrap();
    serde_json::from_value(v["points"].clone()).unwrap()
}

fn sorted(mut v: Vec<[f64; 2]>) -> Vec<[f64; 2]> {
    v.sort_by(|a, b| a[0].total_cmp(&b[0]).then(a[1].total_cmp(&b[1])));
    v
}

#[test]
fn a_full_listing_yields_exactly_the_generated_eligible_elements() {
    let m = mock(1_200);
    let c = client(&m, KEY, 97);
    block_on(c.check_key()).expect("key accepted");
    let net = block_on(c.network(true)).expect("listing");
    assert_eq!(net.boxes.len() + net.buildings.len(), 1_200);
    assert!(
        net.splitters.iter().all(|s| s.is_drop == Some(true)),
        "server-side isDrop filter applied"
    );
    for strict in [false, true] {
        let e = eligible_elements(
            &[net.boxes.clone(), net.buildings.clone()].concat(),
            &net.splitters,
            &net.switches,
            EligibilityOptions {
                require_free_port: strict,
            },
        );
        let (got, want) = (sorted(e.points.clone()), sorted(expected(&m, strict)));
        let missing: Vec<_> = want.iter().filter(|p| !got.contains(p)).take(3).collect();
        let extra: Vec<_> = got.iter().filter(|p| !want.contains(p)).take(3).collect();
        assert!(
            got == want,
            "strict={strict}: {} vs {}; missing {missing:?}; extra {extra:?}",
            got.len(),
            want.len()
        );
        assert!(e.excluded.in_project > 0 && e.excluded.no_connectable > 0 && e.excluded.bad_coords > 0);
        assert_eq!(e.excluded.no_free_port > 0, strict);
    }
    m.stop();
}

#[test]
fn old_servers_without_next_url_are_paged_by_number() {
    let m = mock(450);
    set_faults(
        &m,
        &Faults {
            legacy_pagination: true,
            ..Faults::default()
        },
    );
    let boxes: Vec<ozmap::model::Place> = block_on(client(&m, KEY, 100).list("boxes")).expect("legacy listing");
    let n = boxes.len();
    set_faults(&m, &Faults::default());
    let again: Vec<ozmap::model::Place> = block_on(client(&m, KEY, 100).list("boxes")).expect("new listing");
    assert_eq!(n, again.len());
    assert_eq!(boxes, again);
    m.stop();
}

#[test]
fn bearer_and_raw_keys_work_and_a_wrong_key_is_unauthorized() {
    let m = mock(10);
    assert!(block_on(client(&m, &format!("Bearer {KEY}"), 10).check_key()).is_ok());
    let e = block_on(client(&m, "wrong", 10).check_key()).unwrap_err();
    assert!(matches!(e, OzmapError::Unauthorized { .. }), "{e:?}");
    assert!(e.to_string().contains("rejected the API key"));
    m.stop();
}

#[test]
fn every_fault_ends_in_a_clear_error_or_a_successful_retry() {
    let m = mock(300);
    let c = client(&m, KEY, 50);
    let run = |f: Faults| {
        set_faults(&m, &f);
        block_on(c.list::<ozmap::model::Place>("boxes"))
    };
    // Transient failures within the retry budget are absorbed.
    assert_eq!(
        run(Faults {
            fail_first: 2,
            ..Faults::default()
        })
        .map(|v| v.len())
        .ok(),
        run(Faults::default()).map(|v| v.len()).ok()
    );
    assert!(run(Faults {
        fail_first: 2,
        fail_status: 429,
        ..Faults::default()
    })
    .is_ok());
    let cases: Vec<(Faults, &str)> = vec![
        (
            Faults {
                fail_first: 10,
                ..Faults::default()
            },
            "ozmap_unavailable",
        ),
        (
            Faults {
                fail_first: 10,
                fail_status: 429,
                ..Faults::default()
            },
            "ozmap_unavailable",
        ),
        (
            Faults {
                hang_ms: 3_000,
                ..Faults::default()
            },
            "ozmap_timeout",
        ),
        (
            Faults {
                truncate: true,
                ..Faults::default()
            },
            "ozmap_malformed",
        ),
        (
            Faults {
                html: true,
                ..Faults::default()
            },
            "ozmap_not_found",
        ),
        (
            Faults {
                endless: true,
                ..Faults::default()
            },
            "ozmap_too_many_pages",
        ),
        (
            Faults {
                next_loop: true,
                ..Faults::default()
            },
            "ozmap_pagination_loop",
        ),
        (
            Faults {
                unauthorized_after_pages: Some(2),
                ..Faults::default()
            },
            "ozmap_unauthorized",
        ),
    ];
    for (f, code) in cases {
        let e = run(f.clone()).expect_err(code);
        assert_eq!(e.code(), code, "{f:?}: {e}");
        assert!(!e.to_string().is_empty());
    }
    let empty = run(Faults {
        empty: true,
        ..Faults::default()
    })
    .expect("an empty network is a valid answer");
    assert!(empty.is_empty());
    let bad = run(Faults {
        bad_coords: true,
        ..Faults::default()
    })
    .expect("bad coordinates still parse");
    assert!(bad.iter().all(|b| b.position().is_none()));
    m.stop();
}

#[test]
fn unknown_routes_and_wrong_urls_are_not_ozmap() {
    let m = mock(5);
    let c = client(&m, KEY, 10);
    let e = block_on(c.list::<ozmap::model::Place>("nope")).unwrap_err();
    assert_eq!(e.code(), "ozmap_not_found");
    let dead = Client::new(
        BaseUrl::parse("http://127.0.0.1:9").unwrap(),
        KEY,
        NativeHttp::new(Duration::from_millis(300)),
        ClientOptions {
            retries: 1,
            backoff_ms: 1,
            ..ClientOptions::default()
        },
    );
    let e = block_on(dead.check_key()).unwrap_err();
    assert_eq!(e.code(), "ozmap_unreachable", "{e}");
    m.stop();
}
