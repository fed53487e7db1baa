//! Queue messages and their consumer.

use crate::keys;
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
}

pub async fn enqueue(env: &Env, job: &Job) -> Result<()> {
    env.queue(QUEUE_BINDING)?.send(job).await
}

pub async fn consume(batch: MessageBatch<Job>, env: &Env) -> Result<()> {
    let kv = env.kv(KV_BINDING)?;
    for message in batch.messages()? {
        match message.body() {
            Job::Daily { scheduled_ms } => {
                kv.put(keys::LAST_DAILY_RUN, scheduled_ms.to_string())?
                    .execute()
                    .await?;
            }
        }
        message.ack();
    }
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
    }
}
