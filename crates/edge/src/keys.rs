//! The KV key layout, in one place.

/// When the daily run last went through the queue (unix ms, as text).
pub const LAST_DAILY_RUN: &str = "meta:last-daily-run";
