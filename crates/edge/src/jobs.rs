//! Queue messages and their consumer: the single writer of shared cells
//! (`max_concurrency = 1` in wrangler.toml).

use crate::config::StoredConfig;
use crate::env::{hex, now_ms, random_bytes, Settings};
use crate::fetch_http::WorkerHttp;
use crate::keys;
use crate::kv_store::Kv;
use crate::refresh_job::{self, JobState, Pending, StepOutcome};
use crate::secrets::decrypt;
use crate::store::{get_json, put_json};
use ozmap::{BaseUrl, Client};
use serde::{Deserialize, Serialize};
use worker::{Env, MessageBatch, MessageExt, Result};

/// The queue binding shared by producer and consumer.
pub const QUEUE_BINDING: &str = "REFRESH_QUEUE";
/// The KV namespace binding.
pub const KV_BINDING: &str = "COVERAGE_KV";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Job {
    /// The daily cron fired: fan out one refresh per provider.
    Daily { scheduled_ms: i64 },
    /// Start a provider's refresh.
    Refresh {
        provider_id: String,
        job_id: String,
        force: bool,
    },
    /// Continue it after a checkpoint.
    Continue { provider_id: String, job_id: String },
    /// Clear a deleted provider from the cells.
    Remove { provider_id: String },
}

pub async fn enqueue(env: &Env, job: &Job) -> Result<()> {
    env.queue(QUEUE_BINDING)?.send(job).await
}

fn rust_err(e: impl std::fmt::Display) -> worker::Error {
    worker::Error::RustError(e.to_string())
}

pub async fn consume(batch: MessageBatch<Job>, env: &Env) -> Result<()> {
    for message in batch.messages()? {
        match handle(message.body(), env).await {
            Ok(()) => message.ack(),
            // Checkpoints make a retry resume where this one stopped.
            Err(e) => {
                worker::console_error!("job {:?} failed, retrying: {e}", message.body());
                message.retry();
            }
        }
    }
    Ok(())
}

async fn handle(job: &Job, env: &Env) -> Result<()> {
    let store = Kv(env.kv(KV_BINDING)?);
    let s = Settings::from_env(env);
    match job {
        Job::Daily { scheduled_ms } => daily(env, &store, *scheduled_ms).await,
        Job::Refresh {
            provider_id,
            job_id,
            force,
        } => run_step(env, &store, &s, provider_id, job_id, Some(*force)).await,
        Job::Continue { provider_id, job_id } => run_step(env, &store, &s, provider_id, job_id, None).await,
        Job::Remove { provider_id } => {
            if !refresh_job::remove_step(&store, provider_id, s.limits)
                .await
                .map_err(rust_err)?
            {
                enqueue(env, job).await?;
            }
            Ok(())
        }
    }
}

async fn run_step(env: &Env, store: &Kv, s: &Settings, id: &str, job_id: &str, start: Option<bool>) -> Result<()> {
    let Some(cfg) = get_json::<StoredConfig>(store, &keys::config(id))
        .await
        .map_err(rust_err)?
    else {
        return Ok(()); // deleted meanwhile: the removal job clears the rest
    };
    let (base, key) = match (
        BaseUrl::parse(&cfg.ozmap_url),
        decrypt(&s.key_encryption_key, id, &cfg.key_enc),
    ) {
        (Ok(b), Ok(k)) => (b, k),
        _ => {
            refresh_job::abort(store, &cfg, job_id, start.unwrap_or(false), "stored_config_unreadable",
                "The stored OZmap address or key cannot be read (was KEY_ENCRYPTION_KEY changed?); save the integration again.", now_ms())
                .await
                .map_err(rust_err)?;
            return Ok(());
        }
    };
    let client = Client::new(
        base,
        key,
        WorkerHttp {
            timeout_ms: s.ozmap_timeout_ms,
        },
        s.client,
    );
    match refresh_job::step(store, &client, &cfg, job_id, start, now_ms, s.limits)
        .await
        .map_err(rust_err)?
    {
        StepOutcome::Continue => {
            enqueue(
                env,
                &Job::Continue {
                    provider_id: id.into(),
                    job_id: job_id.into(),
                },
            )
            .await
        }
        StepOutcome::Finished(_) | StepOutcome::Stale => Ok(()),
    }
}

/// A job as the API shows it.
#[derive(Debug, Serialize)]
pub struct JobView {
    pub id: String,
    pub state: &'static str,
    pub force: bool,
}

/// Enqueues a refresh unless one is queued or running (then returns that
/// one); `true` when a new one was enqueued.
pub async fn request_refresh(env: &Env, store: &Kv, id: &str, force: bool) -> Result<(JobView, bool)> {
    if let Some(p) = get_json::<Pending>(store, &keys::pending(id)).await.map_err(rust_err)? {
        return Ok((
            JobView {
                id: p.job_id,
                state: "queued",
                force: p.force,
            },
            false,
        ));
    }
    if let Some(j) = get_json::<JobState>(store, &keys::job(id)).await.map_err(rust_err)? {
        return Ok((
            JobView {
                id: j.job_id,
                state: "running",
                force: j.force,
            },
            false,
        ));
    }
    let job_id = hex(&random_bytes::<8>());
    let pending = Pending {
        job_id: job_id.clone(),
        force,
        queued_at_ms: now_ms(),
    };
    put_json(store, &keys::pending(id), &pending).await.map_err(rust_err)?;
    enqueue(
        env,
        &Job::Refresh {
            provider_id: id.to_string(),
            job_id: job_id.clone(),
            force,
        },
    )
    .await?;
    Ok((
        JobView {
            id: job_id,
            state: "queued",
            force,
        },
        true,
    ))
}

/// One refresh per provider, skipping those with one queued or running.
async fn daily(env: &Env, store: &Kv, scheduled_ms: i64) -> Result<()> {
    let kv = env.kv(KV_BINDING)?;
    let mut cursor: Option<String> = None;
    loop {
        let mut list = kv.list().prefix(keys::CONFIG_PREFIX.to_string()).limit(1000);
        if let Some(c) = cursor.take() {
            list = list.cursor(c);
        }
        let page = list.execute().await?;
        for k in &page.keys {
            let id = &k.name[keys::CONFIG_PREFIX.len()..];
            request_refresh(env, store, id, false).await?;
        }
        if page.list_complete {
            break;
        }
        cursor = page.cursor;
    }
    kv.put(keys::LAST_DAILY_RUN, scheduled_ms.to_string())?
        .execute()
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_wire_format_is_tagged() {
        let j = Job::Daily { scheduled_ms: 5 };
        let s = serde_json::to_string(&j).expect("serialises");
        assert_eq!(s, r#"{"kind":"daily","scheduled_ms":5}"#);
        assert_eq!(serde_json::from_str::<Job>(&s).expect("parses"), j);
        let r: Job =
            serde_json::from_str(r#"{"kind":"refresh","provider_id":"a","job_id":"j","force":true}"#).expect("parses");
        assert_eq!(
            r,
            Job::Refresh {
                provider_id: "a".into(),
                job_id: "j".into(),
                force: true
            }
        );
    }
}
