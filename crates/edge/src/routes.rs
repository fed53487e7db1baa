//! The routing table: every route of the Worker, in one place. Handlers
//! live in `lookup` and `providers`.

use crate::error::error;
use crate::{jobs::KV_BINDING, keys, lookup, providers};
use serde_json::json;
use worker::{Request, Response, Result, RouteContext, Router};

pub fn router() -> Router<'static, ()> {
    Router::new()
        .get_async("/healthz", healthz)
        // No storage, no auth: the baseline a lookup's latency is compared with.
        .get("/v1/ping", |_, _| Response::from_json(&json!({ "ok": true })))
        .get("/v1/openapi.json", |_, _| {
            let mut r = Response::ok(include_str!("../openapi.json"))?;
            r.headers_mut().set("Content-Type", "application/json")?;
            Ok(r)
        })
        .get_async("/v1/lookup", lookup::get)
        .post_async("/v1/lookup", lookup::post)
        .post_async("/v1/sessions", providers::create_session)
        .put_async("/v1/providers/:id/integration", providers::put_integration)
        .get_async("/v1/providers/:id/integration", providers::get_integration)
        .delete_async("/v1/providers/:id/integration", providers::delete_integration)
        .post_async("/v1/providers/:id/refresh", providers::refresh)
        .get_async("/v1/providers/:id/status", providers::status)
        .get_async("/v1/providers/:id/history", providers::history)
        .get_async("/v1/providers/:id/coverage", providers::coverage)
        .get_async("/v1/providers/:id/elements", providers::elements)
        // A known path with an unregistered method is answered 405 by the
        // router itself (given the API error shape in `lib.rs`).
        .or_else_any_method("/v1/*rest", |_, _| error(404, "not_found", "no such route"))
}

async fn healthz(_req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let last = ctx.kv(KV_BINDING)?.get(keys::LAST_DAILY_RUN).text().await?;
    Response::from_json(&json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "last_daily_run_ms": last.and_then(|s| s.parse::<i64>().ok()),
    }))
}
