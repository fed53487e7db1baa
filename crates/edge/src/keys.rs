//! The KV key layout, in one place. Provider ids are validated
//! (`config::valid_provider_id`) before they reach a key.

/// When the daily run last went through the queue (unix ms, as text).
pub const LAST_DAILY_RUN: &str = "meta:last-daily-run";
/// Prefix of integration configs; listing it enumerates providers.
pub const CONFIG_PREFIX: &str = "cfg:";

pub fn config(id: &str) -> String {
    format!("{CONFIG_PREFIX}{id}")
}
/// A refresh asked for and not yet picked up by the consumer.
pub fn pending(id: &str) -> String {
    format!("prov:{id}:pending")
}
/// The running job's checkpoint, and its binary parts in two slots: a step
/// writes the slot the checkpoint does not point to, then the checkpoint,
/// so a step stopped half-way leaves the last checkpoint intact.
pub fn job(id: &str) -> String {
    format!("prov:{id}:job")
}
pub fn job_connectables(id: &str, slot: u32) -> String {
    format!("prov:{id}:job:conn:{}", slot % 2)
}
pub fn job_points(id: &str, slot: u32) -> String {
    format!("prov:{id}:job:points:{}", slot % 2)
}
pub fn job_staged(id: &str) -> String {
    format!("prov:{id}:job:staged")
}
/// The last finished run (succeeded, held or failed).
pub fn last_run(id: &str) -> String {
    format!("prov:{id}:last")
}
pub fn history(id: &str) -> String {
    format!("prov:{id}:history")
}
/// Metadata of the published version (version, stats, cells it wrote).
pub fn published(id: &str) -> String {
    format!("prov:{id}:published")
}
/// The published coverage, a GeoJSON Feature.
pub fn coverage(id: &str) -> String {
    format!("prov:{id}:coverage")
}
/// The published eligible elements, `[[lng, lat], …]`.
pub fn elements(id: &str) -> String {
    format!("prov:{id}:elements")
}
/// Progress of a provider's removal from the cells.
pub fn removal(id: &str) -> String {
    format!("prov:{id}:removal")
}
pub fn cell(cell_key: &str) -> String {
    format!("cell:{cell_key}")
}
