//! Provider-scoped routes: integration, refresh, status, history, coverage,
//! elements; and minting sessions for the integrations page.

use crate::auth::Caller;
use crate::body;
use crate::config::{check, iso, valid_provider_id, IntegrationInput, StoredConfig};
use crate::env::{now_ms, random_bytes, Settings};
use crate::error::{error, invalid_fields};
use crate::jobs::{self, Job, KV_BINDING};
use crate::keys;
use crate::kv_store::Kv;
use crate::refresh_job::{JobState, Pending, Phase, Published, RunRecord};
use crate::secrets::encrypt;
use crate::session::{mint, Claims, MAX_TTL_S};
use crate::store::{get_json, put_json, Store};
use serde::Deserialize;
use serde_json::json;
use worker::{Request, Response, Result, RouteContext};

/// The provider id of the path, if the caller may manage it; otherwise the
/// response to send. Another provider's id answers 404, as if absent.
fn scope(
    req: &Request,
    ctx: &RouteContext<()>,
    s: &Settings,
) -> std::result::Result<(String, Caller), Result<Response>> {
    let caller = match s.caller(req) {
        Ok(c) => c,
        Err(e) => return Err(error(401, e.code(), e.message())),
    };
    let id = ctx.param("id").cloned().unwrap_or_default();
    if !valid_provider_id(&id) {
        return Err(error(
            400,
            "invalid_provider_id",
            "provider ids are 1–64 characters of a-z, 0-9, - and _",
        ));
    }
    match &caller {
        Caller::Lookup => Err(error(403, "forbidden", "the lookup token may only call /v1/lookup")),
        c if !c.may_manage(&id) => Err(error(404, "not_found", "no such provider")),
        _ => Ok((id, caller)),
    }
}

macro_rules! scoped {
    ($req:expr, $ctx:expr, $s:expr) => {
        match scope(&$req, &$ctx, &$s) {
            Ok(v) => v,
            Err(r) => return r,
        }
    };
}

fn kv(ctx: &RouteContext<()>) -> Result<Kv> {
    Ok(Kv(ctx.kv(KV_BINDING)?))
}

fn store_err(e: crate::store::StoreError) -> worker::Error {
    worker::Error::RustError(e.to_string())
}

fn no_integration() -> Result<Response> {
    error(404, "not_found", "no integration for this provider")
}

async fn load_config(store: &Kv, id: &str) -> Result<Option<StoredConfig>> {
    get_json(store, &keys::config(id)).await.map_err(store_err)
}

/// The store, when the provider has an integration (`None`: answer [`no_integration`]).
async fn integrated(ctx: &RouteContext<()>, id: &str) -> Result<Option<Kv>> {
    let store = kv(ctx)?;
    Ok(load_config(&store, id).await?.map(|_| store))
}

fn not_published() -> Result<Response> {
    error(404, "not_published", "this provider has no published coverage yet")
}

pub async fn put_integration(mut req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let s = Settings::from_env(&ctx.env);
    let (id, _) = scoped!(req, ctx, s);
    let input: IntegrationInput = match body::json(&mut req, 64 * 1024).await? {
        Ok(i) => i,
        Err(r) => return Ok(r),
    };
    let store = kv(&ctx)?;
    let existing = load_config(&store, &id).await?;
    // Deleted, but its coverage not yet cleared from the cells: a new
    // integration now would race the removal job for the same cells.
    if existing.is_none() && store.get(&keys::published(&id)).await.map_err(store_err)?.is_some() {
        return error(
            409,
            "removal_in_progress",
            "this provider was just deleted and its coverage is still being removed; save again in a minute",
        );
    }
    let checked = match check(&input, existing.as_ref(), s.allow_loopback_http) {
        Ok(c) => c,
        Err(fields) => return invalid_fields(&fields),
    };
    let key_enc = match (&checked.api_key, &existing) {
        (Some(k), _) => match encrypt(&s.key_encryption_key, &id, k, random_bytes::<12>()) {
            Ok(e) => e,
            Err(_) => {
                return error(
                    500,
                    "misconfigured",
                    "KEY_ENCRYPTION_KEY is not set to 32 bytes of base64",
                )
            }
        },
        (None, Some(e)) => e.key_enc.clone(),
        (None, None) => return error(400, "validation_failed", "api_key is required"),
    };
    let now = now_ms();
    let cfg = StoredConfig {
        id: id.clone(),
        name: checked.name,
        ozmap_url: checked.base.to_string(),
        key_enc,
        max_distance_m: checked.max_distance_m,
        options: checked.options,
        created_at_ms: existing.as_ref().map_or(now, |e| e.created_at_ms),
        updated_at_ms: now,
    };
    put_json(&store, &keys::config(&id), &cfg).await.map_err(store_err)?;
    let (job, _) = jobs::request_refresh(&ctx.env, &store, &id, false).await?;
    let status = if existing.is_some() { 200 } else { 201 };
    Ok(Response::from_json(&json!({ "integration": cfg.view(), "job": job }))?.with_status(status))
}

pub async fn get_integration(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let s = Settings::from_env(&ctx.env);
    let (id, _) = scoped!(req, ctx, s);
    match load_config(&kv(&ctx)?, &id).await? {
        Some(c) => Response::from_json(&c.view()),
        None => no_integration(),
    }
}

pub async fn delete_integration(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let s = Settings::from_env(&ctx.env);
    let (id, _) = scoped!(req, ctx, s);
    let Some(store) = integrated(&ctx, &id).await? else {
        return no_integration();
    };
    store.delete(&keys::config(&id)).await.map_err(store_err)?;
    jobs::enqueue(
        &ctx.env,
        &Job::Remove {
            provider_id: id.clone(),
        },
    )
    .await?;
    Ok(Response::from_json(&json!({ "id": id, "state": "removing" }))?.with_status(202))
}

pub async fn refresh(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let s = Settings::from_env(&ctx.env);
    let (id, _) = scoped!(req, ctx, s);
    let url = req.url()?;
    let force = match url
        .query_pairs()
        .find(|(k, _)| k == "force")
        .map(|(_, v)| v.into_owned())
    {
        None => false,
        Some(v) if v == "true" || v == "1" => true,
        Some(v) if v == "false" || v == "0" => false,
        Some(_) => return error(400, "invalid_parameter", "force must be true or false"),
    };
    let Some(store) = integrated(&ctx, &id).await? else {
        return no_integration();
    };
    let (job, created) = jobs::request_refresh(&ctx.env, &store, &id, force).await?;
    Ok(Response::from_json(&json!({ "job": job, "created": created }))?.with_status(202))
}

pub async fn status(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let s = Settings::from_env(&ctx.env);
    let (id, _) = scoped!(req, ctx, s);
    let Some(store) = integrated(&ctx, &id).await? else {
        return no_integration();
    };
    let pending: Option<Pending> = get_json(&store, &keys::pending(&id)).await.map_err(store_err)?;
    let job: Option<JobState> = get_json(&store, &keys::job(&id)).await.map_err(store_err)?;
    let last: Option<RunRecord> = get_json(&store, &keys::last_run(&id)).await.map_err(store_err)?;
    let published: Option<Published> = get_json(&store, &keys::published(&id)).await.map_err(store_err)?;
    let state = match (&pending, &job, &last) {
        (_, Some(_), _) => "running",
        (Some(_), None, _) => "queued",
        (None, None, Some(l)) => match l.outcome {
            crate::refresh_job::Outcome::Succeeded => "succeeded",
            crate::refresh_job::Outcome::Held => "held",
            crate::refresh_job::Outcome::Failed => "failed",
        },
        (None, None, None) => "never_run",
    };
    let current = match (&job, &pending) {
        (Some(j), _) => Some(json!({
            "id": j.job_id, "state": "running", "force": j.force, "started_at": iso(j.started_at_ms),
            "phase": match j.phase { Phase::Fetch { .. } => "fetching", Phase::Publish { .. } => "publishing" },
            "progress": {
                "pages": j.counts.pages, "boxes": j.counts.boxes, "buildings": j.counts.buildings,
                "splitters": j.counts.splitters, "switches": j.counts.switches, "eligible": j.eligible,
                "cells_done": match &j.phase { Phase::Publish { done, .. } => Some(*done), _ => None },
                "cells_total": match &j.phase { Phase::Publish { cells, .. } => Some(cells.len()), _ => None },
            },
        })),
        (None, Some(p)) => {
            Some(json!({ "id": p.job_id, "state": "queued", "force": p.force, "queued_at": iso(p.queued_at_ms) }))
        }
        _ => None,
    };
    let published = published.map(|p| {
        json!({
            "version": p.version, "updated_at": iso(p.updated_at_ms), "radius_m": p.radius_m,
            "area_km2": p.stats.area_km2, "elements": p.stats.elements, "parts": p.stats.parts, "holes": p.stats.holes,
            "excluded": p.excluded, "counts": p.counts,
        })
    });
    Response::from_json(
        &json!({ "provider_id": id, "state": state, "job": current, "last": last, "published": published }),
    )
}

pub async fn history(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let s = Settings::from_env(&ctx.env);
    let (id, _) = scoped!(req, ctx, s);
    let Some(store) = integrated(&ctx, &id).await? else {
        return no_integration();
    };
    let runs: Vec<RunRecord> = get_json(&store, &keys::history(&id))
        .await
        .map_err(store_err)?
        .unwrap_or_default();
    Response::from_json(&json!({ "provider_id": id, "runs": runs }))
}

pub async fn coverage(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let s = Settings::from_env(&ctx.env);
    let (id, _) = scoped!(req, ctx, s);
    let store = kv(&ctx)?;
    let Some(p) = get_json::<Published>(&store, &keys::published(&id))
        .await
        .map_err(store_err)?
    else {
        return not_published();
    };
    let etag = format!("\"{id}-v{}-{}\"", p.version, p.updated_at_ms);
    let matches = req
        .headers()
        .get("If-None-Match")?
        .is_some_and(|h| h.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    if matches {
        let mut r = Response::empty()?.with_status(304);
        r.headers_mut().set("ETag", &etag)?;
        return Ok(r);
    }
    let Some(feature) = store.get(&keys::coverage(&id)).await.map_err(store_err)? else {
        return not_published();
    };
    let mut r = Response::from_bytes(feature)?;
    let h = r.headers_mut();
    h.set("Content-Type", "application/geo+json")?;
    h.set("ETag", &etag)?;
    h.set("Cache-Control", "private, max-age=0, must-revalidate")?;
    h.set(
        "Content-Disposition",
        &format!("inline; filename=\"cobertura-{id}-v{}.geojson\"", p.version),
    )?;
    Ok(r)
}

pub async fn elements(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let s = Settings::from_env(&ctx.env);
    let (id, caller) = scoped!(req, ctx, s);
    if caller == Caller::Platform {
        return error(
            403,
            "forbidden",
            "element positions are served only to the provider's own session",
        );
    }
    let store = kv(&ctx)?;
    let Some(p) = get_json::<Published>(&store, &keys::published(&id))
        .await
        .map_err(store_err)?
    else {
        return not_published();
    };
    let elements: Vec<[f64; 2]> = get_json(&store, &keys::elements(&id))
        .await
        .map_err(store_err)?
        .unwrap_or_default();
    let mut r = Response::from_json(
        &json!({ "provider_id": id, "version": p.version, "radius_m": p.radius_m, "elements": elements }),
    )?;
    r.headers_mut().set("Cache-Control", "private, no-store")?;
    Ok(r)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SessionRequest {
    provider_id: String,
    ttl_s: Option<u64>,
}

/// `POST /v1/sessions` (platform only): a session token for one provider's page.
pub async fn create_session(mut req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let s = Settings::from_env(&ctx.env);
    match s.caller(&req) {
        Ok(Caller::Platform) => {}
        Ok(_) => return error(403, "forbidden", "only the platform may create sessions"),
        Err(e) => return error(401, e.code(), e.message()),
    }
    let body: SessionRequest = match body::json(&mut req, 4 * 1024).await? {
        Ok(b) => b,
        Err(r) => return Ok(r),
    };
    if !valid_provider_id(&body.provider_id) {
        return error(
            400,
            "invalid_provider_id",
            "provider ids are 1–64 characters of a-z, 0-9, - and _",
        );
    }
    if s.session_secret.len() < 16 {
        return error(500, "misconfigured", "SESSION_SECRET must be at least 16 characters");
    }
    let ttl = body.ttl_s.unwrap_or(3_600).clamp(60, MAX_TTL_S);
    let exp = (now_ms() / 1000) as u64 + ttl;
    let token = mint(
        s.session_secret.as_bytes(),
        &Claims {
            sub: body.provider_id.clone(),
            exp,
        },
    );
    Response::from_json(
        &json!({ "token": token, "provider_id": body.provider_id, "expires_at": iso(exp as i64 * 1000) }),
    )
    .map(|r| r.with_status(201))
}
