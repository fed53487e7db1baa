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
        .or_else_any_method("/v1/*rest", |req, _| match known_path(&req.path()) {
            true => error(405, "method_not_allowed", "this route does not accept that method"),
            false => error(404, "not_found", "no such route"),
        })
}

/// Paths that exist with some method (for 405 rather than 404).
fn known_path(path: &str) -> bool {
    let p: Vec<&str> = path.trim_matches('/').split('/').collect();
    matches!(
        p.as_slice(),
        ["v1", "lookup"]
            | ["v1", "sessions"]
            | ["v1", "openapi.json"]
            | ["v1", "ping"]
            | [
                "v1",
                "providers",
                _,
                "integration" | "refresh" | "status" | "history" | "coverage" | "elements"
            ]
    )
}

async fn healthz(_req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let last = ctx.kv(KV_BINDING)?.get(keys::LAST_DAILY_RUN).text().await?;
    Response::from_json(&json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "last_daily_run_ms": last.and_then(|s| s.parse::<i64>().ok()),
    }))
}

#[cfg(test)]
mod tests {
    #[test]
    fn known_paths() {
        assert!(super::known_path("/v1/providers/x/status"));
        assert!(super::known_path("/v1/lookup"));
        assert!(!super::known_path("/v1/providers/x/nope"));
        assert!(!super::known_path("/v1/providers/x/y/status"));
    }
}
