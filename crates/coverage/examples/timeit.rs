//! Times a build and point queries on a synthetic city: `cargo run --release
//! -p coverage --example timeit -- 100000` (a quick look; `make bench` is the
//! real benchmark).
fn main() {
    let n: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let pts = coverage::synth::city(n, 42);
    let t = std::time::Instant::now();
    let c = coverage::Coverage::build(&pts, 300.0, 0.5).expect("valid input");
    println!("build {n}: {:?} ({} vertices)", t.elapsed(), c.stats.vertices);
    let mut rng = coverage::synth::Rng::new(7);
    let qs: Vec<[f64; 2]> = (0..2_000_000)
        .map(|_| {
            let e = pts[(rng.next_u64() % n as u64) as usize];
            coverage::geodesy::destination(e, rng.range(0.0, std::f64::consts::TAU), rng.range(0.0, 600.0))
        })
        .collect();
    let t = std::time::Instant::now();
    let _ = c.index.nearest_within_radius(pts[0]);
    println!("query table (built on the first query): {:?}", t.elapsed());
    let time = |label: &str, qs: &[[f64; 2]]| {
        let t = std::time::Instant::now();
        let hits = qs
            .iter()
            .filter(|q| c.index.nearest_within_radius(**q).is_some())
            .count();
        println!(
            "{label}: {:.0} ns each ({hits} hits)",
            t.elapsed().as_nanos() as f64 / qs.len() as f64
        );
    };
    time("queries", &qs);
    // The same queries in spatial order: what memory locality is worth.
    let mut sorted = qs.clone();
    sorted.sort_by(|a, b| {
        (a[1] * 500.0)
            .floor()
            .total_cmp(&(b[1] * 500.0).floor())
            .then(a[0].total_cmp(&b[0]))
    });
    time("sorted queries", &sorted);
}
