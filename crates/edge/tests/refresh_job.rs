//! The refresh job natively, against the OZmap mock over loopback, with an
//! in-memory store: complete runs, runs stopped at every possible write, the
//! shrink guard, failures, and removal.

// Test helpers may unwrap: a panic here is a failed test.
#![allow(clippy::unwrap_used)]

use coverage::cell::CellId;
use coverage::codec::CellValue;
use edge::config::{Options, StoredConfig};
use edge::keys;
use edge::refresh_job::{remove_step, step, Limits, Outcome, Published, RunRecord, StepOutcome};
use edge::store::{get_json, put_json, MemStore, Store, StoreError};
use ozmap::http::{block_on, NativeHttp};
use ozmap::{BaseUrl, Client, ClientOptions};
use ozmap_mock::{IspSpec, MockServer, NetworkSpec};
use std::cell::Cell;
use std::time::Duration;

const NOW: i64 = 1_764_850_000_000;

fn mock(boxes: usize) -> MockServer {
    let spec = IspSpec {
        key: "k".into(),
        name: "Teste".into(),
        network: NetworkSpec {
            seed: 5,
            boxes,
            centre: [-48.5482, -27.5949],
        },
    };
    ozmap_mock::start("127.0.0.1:0", vec![spec]).unwrap()
}

fn cfg(id: &str, radius: f64) -> StoredConfig {
    StoredConfig {
        id: id.into(),
        name: format!("ISP {id}"),
        ozmap_url: String::new(),
        key_enc: "x".into(),
        max_distance_m: radius,
        options: Options::default(),
        created_at_ms: 0,
        updated_at_ms: 0,
    }
}

fn client(m: &MockServer, page_size: u32) -> Client<NativeHttp> {
    let opts = ClientOptions {
        page_size,
        max_pages: 500,
        retries: 1,
        backoff_ms: 1,
    };
    Client::new(
        BaseUrl::parse(&m.url).unwrap(),
        "k",
        NativeHttp::new(Duration::from_secs(2)),
        opts,
    )
}

/// Runs a job to its end; every `Err` (a stopped invocation) is retried
/// with the same message, as the queue would. Every step runs at `NOW`.
fn run<S: Store>(
    store: &S,
    c: &Client<NativeHttp>,
    cfg: &StoredConfig,
    job: &str,
    force: bool,
    limits: Limits,
) -> (Outcome, u32) {
    run_at(store, c, cfg, job, force, limits, |_| NOW)
}

/// [`run`], with step `n` (from 1) running at `clock(n)`.
fn run_at<S: Store>(
    store: &S,
    c: &Client<NativeHttp>,
    cfg: &StoredConfig,
    job: &str,
    force: bool,
    limits: Limits,
    clock: impl Fn(u32) -> i64,
) -> (Outcome, u32) {
    let mut start = Some(force);
    let mut steps = 0;
    loop {
        steps += 1;
        assert!(steps < 10_000, "job does not end");
        match block_on(step(store, c, cfg, job, start, || clock(steps), limits)) {
            Ok(StepOutcome::Finished(o)) => return (o, steps),
            Ok(StepOutcome::Continue) => start = None,
            Ok(StepOutcome::Stale) => panic!("stale"),
            Err(_) => {} // retried as delivered: start stays as it was
        }
    }
}

/// A store that fails its `n`-th write, once: an invocation stopped there.
struct Flaky {
    inner: MemStore,
    writes: Cell<u32>,
    fail_at: u32,
}

impl Store for Flaky {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.inner.get(key).await
    }
    async fn put(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        self.writes.set(self.writes.get() + 1);
        if self.writes.get() == self.fail_at {
            return Err(StoreError("stopped".into()));
        }
        self.inner.put(key, value).await
    }
    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.inner.delete(key).await
    }
}

/// What a lookup depends on: every cell value and the published artefacts.
fn snapshot(s: &MemStore) -> Vec<(String, Vec<u8>)> {
    s.map
        .borrow()
        .iter()
        .filter(|(k, _)| {
            k.starts_with("cell:") || k.ends_with(":coverage") || k.ends_with(":elements") || k.ends_with(":published")
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

#[test]
fn a_job_publishes_cells_that_answer_like_the_mock_truth() {
    let m = mock(600);
    let store = MemStore::default();
    let c = cfg("isp-a", 250.0);
    let (outcome, steps) = run(
        &store,
        &client(&m, 50),
        &c,
        "j1",
        false,
        Limits {
            pages_per_step: 3,
            cells_per_step: 7,
        },
    );
    assert_eq!(outcome, Outcome::Succeeded);
    assert!(steps > 3, "the job was split over several steps: {steps}");
    let published: Published = block_on(get_json(&store, &keys::published("isp-a"))).unwrap().unwrap();
    assert_eq!(published.version, 1);
    // The mock's intended eligible set is the reference.
    let truth = m_expected(&m);
    let idx = coverage::PointIndex::new(
        coverage::check_elements(&truth).unwrap(),
        coverage::Radius::new(250.0).unwrap(),
    );
    let mut rng = coverage::synth::Rng::new(3);
    for _ in 0..1_500 {
        let e = truth[(rng.next_u64() % truth.len() as u64) as usize];
        let p = coverage::geodesy::destination(e, rng.range(0.0, std::f64::consts::TAU), rng.range(0.0, 500.0));
        let exact = idx.query(p);
        let cell = CellId::of(p);
        let hits = match store.map.borrow().get(&keys::cell(&cell.key())) {
            Some(b) => CellValue::decode(b, cell)
                .unwrap()
                .lookup(p)
                .into_iter()
                .map(|h| h.distance_m)
                .collect::<Vec<_>>(),
            None => Vec::new(),
        };
        let d = exact.distance_m.unwrap();
        if (d - 250.0).abs() > 0.01 {
            assert_eq!(!hits.is_empty(), exact.covered, "{p:?} at {d}");
        }
        if let Some(h) = hits.first() {
            assert!((h - d).abs() < 0.01, "{h} vs {d}");
        }
    }
    m.stop();
}

#[test]
fn every_cell_of_a_version_carries_its_build_time() {
    let m = mock(600);
    // Counts writes, never fails: time passes with I/O, as in a Worker.
    let store = Flaky {
        inner: MemStore::default(),
        writes: Cell::new(0),
        fail_at: u32::MAX,
    };
    let c = cfg("isp-a", 250.0);
    let limits = Limits {
        pages_per_step: 3,
        cells_per_step: 5,
    };
    // A minute between two steps, as between two queue messages, and 10 ms
    // per write within a step. Remembers each step's first reading.
    let step_start = Cell::new((0, 0));
    let (outcome, steps) = run_at(&store, &client(&m, 50), &c, "j1", false, limits, |n| {
        let t = NOW + i64::from(n) * 60_000 + i64::from(store.writes.get()) * 10;
        if step_start.get().0 != n {
            step_start.set((n, t));
        }
        t
    });
    assert_eq!(outcome, Outcome::Succeeded);
    let store = &store.inner;
    let published: Published = block_on(get_json(store, &keys::published("isp-a"))).unwrap().unwrap();
    assert!(
        published.cells.len() > 2 * limits.cells_per_step,
        "published over several steps"
    );
    let last_step = NOW + i64::from(steps) * 60_000;
    assert!(
        published.updated_at_ms > NOW + 60_000 && published.updated_at_ms < last_step,
        "the build step's time"
    );
    for key in &published.cells {
        let cell = CellId::parse(key).unwrap();
        let bytes = store.map.borrow().get(&keys::cell(key)).cloned().unwrap();
        let value = CellValue::decode(&bytes, cell).unwrap();
        let share = value.providers.iter().find(|p| p.id == "isp-a").unwrap();
        assert_eq!(share.updated_at_ms, published.updated_at_ms, "{key}");
    }
    let feature: serde_json::Value =
        serde_json::from_slice(&store.map.borrow().get(&keys::coverage("isp-a")).cloned().unwrap()).unwrap();
    assert_eq!(
        feature["properties"]["updated_at"],
        edge::config::iso(published.updated_at_ms)
    );
    // The run ended after its last step's writes, not when that step began.
    let last: RunRecord = block_on(get_json(store, &keys::last_run("isp-a"))).unwrap().unwrap();
    assert_eq!(step_start.get().0, steps);
    assert!(
        last.finished_at > edge::config::iso(step_start.get().1),
        "{} vs {}",
        last.finished_at,
        edge::config::iso(step_start.get().1)
    );
    m.stop();
}

#[test]
fn a_removal_message_outliving_its_removal_leaves_a_saved_again_provider_alone() {
    let m = mock(200);
    let store = MemStore::default();
    let c = cfg("isp-a", 300.0);
    // Saved again after its removal finished: the config is back.
    block_on(put_json(&store, &keys::config("isp-a"), &c)).unwrap();
    run(&store, &client(&m, 100), &c, "j1", false, Limits::default());
    let before = snapshot(&store);
    assert!(before.iter().any(|(k, _)| k.starts_with("cell:")));
    assert!(block_on(remove_step(&store, "isp-a", Limits::default())).unwrap());
    assert_eq!(snapshot(&store), before);
    m.stop();
}

fn m_expected(m: &MockServer) -> Vec<[f64; 2]> {
    let url = format!("{}/__mock/isps/k/expected", m.url);
    let http = NativeHttp::new(Duration::from_secs(5));
    let r = block_on(ozmap::Http::get(&http, &url, &[])).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    serde_json::from_value(v["points"].clone()).unwrap()
}

#[test]
fn a_job_stopped_at_any_write_ends_exactly_like_an_uninterrupted_one() {
    let m = mock(150);
    let c = cfg("isp-a", 300.0);
    let cl = client(&m, 20);
    let limits = Limits {
        pages_per_step: 2,
        cells_per_step: 3,
    };
    let clean = MemStore::default();
    run(&clean, &cl, &c, "j1", false, limits);
    let want = snapshot(&clean);
    assert!(want.iter().filter(|(k, _)| k.starts_with("cell:")).count() > 3);
    let total_writes = clean.map.borrow().len() as u32 * 4; // generous upper bound
    let mut tried = 0;
    for fail_at in 1..total_writes {
        let flaky = Flaky {
            inner: MemStore::default(),
            writes: Cell::new(0),
            fail_at,
        };
        let (outcome, _) = run(&flaky, &cl, &c, "j1", false, limits);
        assert_eq!(outcome, Outcome::Succeeded);
        if flaky.writes.get() < fail_at {
            break; // the run finished before reaching this write
        }
        tried += 1;
        assert_eq!(snapshot(&flaky.inner), want, "stopped at write {fail_at}");
        let history: Vec<RunRecord> = block_on(get_json(&flaky.inner, &keys::history("isp-a")))
            .unwrap()
            .unwrap();
        assert_eq!(history.len(), 1, "recorded once");
    }
    assert!(tried > 20, "interrupted at {tried} points");
    m.stop();
}

#[test]
fn two_providers_share_cells_and_removal_clears_only_one() {
    let m = mock(200);
    let store = MemStore::default();
    let cl = client(&m, 100);
    let (a, b) = (cfg("isp-a", 300.0), cfg("isp-b", 200.0));
    run(&store, &cl, &a, "ja", false, Limits::default());
    run(&store, &cl, &b, "jb", false, Limits::default());
    let both = store
        .map
        .borrow()
        .iter()
        .filter(|(k, _)| k.starts_with("cell:"))
        .filter(|(k, v)| {
            CellValue::decode(v, CellId::parse(&k[5..]).unwrap())
                .unwrap()
                .providers
                .len()
                == 2
        })
        .count();
    assert!(both > 0, "same network, so shared cells");
    while !block_on(remove_step(
        &store,
        "isp-a",
        Limits {
            pages_per_step: 1,
            cells_per_step: 2,
        },
    ))
    .unwrap()
    {}
    for (k, v) in store.map.borrow().iter() {
        assert!(!k.starts_with("prov:isp-a:"), "left behind: {k}");
        if let Some(cell) = k.strip_prefix("cell:") {
            let value = CellValue::decode(v, CellId::parse(cell).unwrap()).unwrap();
            assert!(value.providers.iter().all(|p| p.id == "isp-b"), "{k}");
        }
    }
    m.stop();
}

fn set_faults(m: &MockServer, body: &str) {
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let r = agent
        .put(&format!("{}/__mock/isps/k/faults", m.url))
        .send(body.to_string())
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[test]
fn failures_and_suspicious_results_keep_the_published_coverage() {
    let m = mock(300);
    let store = MemStore::default();
    // Small circles, so losing half the elements loses about half the area.
    let c = cfg("isp-a", 30.0);
    let cl = client(&m, 100);
    assert_eq!(
        run(&store, &cl, &c, "j1", false, Limits::default()).0,
        Outcome::Succeeded
    );
    let before = snapshot(&store);
    for faults in [
        (r#"{"fail_first": 50}"#, Outcome::Failed, "ozmap_unavailable"),
        (
            r#"{"unauthorized_after_pages": 1}"#,
            Outcome::Failed,
            "ozmap_unauthorized",
        ),
        (r#"{"truncate": true}"#, Outcome::Failed, "ozmap_malformed"),
        (r#"{"empty": true}"#, Outcome::Held, "no_elements"),
        (r#"{"bad_coords": true}"#, Outcome::Held, "no_elements"),
        (r#"{"html": true}"#, Outcome::Failed, "ozmap_not_found"),
        (r#"{"next_loop": true}"#, Outcome::Failed, "ozmap_pagination_loop"),
        (r#"{"endless": true}"#, Outcome::Failed, "ozmap_too_many_pages"),
        (r#"{"hang_ms": 2500}"#, Outcome::Failed, "ozmap_timeout"),
        (
            r#"{"fail_first": 50, "fail_status": 429}"#,
            Outcome::Failed,
            "ozmap_unavailable",
        ),
    ]
    .into_iter()
    .enumerate()
    .map(|(i, (f, o, c))| (i, f, o, c))
    {
        let (i, faults, outcome, code) = faults;

        set_faults(&m, faults);
        assert_eq!(
            run(&store, &cl, &c, &format!("job-{i}"), false, Limits::default()).0,
            outcome,
            "{faults}"
        );
        assert_eq!(snapshot(&store), before, "{faults}: coverage must stay published");
        let last: RunRecord = block_on(get_json(&store, &keys::last_run("isp-a"))).unwrap().unwrap();
        assert_eq!(last.code.as_deref(), Some(code));
        assert!(!last.message.is_empty());
    }
    // Half the network gone: held by the shrink guard, published when forced.
    set_faults(&m, "{}");
    let agent: ureq::Agent = ureq::Agent::config_builder().build().into();
    agent
        .post(&format!("{}/__mock/isps/k/drop-half", m.url))
        .send_empty()
        .unwrap();
    let mut strict = c.clone();
    strict.options.shrink_guard = 0.3;
    assert_eq!(
        run(&store, &cl, &strict, "half", false, Limits::default()).0,
        Outcome::Held
    );
    assert_eq!(snapshot(&store), before);
    assert_eq!(
        run(&store, &cl, &strict, "half-forced", true, Limits::default()).0,
        Outcome::Succeeded
    );
    let p: Published = block_on(get_json(&store, &keys::published("isp-a"))).unwrap().unwrap();
    assert_eq!(p.version, 2);
    let last: RunRecord = block_on(get_json(&store, &keys::last_run("isp-a"))).unwrap().unwrap();
    let diff = last.diff.unwrap();
    assert!(diff.elements_removed > 50 && diff.elements_added == 0, "{diff:?}");
    assert!(diff.area_lost_km2 > 0.0);
    let history: Vec<RunRecord> = block_on(get_json(&store, &keys::history("isp-a"))).unwrap().unwrap();
    assert_eq!(history.len(), 13);
    assert_eq!(history[0].job_id, "half-forced");
    m.stop();
}

#[test]
fn a_second_job_is_stale_while_one_runs() {
    let m = mock(300);
    let store = MemStore::default();
    let c = cfg("isp-a", 300.0);
    let cl = client(&m, 20);
    let limits = Limits {
        pages_per_step: 1,
        cells_per_step: 1,
    };
    assert_eq!(
        block_on(step(&store, &cl, &c, "j1", Some(false), || NOW, limits)).unwrap(),
        StepOutcome::Continue
    );
    assert_eq!(
        block_on(step(&store, &cl, &c, "j2", Some(false), || NOW, limits)).unwrap(),
        StepOutcome::Stale
    );
    assert_eq!(
        block_on(step(&store, &cl, &c, "j1", None, || NOW, limits)).unwrap(),
        StepOutcome::Continue
    );
    m.stop();
}
