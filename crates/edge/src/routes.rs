//! The routing table: every route of the Worker, in one place.

use crate::{error::error, jobs::KV_BINDING, keys};
use serde_json::json;
use worker::{Request, Response, Result, RouteContext, Router};

pub fn router() -> Router<'static, ()> {
    Router::new()
        .get_async("/healthz", healthz)
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
