fn main() {
    let n: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let pts = coverage::synth::city(n, 42);
    let t = std::time::Instant::now();
    let c = coverage::Coverage::build(&pts, 300.0, 0.5).expect("ok");
    println!("{n}: {:?} {:?}", t.elapsed(), c.stats);
}
