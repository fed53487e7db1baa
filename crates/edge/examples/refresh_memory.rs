//! How much memory one invocation of a refresh needs: the job runs step by
//! step, as the queue would deliver it (the Worker's default page size and
//! step limits), against an OZmap mock started apart, with an in-memory
//! store. For every step it records the heap's growth within the step, the
//! store's own contents excluded (in the Worker they live in KV, and a
//! step holds only what it reads). Native and 64-bit: wasm32 has 4-byte
//! pointers, so this bounds what the Worker needs.
//!
//! ```sh
//! cargo run --release -p ozmap-mock -- --port 9995 --isp big:Big:7:500000 &
//! cargo run --release -p edge --example refresh_memory -- http://127.0.0.1:9995 big 300
//! ```

use edge::config::{Options, StoredConfig};
use edge::refresh_job::{step, Limits, StepOutcome};
use edge::store::MemStore;
use ozmap::http::{block_on, NativeHttp};
use ozmap::{BaseUrl, Client, ClientOptions};
use peakmem_alloc::{PeakMemAlloc, PeakMemAllocTrait, INSTRUMENTED_SYSTEM};
use std::alloc::System;
use std::time::{Duration, Instant};

#[global_allocator]
static HEAP: &PeakMemAlloc<System> = &INSTRUMENTED_SYSTEM;

const MB: f64 = (1 << 20) as f64;

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [url, key, radius] = args.as_slice() else {
        return Err("usage: refresh_memory OZMAP_URL API_KEY RADIUS_M".into());
    };
    let radius: f64 = radius.parse().map_err(|_| "RADIUS_M must be a number")?;
    let base = BaseUrl::parse(url).map_err(|e| e.to_string())?;
    let client = Client::new(
        base,
        key,
        NativeHttp::new(Duration::from_secs(60)),
        ClientOptions::default(),
    );
    let cfg = StoredConfig {
        id: "p".into(),
        name: "P".into(),
        ozmap_url: url.clone(),
        key_enc: String::new(),
        max_distance_m: radius,
        options: Options::default(),
        created_at_ms: 0,
        updated_at_ms: 0,
    };
    let store = MemStore::default();
    let mut start = Some(false);
    let mut per_step = Vec::new();
    let t = Instant::now();
    let outcome = loop {
        HEAP.reset_peak_memory();
        let r = block_on(step(&store, &client, &cfg, "job", start, || 0, Limits::default()));
        per_step.push(HEAP.get_peak_memory() as f64 / MB);
        match r {
            Ok(StepOutcome::Continue) => start = None,
            Ok(other) => break format!("{other:?}"),
            Err(e) => break format!("stopped: {e:?}"),
        }
    };
    let (max_at, max) = per_step
        .iter()
        .copied()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .unwrap_or_default();
    let store_mb = store.map.borrow().values().map(Vec::len).sum::<usize>() as f64 / MB;
    println!(
        "{}",
        serde_json::json!({
            "outcome": outcome, "steps": per_step.len(), "seconds": t.elapsed().as_secs_f64(),
            "max_step_heap_mb": max, "max_at_step": max_at + 1, "store_mb": store_mb,
            "step_heap_mb": per_step.iter().map(|m| (m * 10.0).round() / 10.0).collect::<Vec<_>>(),
        })
    );
    Ok(())
}
