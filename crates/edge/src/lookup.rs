//! `GET/POST /v1/lookup`: one KV read per distinct cell (edge-cached), the
//! exact distance test against the elements stored in the cell. Answers name
//! providers, never elements.

use crate::auth::Caller;
use crate::body;
use crate::config::iso;
use crate::env::Settings;
use crate::error::error;
use crate::jobs::KV_BINDING;
use crate::keys;
use coverage::cell::CellId;
use coverage::codec::CellValue;
use futures_util::stream::{self, StreamExt, TryStreamExt};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use worker::kv::KvStore;
use worker::{Request, Response, Result, RouteContext};

pub const MAX_BATCH: usize = 1_000;

/// KV reads a batch keeps in flight: a Worker invocation holds at most six
/// connections open at once (KV calls count), the rest would only wait.
const CONCURRENT_READS: usize = 6;

#[derive(Debug, Serialize)]
pub struct Hit {
    pub id: String,
    pub name: String,
    pub distance_m: f64,
    pub version: u32,
    pub updated_at: String,
}

#[derive(Debug, Serialize)]
struct Answer {
    lat: f64,
    lng: f64,
    providers: Vec<Hit>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Point {
    pub lat: f64,
    pub lng: f64,
}

/// The body of `POST /v1/lookup`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Batch {
    pub points: Vec<Point>,
}

/// A refused lookup request: answered 400 with this code and message.
#[derive(Debug, PartialEq)]
pub struct Refused {
    pub code: &'static str,
    pub message: String,
}

fn refused(code: &'static str, message: impl Into<String>) -> Refused {
    Refused {
        code,
        message: message.into(),
    }
}

/// The `lat` and `lng` query parameters of `GET /v1/lookup`, as `[lng, lat]`.
pub fn parse_query(lat: Option<&str>, lng: Option<&str>) -> std::result::Result<[f64; 2], Refused> {
    let (Some(lat), Some(lng)) = (lat, lng) else {
        return Err(refused(
            "missing_parameter",
            "lat and lng are required, e.g. ?lat=-27.59&lng=-48.55",
        ));
    };
    let (Ok(lat), Ok(lng)) = (lat.trim().parse::<f64>(), lng.trim().parse::<f64>()) else {
        return Err(refused("invalid_coordinates", "lat and lng must be decimal degrees"));
    };
    check(lat, lng).map_err(|m| refused("invalid_coordinates", m))?;
    Ok([lng, lat])
}

/// The points of a batch, as `[lng, lat]`, once every one is valid.
pub fn parse_batch(batch: &Batch) -> std::result::Result<Vec<[f64; 2]>, Refused> {
    if batch.points.is_empty() || batch.points.len() > MAX_BATCH {
        return Err(refused(
            "invalid_batch",
            format!("send between 1 and {MAX_BATCH} points"),
        ));
    }
    batch
        .points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            check(p.lat, p.lng)
                .map(|()| [p.lng, p.lat])
                .map_err(|m| refused("invalid_coordinates", format!("points[{i}]: {m}")))
        })
        .collect()
}

fn authorize(req: &Request, s: &Settings) -> std::result::Result<(), Result<Response>> {
    match s.caller(req) {
        Ok(Caller::Platform | Caller::Lookup) => Ok(()),
        Ok(Caller::Provider(_)) => Err(error(403, "forbidden", "lookups need the platform or lookup token")),
        Err(e) => Err(error(401, e.code(), e.message())),
    }
}

fn check(lat: f64, lng: f64) -> std::result::Result<(), String> {
    coverage::check_query(0, [lng, lat]).map_err(|e| e.to_string().trim_start_matches("point 0: ").to_string())
}

async fn read_cell(kv: &KvStore, cell: CellId, ttl: u64) -> Result<std::result::Result<Option<CellValue>, String>> {
    let bytes = kv.get(&keys::cell(&cell.key())).cache_ttl(ttl).bytes().await?;
    Ok(match bytes {
        None => Ok(None),
        Some(b) => CellValue::decode(&b, cell).map(Some).map_err(|e| e.to_string()),
    })
}

fn answer(value: Option<&CellValue>, lat: f64, lng: f64) -> Answer {
    let providers = value
        .map(|v| {
            v.lookup([lng, lat])
                .into_iter()
                .map(|h| Hit {
                    id: h.provider.id.clone(),
                    name: h.provider.name.clone(),
                    distance_m: (h.distance_m * 100.0).round() / 100.0,
                    version: h.provider.version,
                    updated_at: iso(h.provider.updated_at_ms),
                })
                .collect()
        })
        .unwrap_or_default();
    Answer { lat, lng, providers }
}

fn corrupt(e: &str) -> Result<Response> {
    worker::console_error!("lookup: corrupt cell value: {e}");
    error(
        503,
        "coverage_unavailable",
        "coverage data for this area is being rebuilt; try again later",
    )
}

pub async fn get(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let s = Settings::from_env(&ctx.env);
    if let Err(r) = authorize(&req, &s) {
        return r;
    }
    let url = req.url()?;
    let q = |k: &str| url.query_pairs().find(|(n, _)| n == k).map(|(_, v)| v.into_owned());
    let [lng, lat] = match parse_query(q("lat").as_deref(), q("lng").as_deref()) {
        Ok(p) => p,
        Err(r) => return error(400, r.code, &r.message),
    };
    match read_cell(&ctx.kv(KV_BINDING)?, CellId::of([lng, lat]), s.lookup_cache_ttl_s).await? {
        Ok(v) => Response::from_json(&answer(v.as_ref(), lat, lng)),
        Err(e) => corrupt(&e),
    }
}

pub async fn post(mut req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let s = Settings::from_env(&ctx.env);
    if let Err(r) = authorize(&req, &s) {
        return r;
    }
    let batch: Batch = match body::json(&mut req, 256 * 1024).await? {
        Ok(b) => b,
        Err(r) => return Ok(r),
    };
    let points = match parse_batch(&batch) {
        Ok(p) => p,
        Err(r) => return error(400, r.code, &r.message),
    };
    // One read per distinct cell, a few at a time.
    let distinct: HashSet<CellId> = points.iter().map(|p| CellId::of(*p)).collect();
    let kv = ctx.kv(KV_BINDING)?;
    let (kv, ttl) = (&kv, s.lookup_cache_ttl_s);
    let read: Vec<(CellId, std::result::Result<Option<CellValue>, String>)> = stream::iter(distinct)
        .map(|c| async move { Ok::<_, worker::Error>((c, read_cell(kv, c, ttl).await?)) })
        .buffer_unordered(CONCURRENT_READS)
        .try_collect()
        .await?;
    let mut cells: HashMap<CellId, Option<CellValue>> = HashMap::with_capacity(read.len());
    for (c, v) in read {
        match v {
            Ok(v) => cells.insert(c, v),
            Err(e) => return corrupt(&e),
        };
    }
    let results: Vec<Answer> = points
        .iter()
        .map(|&[lng, lat]| answer(cells.get(&CellId::of([lng, lat])).and_then(Option::as_ref), lat, lng))
        .collect();
    Response::from_json(&serde_json::json!({ "results": results }))
}
