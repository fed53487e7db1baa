//! The Worker the platform calls. It wires HTTP, Cron, Queues and KV to the
//! plain-Rust crates and holds no geometry or OZmap logic of its own.
//!
//! Plain modules (testable natively): `config`, `session`, `secrets`,
//! `guard`, `checkpoint`, `store`, `refresh_job`, `keys`. Worker adapters:
//! `routes` and its handlers, `jobs` (queue), `kv_store`, `fetch_http`.

pub mod auth;
mod body;
pub mod checkpoint;
pub mod config;
mod env;
mod error;
mod fetch_http;
pub mod guard;
mod jobs;
pub mod keys;
mod kv_store;
pub mod lookup;
mod providers;
pub mod refresh_job;
mod routes;
pub mod secrets;
pub mod session;
pub mod store;

use worker::{event, Context, Env, MessageBatch, Request, Response, Result, ScheduleContext, ScheduledEvent};

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    let res = routes::router().run(req, env).await?;
    // The router answers a known path with an unregistered method by itself,
    // with an empty body; give it the API's error shape.
    if res.status_code() == 405 {
        return error::error(405, "method_not_allowed", "this route does not accept that method");
    }
    Ok(res)
}

/// The daily trigger only enqueues; the queue consumer does the work, so a
/// slow provider never holds the cron invocation.
#[event(scheduled)]
async fn scheduled(event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    let job = jobs::Job::Daily {
        scheduled_ms: event.schedule() as i64,
    };
    if let Err(e) = jobs::enqueue(&env, &job).await {
        worker::console_error!("daily trigger could not enqueue: {e}");
    }
}

#[event(queue)]
async fn queue(batch: MessageBatch<jobs::Job>, env: Env, _ctx: Context) -> Result<()> {
    jobs::consume(batch, &env).await
}
