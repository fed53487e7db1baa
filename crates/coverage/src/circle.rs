//! Geodesic circles drawn as polygons whose vertex spacing comes from a
//! maximum boundary error, never from a fixed vertex count.

use crate::geodesy::destination;
use std::f64::consts::TAU;

/// The largest angle between consecutive vertices on a circle of radius `r`
/// metres such that every chord stays within `max_error` metres of the arc
/// (the sagitta `r·(1 − cos(Δθ/2))` equals the error). Chords lie inside the
/// circle, so polygons never claim more than the exact circle.
pub fn vertex_step(r: f64, max_error: f64) -> f64 {
    let e = max_error.clamp(1e-6, r);
    let step = 2.0 * (1.0 - e / r).clamp(-1.0, 1.0).acos();
    // At least 8 vertices per full circle even for a huge error budget.
    step.min(TAU / 8.0)
}

/// Vertices of the arc of the circle around `center` from angle `a` to `b`
/// (radians, counter-clockwise from east, `b ≥ a`), excluding the end point,
/// which is the start of whatever follows.
pub fn push_arc(out: &mut Vec<[f64; 2]>, center: [f64; 2], r: f64, a: f64, b: f64, step: f64) {
    let n = ((b - a) / step).ceil().max(1.0) as usize;
    let d = (b - a) / n as f64;
    for k in 0..n {
        out.push(destination(center, a + d * k as f64, r));
    }
}

/// A whole geodesic circle as a closed, counter-clockwise ring.
pub fn circle_ring(center: [f64; 2], r: f64, max_error: f64) -> Vec<[f64; 2]> {
    let mut ring = Vec::new();
    push_arc(&mut ring, center, r, 0.0, TAU, vertex_step(r, max_error));
    ring.push(ring[0]);
    ring
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geodesy::geodesic_distance_m;

    #[test]
    fn vertex_count_follows_the_error_budget() {
        let coarse = circle_ring([-48.5, -27.6], 300.0, 2.0).len();
        let fine = circle_ring([-48.5, -27.6], 300.0, 0.1).len();
        let big = circle_ring([-48.5, -27.6], 2_000.0, 0.5).len();
        let small = circle_ring([-48.5, -27.6], 300.0, 0.5).len();
        assert!(fine > coarse * 3, "{fine} vs {coarse}");
        assert!(big > small * 2, "{big} vs {small}");
    }

    #[test]
    fn vertices_are_on_the_geodesic_circle_and_chords_within_the_error() {
        let c = [-48.5, -27.6];
        let r = 300.0;
        let ring = circle_ring(c, r, 0.5);
        for w in ring.windows(2) {
            assert!((geodesic_distance_m(c, w[0]) - r).abs() < 1e-3);
            let mid = [(w[0][0] + w[1][0]) / 2.0, (w[0][1] + w[1][1]) / 2.0];
            let sag = r - geodesic_distance_m(c, mid);
            assert!((0.0..=0.5).contains(&sag), "sagitta {sag}");
        }
    }
}
