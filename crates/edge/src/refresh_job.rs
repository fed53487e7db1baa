//! A provider's refresh as a resumable job. Each queue message runs one
//! [`step`]: a bounded number of OZmap pages, or of cells, then a checkpoint
//! in the store and a continuation message. Whatever stops an invocation
//! between two checkpoints, the next one picks up from the last.
//!
//! Order: splitters and switches first (they say which boxes can serve),
//! then boxes and buildings, each decided as its page arrives, so only the
//! eligible points and a compact connectables table are kept. Then build,
//! judge (shrink guard), publish the cells a bounded batch at a time, and
//! last the provider's artefacts and status.

use crate::checkpoint::{decode_connectables, decode_points, encode_connectables, encode_points, id_hash};
use crate::config::{iso, StoredConfig};
use crate::guard::{judge, Verdict};
use crate::keys;
use crate::store::{get_json, put_json, Store, StoreError};
use coverage::cell::{tile, CellId};
use coverage::codec::{CellProvider, CellValue};
use coverage::diff::Diff;
use coverage::{Coverage, CoverageStats, DEFAULT_MAX_ERROR_M};
use ozmap::eligibility::{decide, Connectables, EligibilityOptions, Excluded};
use ozmap::model::{Place, Splitter, Switch};
use ozmap::pagination::Cursor;
use ozmap::{client, Client, Http, OzmapError};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};

/// How much one invocation may do (platform caps: subrequests and KV
/// operations per invocation, CPU time).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Limits {
    pub pages_per_step: u32,
    pub cells_per_step: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            pages_per_step: 40,
            cells_per_step: 400,
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Counts {
    pub boxes: usize,
    pub buildings: usize,
    pub splitters: usize,
    pub switches: usize,
    pub pages: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "name", rename_all = "snake_case")]
pub enum Phase {
    Fetch { route: usize, cursor: Option<Cursor> },
    Publish { cells: Vec<String>, done: usize },
}

/// The checkpoint of a running job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobState {
    pub job_id: String,
    pub force: bool,
    pub started_at_ms: i64,
    pub phase: Phase,
    pub counts: Counts,
    pub excluded: Excluded,
    pub eligible: usize,
    pub invocations: u32,
    /// Checkpoint generation: which slot holds the binary parts.
    pub gen: u32,
    /// Set once built.
    pub version: Option<u32>,
    /// When it was built: the version's update time, the same in every cell,
    /// the GeoJSON and the published record however many steps publish it.
    #[serde(default)]
    pub built_at_ms: Option<i64>,
    pub stats: Option<CoverageStats>,
    pub diff: Option<Diff>,
}

impl JobState {
    /// A job that has fetched nothing yet.
    pub fn new(job_id: &str, force: bool, now_ms: i64) -> Self {
        Self {
            job_id: job_id.to_string(),
            force,
            started_at_ms: now_ms,
            phase: Phase::Fetch { route: 0, cursor: None },
            counts: Counts::default(),
            excluded: Excluded::default(),
            eligible: 0,
            invocations: 0,
            gen: 0,
            version: None,
            built_at_ms: None,
            stats: None,
            diff: None,
        }
    }
}

/// A refresh asked for and waiting in the queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pending {
    pub job_id: String,
    pub force: bool,
    pub queued_at_ms: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Succeeded,
    Held,
    Failed,
}

/// One finished run, as status and history show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    pub job_id: String,
    pub outcome: Outcome,
    pub forced: bool,
    pub started_at: String,
    pub finished_at: String,
    /// Machine code of a hold or failure (`shrink`, `ozmap_unauthorized`, …).
    pub code: Option<String>,
    pub message: String,
    pub counts: Counts,
    pub eligible: usize,
    pub excluded: Excluded,
    pub area_km2: Option<f64>,
    pub version: Option<u32>,
    pub diff: Option<Diff>,
}

/// The published version's metadata.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Published {
    pub version: u32,
    pub updated_at_ms: i64,
    pub radius_m: f64,
    pub stats: CoverageStats,
    pub excluded: Excluded,
    pub counts: Counts,
    /// Cell keys this version wrote, so the next one can clear what it leaves.
    pub cells: Vec<String>,
}

pub const HISTORY_LEN: usize = 30;

#[derive(Debug, Clone, PartialEq)]
pub enum StepOutcome {
    /// More to do: enqueue a continuation.
    Continue,
    Finished(Outcome),
    /// The message is for a job that is not the current one: drop it.
    Stale,
}

const ROUTES_ALL: [&str; 4] = [client::SPLITTERS, client::SWITCHES, client::BOXES, client::BUILDINGS];

fn routes(cfg: &StoredConfig) -> &'static [&'static str] {
    if cfg.options.include_buildings {
        &ROUTES_ALL
    } else {
        &ROUTES_ALL[..3]
    }
}

/// Starts a job (`start = Some(force)`) or continues one, then runs one step.
/// `clock` gives the time in ms: read when the step starts, when the coverage
/// is built and when the run finishes (the Worker's clock moves only across
/// I/O, so the later readings come after the step's fetches and writes).
pub async fn step<S: Store, H: Http>(
    store: &S,
    client: &Client<H>,
    cfg: &StoredConfig,
    job_id: &str,
    start: Option<bool>,
    clock: impl Fn() -> i64,
    limits: Limits,
) -> Result<StepOutcome, StoreError> {
    let id = cfg.id.as_str();
    let now_ms = clock();
    let existing: Option<JobState> = get_json(store, &keys::job(id)).await?;
    let mut state = match (existing, start) {
        (Some(s), _) if s.job_id == job_id => s,
        (Some(_), _) => return Ok(StepOutcome::Stale),
        (None, Some(force)) => {
            let fresh = JobState::new(job_id, force, now_ms);
            // Running before no longer queued, so a refresh asked for in
            // between finds this job instead of starting another.
            put_json(store, &keys::job(id), &fresh).await?;
            let pending: Option<Pending> = get_json(store, &keys::pending(id)).await?;
            if pending.as_ref().is_some_and(|p| p.job_id == job_id) {
                store.delete(&keys::pending(id)).await?;
            }
            fresh
        }
        (None, None) => return Ok(StepOutcome::Stale),
    };
    state.invocations += 1;
    if let Phase::Fetch { .. } = state.phase {
        match fetch(store, client, cfg, &mut state, limits).await? {
            Err(e) => {
                return finish(
                    store,
                    cfg,
                    &state,
                    Outcome::Failed,
                    Some(e.code().into()),
                    e.to_string(),
                    clock(),
                )
                .await
            }
            Ok(false) => {
                put_json(store, &keys::job(id), &state).await?;
                return Ok(StepOutcome::Continue);
            }
            Ok(true) => {
                if let Some(held) = build(store, cfg, &mut state, clock()).await? {
                    return finish(store, cfg, &state, Outcome::Held, Some(held.0.into()), held.1, clock()).await;
                }
            }
        }
    }
    let built_at_ms = state.built_at_ms.unwrap_or(now_ms);
    if let Some(published) = publish_cells(store, cfg, &mut state, built_at_ms, limits).await? {
        finalize(store, cfg, &state, published, built_at_ms).await?;
        let v = state.version.unwrap_or_default();
        let msg = format!(
            "Published version {v}: {} elements, {:.2} km².",
            state.eligible,
            state.stats.as_ref().map_or(0.0, |s| s.area_km2)
        );
        return finish(store, cfg, &state, Outcome::Succeeded, None, msg, clock()).await;
    }
    put_json(store, &keys::job(id), &state).await?;
    Ok(StepOutcome::Continue)
}

/// Fetches up to the page budget. `Ok(true)` when every route is read.
async fn fetch<S: Store, H: Http>(
    store: &S,
    client: &Client<H>,
    cfg: &StoredConfig,
    state: &mut JobState,
    limits: Limits,
) -> Result<Result<bool, OzmapError>, StoreError> {
    let id = cfg.id.as_str();
    let mut conn: HashMap<u64, Connectables> = match state.gen {
        0 => HashMap::new(),
        g => match store.get(&keys::job_connectables(id, g)).await? {
            Some(b) => {
                decode_connectables(&b).ok_or_else(|| StoreError("checkpoint connectables are corrupt".into()))?
            }
            None => return Err(StoreError("checkpoint connectables are missing".into())),
        },
    };
    let mut points = load_points(store, id, state.gen).await?;
    let opts = EligibilityOptions {
        require_free_port: cfg.options.require_free_port,
    };
    let routes = routes(cfg);
    let mut pages = 0;
    let done = loop {
        let Phase::Fetch { route, cursor } = &mut state.phase else {
            break true;
        };
        if *route >= routes.len() {
            break true;
        }
        if pages >= limits.pages_per_step {
            break false;
        }
        let name = routes[*route];
        let c = cursor.take().unwrap_or_else(|| client.start(name));
        let page = match client.page(&c).await {
            Ok(p) => p,
            Err(e) => return Ok(Err(e)),
        };
        pages += 1;
        state.counts.pages += 1;
        let rows = page.rows;
        match name {
            client::SPLITTERS | client::SWITCHES => {
                let found: Vec<(Option<String>, Option<usize>)> = if name == client::SPLITTERS {
                    let v: Vec<Splitter> = client::typed_rows(rows);
                    state.counts.splitters += v.len();
                    v.into_iter()
                        .filter(|s| s.is_drop == Some(true))
                        .map(|s| (s.parent.clone(), s.free_ports()))
                        .collect()
                } else {
                    let v: Vec<Switch> = client::typed_rows(rows);
                    state.counts.switches += v.len();
                    v.into_iter().map(|s| (s.parent.clone(), s.free_ports())).collect()
                };
                for (parent, free) in found {
                    let Some(p) = parent else { continue };
                    conn.entry(id_hash(&p)).or_default().add(free);
                }
            }
            _ => {
                let places: Vec<Place> = client::typed_rows(rows);
                if name == client::BOXES {
                    state.counts.boxes += places.len();
                } else {
                    state.counts.buildings += places.len();
                }
                for p in &places {
                    match decide(p, p.key().and_then(|k| conn.get(&id_hash(k))), opts) {
                        Ok(pt) => {
                            points.push(pt);
                            state.eligible += 1;
                        }
                        Err(r) => state.excluded.add(r),
                    }
                }
            }
        }
        match page.next {
            Some(n) => *cursor = Some(n),
            None => {
                *route += 1;
                *cursor = None;
            }
        }
    };
    // Both parts into the other slot; the caller then commits the checkpoint.
    state.gen += 1;
    store
        .put(&keys::job_connectables(id, state.gen), &encode_connectables(&conn))
        .await?;
    store
        .put(&keys::job_points(id, state.gen), &encode_points(&points))
        .await?;
    Ok(Ok(done))
}

async fn load_points(store: &impl Store, id: &str, gen: u32) -> Result<Vec<[f64; 2]>, StoreError> {
    if gen == 0 {
        return Ok(Vec::new());
    }
    match store.get(&keys::job_points(id, gen)).await? {
        Some(b) => decode_points(&b).ok_or_else(|| StoreError("checkpoint points are corrupt".into())),
        None => Err(StoreError("checkpoint points are missing".into())),
    }
}

/// Builds the coverage and decides whether to publish. `Some((code, why))` when held.
async fn build(
    store: &impl Store,
    cfg: &StoredConfig,
    state: &mut JobState,
    now_ms: i64,
) -> Result<Option<(&'static str, String)>, StoreError> {
    let id = cfg.id.as_str();
    let points = load_points(store, id, state.gen).await?;
    let cov = match Coverage::build(&points, cfg.max_distance_m, DEFAULT_MAX_ERROR_M) {
        Ok(c) => c,
        // Eligibility only passes checked coordinates and the radius was
        // validated, so this is a stored config gone wrong.
        Err(e) => {
            return Ok(Some((
                "invalid_input",
                format!("The coverage could not be built: {e}."),
            )))
        }
    };
    let previous: Option<Published> = get_json(store, &keys::published(id)).await?;
    let verdict = judge(
        previous.as_ref().map(|p| (p.stats.area_km2, p.stats.elements)),
        cov.stats.area_km2,
        cov.stats.elements,
        cfg.options.shrink_guard,
        state.force,
    );
    state.stats = Some(cov.stats.clone());
    if let Verdict::Hold { code, message } = verdict {
        return Ok(Some((code, message)));
    }
    let old_poly = match store.get(&keys::coverage(id)).await? {
        Some(b) => std::str::from_utf8(&b).ok().and_then(coverage::parse_multipolygon),
        None => None,
    };
    let old_elements: Vec<[f64; 2]> = get_json(store, &keys::elements(id)).await?.unwrap_or_default();
    let empty = geo::MultiPolygon::new(Vec::new());
    state.diff = Some(coverage::diff::diff(
        (old_poly.as_ref().unwrap_or(&empty), &old_elements),
        (&cov.polygon, cov.index.elements()),
    ));
    let mut cells: BTreeSet<String> = tile(cov.index.elements(), cfg.max_distance_m)
        .keys()
        .map(|c| c.key())
        .collect();
    cells.extend(previous.as_ref().map(|p| p.cells.clone()).unwrap_or_default());
    let version = previous.map_or(1, |p| p.version + 1);
    state.version = Some(version);
    state.built_at_ms = Some(now_ms);
    let mut feature = cov.to_feature();
    if let Some(props) = feature.properties.as_mut() {
        props.insert("provider_id".into(), cfg.id.clone().into());
        props.insert("name".into(), cfg.name.clone().into());
        props.insert("version".into(), version.into());
        props.insert("radius_m".into(), cfg.max_distance_m.into());
        props.insert("updated_at".into(), iso(now_ms).into());
    }
    store.put(&keys::job_staged(id), feature.to_string().as_bytes()).await?;
    state.phase = Phase::Publish {
        cells: cells.into_iter().collect(),
        done: 0,
    };
    Ok(None)
}

/// Rewrites up to the cell budget. When every cell is written, the checked
/// elements and the cells they reach, for `finalize`.
async fn publish_cells(
    store: &impl Store,
    cfg: &StoredConfig,
    state: &mut JobState,
    updated_at_ms: i64,
    limits: Limits,
) -> Result<Option<(Vec<[f64; 2]>, Vec<String>)>, StoreError> {
    let id = cfg.id.as_str();
    let version = state.version.unwrap_or(1);
    let Phase::Publish { cells, done } = &mut state.phase else {
        return Ok(None);
    };
    let points =
        coverage::check_elements(&load_points(store, id, state.gen).await?).map_err(|e| StoreError(e.to_string()))?;
    let tiles = tile(&points, cfg.max_distance_m);
    let end = (*done + limits.cells_per_step).min(cells.len());
    for key in &cells[*done..end] {
        let Ok(cell) = CellId::parse(key) else { continue };
        let share = CellProvider {
            id: cfg.id.clone(),
            name: cfg.name.clone(),
            version,
            updated_at_ms,
            radius_m: cfg.max_distance_m,
            elements: tiles.get(&cell).cloned().unwrap_or_default(),
        };
        write_share(store, cell, |v| v.upsert(share)).await?;
    }
    *done = end;
    if end < cells.len() {
        return Ok(None);
    }
    let written = tiles.keys().map(|c| c.key()).collect();
    Ok(Some((points, written)))
}

/// Read-modify-write of one cell. Only the queue consumer (one at a time)
/// calls this: the single writer of shared cells. A corrupt value is
/// replaced (the other providers' shares return at their next refresh).
pub async fn write_share(
    store: &impl Store,
    cell: CellId,
    change: impl FnOnce(&mut CellValue),
) -> Result<(), StoreError> {
    let key = keys::cell(&cell.key());
    let mut value = match store.get(&key).await? {
        Some(b) => CellValue::decode(&b, cell).unwrap_or_else(|_| CellValue::empty(cell)),
        None => CellValue::empty(cell),
    };
    change(&mut value);
    if value.providers.is_empty() {
        store.delete(&key).await
    } else {
        let bytes = value.encode().map_err(|e| StoreError(e.to_string()))?;
        store.put(&key, &bytes).await
    }
}

/// Makes the built version the published one.
/// `published`: the checked elements and the cells they were written to.
async fn finalize(
    store: &impl Store,
    cfg: &StoredConfig,
    state: &JobState,
    (points, cells): (Vec<[f64; 2]>, Vec<String>),
    updated_at_ms: i64,
) -> Result<(), StoreError> {
    let id = cfg.id.as_str();
    if let Some(staged) = store.get(&keys::job_staged(id)).await? {
        store.put(&keys::coverage(id), &staged).await?;
    }
    put_json(store, &keys::elements(id), &points).await?;
    let published = Published {
        version: state.version.unwrap_or(1),
        updated_at_ms,
        radius_m: cfg.max_distance_m,
        stats: state
            .stats
            .clone()
            .unwrap_or_else(|| CoverageStats::of(&geo::MultiPolygon::new(Vec::new()), 0)),
        excluded: state.excluded,
        counts: state.counts,
        cells,
    };
    put_json(store, &keys::published(id), &published).await
}

async fn finish(
    store: &impl Store,
    cfg: &StoredConfig,
    state: &JobState,
    outcome: Outcome,
    code: Option<String>,
    message: String,
    now_ms: i64,
) -> Result<StepOutcome, StoreError> {
    let id = cfg.id.as_str();
    let record = RunRecord {
        job_id: state.job_id.clone(),
        outcome,
        forced: state.force,
        started_at: iso(state.started_at_ms),
        finished_at: iso(now_ms),
        code,
        message,
        counts: state.counts,
        eligible: state.eligible,
        excluded: state.excluded,
        area_km2: state.stats.as_ref().map(|s| s.area_km2),
        version: if outcome == Outcome::Succeeded {
            state.version
        } else {
            None
        },
        diff: if outcome == Outcome::Succeeded {
            state.diff
        } else {
            None
        },
    };
    let mut history: Vec<RunRecord> = get_json(store, &keys::history(id)).await?.unwrap_or_default();
    // A step retried after this write must not record the run twice.
    if history.first().is_none_or(|h| h.job_id != record.job_id) {
        history.insert(0, record.clone());
        history.truncate(HISTORY_LEN);
        put_json(store, &keys::history(id), &history).await?;
    }
    put_json(store, &keys::last_run(id), &record).await?;
    for k in job_keys(id) {
        store.delete(&k).await?;
    }
    Ok(StepOutcome::Finished(outcome))
}

/// Ends a job that cannot start (e.g. an unreadable stored key) as failed.
pub async fn abort(
    store: &impl Store,
    cfg: &StoredConfig,
    job_id: &str,
    force: bool,
    code: &str,
    message: &str,
    now_ms: i64,
) -> Result<(), StoreError> {
    let _ = store.delete(&keys::pending(&cfg.id)).await;
    let state = JobState::new(job_id, force, now_ms);
    finish(
        store,
        cfg,
        &state,
        Outcome::Failed,
        Some(code.to_string()),
        message.to_string(),
        now_ms,
    )
    .await
    .map(|_| ())
}

fn job_keys(id: &str) -> [String; 6] {
    [
        keys::job_points(id, 0),
        keys::job_points(id, 1),
        keys::job_connectables(id, 0),
        keys::job_connectables(id, 1),
        keys::job_staged(id),
        keys::job(id),
    ]
}

/// Removes a deleted provider from its cells, a batch per step; `Ok(true)`
/// when done and every artefact is gone.
pub async fn remove_step(store: &impl Store, provider_id: &str, limits: Limits) -> Result<bool, StoreError> {
    // A removal message that outlived its removal (redelivered after the
    // provider was saved again) must not touch the new provider.
    if store.get(&keys::config(provider_id)).await?.is_some() {
        return Ok(true);
    }
    let published: Option<Published> = get_json(store, &keys::published(provider_id)).await?;
    let cells = published.map(|p| p.cells).unwrap_or_default();
    let done: usize = get_json(store, &keys::removal(provider_id)).await?.unwrap_or(0);
    let end = (done + limits.cells_per_step).min(cells.len());
    for key in &cells[done.min(end)..end] {
        if let Ok(cell) = CellId::parse(key) {
            write_share(store, cell, |v| v.remove(provider_id)).await?;
        }
    }
    if end < cells.len() {
        put_json(store, &keys::removal(provider_id), &end).await?;
        return Ok(false);
    }
    let artefacts = [
        keys::published(provider_id),
        keys::coverage(provider_id),
        keys::elements(provider_id),
        keys::last_run(provider_id),
        keys::history(provider_id),
        keys::pending(provider_id),
        keys::removal(provider_id),
    ];
    for k in artefacts.into_iter().chain(job_keys(provider_id)) {
        store.delete(&k).await?;
    }
    Ok(true)
}
