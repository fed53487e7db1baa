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
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use worker::{Request, Response, Result, RouteContext};

pub const MAX_BATCH: usize = 1_000;

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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Point {
    lat: f64,
    lng: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Batch {
    points: Vec<Point>,
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

async fn read_cell(
    ctx: &RouteContext<()>,
    cell: CellId,
    ttl: u64,
) -> Result<std::result::Result<Option<CellValue>, String>> {
    let bytes = ctx
        .kv(KV_BINDING)?
        .get(&keys::cell(&cell.key()))
        .cache_ttl(ttl)
        .bytes()
        .await?;
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
    let (Some(lat), Some(lng)) = (q("lat"), q("lng")) else {
        return error(
            400,
            "missing_parameter",
            "lat and lng are required, e.g. ?lat=-27.59&lng=-48.55",
        );
    };
    let (Ok(lat), Ok(lng)) = (lat.trim().parse::<f64>(), lng.trim().parse::<f64>()) else {
        return error(400, "invalid_coordinates", "lat and lng must be decimal degrees");
    };
    if let Err(m) = check(lat, lng) {
        return error(400, "invalid_coordinates", &m);
    }
    match read_cell(&ctx, CellId::of([lng, lat]), s.lookup_cache_ttl_s).await? {
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
    if batch.points.is_empty() || batch.points.len() > MAX_BATCH {
        return error(400, "invalid_batch", &format!("send between 1 and {MAX_BATCH} points"));
    }
    for (i, p) in batch.points.iter().enumerate() {
        if let Err(m) = check(p.lat, p.lng) {
            return error(400, "invalid_coordinates", &format!("points[{i}]: {m}"));
        }
    }
    let mut cells: HashMap<CellId, Option<CellValue>> = HashMap::new();
    for p in &batch.points {
        if let std::collections::hash_map::Entry::Vacant(slot) = cells.entry(CellId::of([p.lng, p.lat])) {
            match read_cell(&ctx, *slot.key(), s.lookup_cache_ttl_s).await? {
                Ok(v) => slot.insert(v),
                Err(e) => return corrupt(&e),
            };
        }
    }
    let results: Vec<Answer> = batch
        .points
        .iter()
        .map(|p| {
            answer(
                cells.get(&CellId::of([p.lng, p.lat])).and_then(Option::as_ref),
                p.lat,
                p.lng,
            )
        })
        .collect();
    Response::from_json(&serde_json::json!({ "results": results }))
}
