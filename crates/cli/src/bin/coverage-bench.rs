//! `coverage-bench`: the native side of `make bench`. Generates the city-like
//! datasets (written for the baselines), times the native build and point
//! queries, and geo's `unary_union` on 64-vertex circles, the baseline users
//! of `geo` would write. Prints one JSON line per size.

use coverage::synth::{city, Rng};
use coverage::Coverage;
use geo::{unary_union, Coord, LineString, Polygon};
use std::time::Instant;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn arg(name: &str, default: &str) -> String {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
        .unwrap_or_else(|| default.to_string())
}

/// 64-vertex circles in a local metric plane around the first element.
fn geo_union(points: &[[f64; 2]], r: f64) -> f64 {
    let o = points[0];
    let polys: Vec<Polygon<f64>> = points
        .iter()
        .map(|p| {
            let (x, y) = coverage::geodesy::local_offset_m(o, *p);
            let ring: Vec<Coord<f64>> = (0..=64)
                .map(|k| {
                    let t = k as f64 * std::f64::consts::TAU / 64.0;
                    Coord {
                        x: x + r * t.cos(),
                        y: y + r * t.sin(),
                    }
                })
                .collect();
            Polygon::new(LineString::new(ring), vec![])
        })
        .collect();
    let t = Instant::now();
    let u = unary_union(&polys);
    let ms = t.elapsed().as_secs_f64() * 1e3;
    std::hint::black_box(u);
    ms
}

fn main() {
    let out = std::path::PathBuf::from(arg("--out-dir", "bench/out"));
    let sizes: Vec<usize> = arg("--sizes", "1000,10000,100000,500000")
        .split(',')
        .filter_map(|s| s.parse().ok())
        .collect();
    let runs: usize = arg("--runs", "5").parse().unwrap_or(5).max(1);
    let geo_max: usize = arg("--geo-max", "100000").parse().unwrap_or(100_000);
    let r = 300.0;
    if let Err(e) = std::fs::create_dir_all(&out) {
        eprintln!("coverage-bench: {}: {e}", out.display());
        std::process::exit(2);
    }
    for &n in &sizes {
        let pts = city(n, 42);
        let file = out.join(format!("city-{n}.json"));
        let write = |path: &std::path::Path, text: String| {
            if let Err(e) = std::fs::write(path, text) {
                eprintln!("coverage-bench: {}: {e}", path.display());
                std::process::exit(2);
            }
        };
        write(&file, serde_json::to_string(&pts).unwrap_or_default());
        let mut times = Vec::new();
        let mut cov = None;
        for _ in 0..if n >= 500_000 { runs.min(3) } else { runs } {
            let t = Instant::now();
            let Ok(c) = Coverage::build(&pts, r, coverage::DEFAULT_MAX_ERROR_M) else {
                std::process::exit(2)
            };
            times.push(t.elapsed().as_secs_f64() * 1e3);
            cov = Some(c);
        }
        let Some(cov) = cov else { continue };
        // Queries around random elements, out to 2r: a realistic mix of hits and misses.
        let mut rng = Rng::new(7);
        let queries: Vec<[f64; 2]> = (0..1_000_000)
            .map(|_| {
                let e = pts[(rng.next_u64() % n as u64) as usize];
                coverage::geodesy::destination(e, rng.range(0.0, std::f64::consts::TAU), rng.range(0.0, 2.0 * r))
            })
            .collect();
        write(
            &out.join(format!("queries-{n}.json")),
            serde_json::to_string(&queries[..100_000]).unwrap_or_default(),
        );
        // The first query builds the bucket table; timed apart.
        let t = Instant::now();
        let _ = cov.index.nearest_within_radius(pts[0]);
        let table_ms = t.elapsed().as_secs_f64() * 1e3;
        let mut per = Vec::new();
        let mut hits = 0usize;
        for chunk in queries.chunks(100_000) {
            let t = Instant::now();
            for q in chunk {
                if cov.index.nearest_within_radius(*q).is_some() {
                    hits += 1;
                }
            }
            per.push(t.elapsed().as_secs_f64() * 1e9 / chunk.len() as f64);
        }
        let geo_ms = (n <= geo_max).then(|| geo_union(&pts, r));
        println!(
            "{}",
            serde_json::json!({
                "n": n, "native_build_ms": median(times), "area_km2": cov.stats.area_km2, "parts": cov.stats.parts,
                "holes": cov.stats.holes, "vertices": cov.stats.vertices, "query_ns": median(per),
                "hit_share": hits as f64 / queries.len() as f64, "geo_union_ms": geo_ms, "query_table_ms": table_ms,
                "points_file": file.display().to_string(),
            })
        );
    }
}
