//! Per-bucket candidate lists for the nearest element within the radius: a
//! query reads one bucket and tests its few candidates.
//!
//! For a bucket B with centre c and half-diagonal h, let d_c be the distance
//! from c to its nearest element. For any x in B the nearest element n(x)
//! satisfies d(c, n(x)) ≤ d(c, x) + d(x, n(x)) ≤ h + (h + d_c), and, when
//! it lies within the radius r, d(c, n(x)) ≤ h + r. So the elements within
//! min(d_c + 2h, r + h) of c contain every answer for B: exact, and in a
//! dense network a couple of dozen per bucket. Buckets farther than r + h
//! from every element are empty (not covered).
//!
//! Those candidates are then pruned by dominance: e is dropped when another
//! candidate f is nearer than e by more than δ at all four corners of B. The
//! set {x : d(x, e) − d(x, f) ≥ δ} is convex (the inside of a hyperbola
//! branch around f), so f is then nearer than e everywhere in B and e is
//! never the answer. The test runs in one planar frame at c, whose distances
//! differ from the geodesic ones by at most ρ²(|tan φ| + 0.01)/R within ρ of
//! c; δ is four times that plus a centimetre, so pruning is exact. On the
//! city-like sets it leaves about nine candidates per query (72 bytes), and
//! halves the table, whose memory misses are what a random-order query costs.
//!
//! Built lazily on the first query, so building a coverage does not pay for
//! an index only point queries use.

use crate::geodesy::{radii_of_curvature, wrap_lng_delta, LocalFrame, MIN_M_PER_DEG_LAT, M_PER_DEG_LNG_EQUATOR};
use crate::grid::{cols_in_row, Grid};

/// Above this many buckets per element the table is not worth its memory
/// (sprawling sets); queries then use the staged grid search.
const MAX_BUCKETS_PER_ELEMENT: usize = 48;
/// Slack for the sub-millimetre error of the local distance formula.
const SLACK_M: f64 = 0.01;

#[derive(Debug, Clone)]
pub struct NearestTable {
    dlat: f64,
    row_min: i64,
    /// Per row: column count of the row, first column, columns stored, base into `starts`.
    rows: Vec<(i64, i64, u32, u32)>,
    starts: Vec<u32>,
    /// `[lng, lat]` offsets in degrees from the bucket's centre. As `f32`
    /// they round by a relative 6e-8 of the offset, which stays within
    /// about 2.5 r: 0.05 mm at r = 300 m, 1.5 mm at the 10 km radius limit,
    /// far inside the 1 cm band of the accuracy goal; and they take half
    /// the memory of `f64`, which is the cost of a random-order query.
    candidates: Vec<[f32; 2]>,
}

impl NearestTable {
    /// `None` when the elements sprawl too much for a dense table.
    pub fn build(
        elements: &[[f64; 2]],
        radius: f64,
        bucket_m: f64,
        nearest: impl Fn([f64; 2], f64) -> Option<f64>,
        grid: &Grid,
    ) -> Option<Self> {
        if elements.is_empty() {
            return None;
        }
        let dlat = (bucket_m / MIN_M_PER_DEG_LAT).clamp(1e-6, 180.0);
        let (mut lat0, mut lat1, mut lng0, mut lng1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for e in elements {
            lat0 = lat0.min(e[1]);
            lat1 = lat1.max(e[1]);
            lng0 = lng0.min(e[0]);
            lng1 = lng1.max(e[0]);
        }
        if lng1 - lng0 > 90.0 {
            return None;
        }
        let margin_lat = (radius + 2.0 * bucket_m) / MIN_M_PER_DEG_LAT;
        let row_min = (((lat0 - margin_lat + 90.0) / dlat).floor() as i64).max(0);
        let row_max = (((lat1 + margin_lat + 90.0) / dlat).floor() as i64).min((180.0 / dlat).ceil() as i64 - 1);
        let mut rows = Vec::with_capacity((row_max - row_min + 1) as usize);
        let mut total = 0usize;
        for row in row_min..=row_max {
            let cols = cols_in_row(dlat, row);
            let lat_abs = (-90.0 + (row as f64 + 1.0) * dlat)
                .abs()
                .max((-90.0 + row as f64 * dlat).abs())
                .min(89.999);
            let margin_lng = (radius + 2.0 * bucket_m) / (M_PER_DEG_LNG_EQUATOR * lat_abs.to_radians().cos());
            let c0 = ((lng0 - margin_lng + 180.0) / 360.0 * cols as f64).floor() as i64;
            let c1 = ((lng1 + margin_lng + 180.0) / 360.0 * cols as f64).floor() as i64;
            if c0 < 0 || c1 >= cols {
                return None; // across the antimeridian: leave it to the grid search
            }
            let count = (c1 - c0 + 1) as usize;
            rows.push((cols, c0, count as u32, total as u32));
            total += count + 1;
        }
        if total > MAX_BUCKETS_PER_ELEMENT * elements.len() + 65_536 || total > u32::MAX as usize / 2 {
            return None;
        }
        let mut starts = Vec::with_capacity(total);
        let mut candidates: Vec<[f32; 2]> = Vec::new();
        let (mut near, mut kept) = (Vec::new(), Vec::new());
        for (i, &(cols, c0, count, _)) in rows.iter().enumerate() {
            let row = row_min + i as i64;
            let (lat_lo, lat_hi) = (-90.0 + row as f64 * dlat, -90.0 + (row as f64 + 1.0) * dlat);
            let dlng = 360.0 / cols as f64;
            // Half-diagonal in metres, at the row's wider (equatorward) edge.
            let wide = lat_lo.abs().min(lat_hi.abs()).to_radians().cos();
            let h = 0.5 * ((dlat * 111_700.0).powi(2) + (dlng * M_PER_DEG_LNG_EQUATOR * wide).powi(2)).sqrt();
            for k in 0..count as i64 {
                starts.push(candidates.len() as u32);
                // The same arithmetic as `nearest_d2`, which recomputes the centre.
                let c = [
                    -180.0 + ((c0 + k) as f64 + 0.5) * dlng,
                    -90.0 + (row as f64 + 0.5) * dlat,
                ];
                let Some(dc) = nearest(c, radius + h + SLACK_M) else {
                    continue;
                };
                let reach = (dc + 2.0 * h).min(radius + h) + SLACK_M;
                let frame = LocalFrame::new(c);
                near.clear();
                grid.for_each_near(c, reach, |e| {
                    if frame.d2(e) <= reach * reach {
                        near.push(e);
                    }
                });
                let corners = [[-dlng, lat_lo], [dlng, lat_lo], [-dlng, lat_hi], [dlng, lat_hi]]
                    .map(|[dx, lat]| [c[0] + 0.5 * dx, lat]);
                kept.clear();
                prune_dominated(c, &corners, reach + h, &near, &mut kept);
                candidates.extend(
                    kept.iter()
                        .map(|e| [wrap_lng_delta(e[0] - c[0]) as f32, (e[1] - c[1]) as f32]),
                );
            }
            starts.push(candidates.len() as u32);
        }
        Some(Self {
            dlat,
            row_min,
            rows,
            starts,
            candidates,
        })
    }

    /// The least squared distance (m², in `frame`, the frame of `p`) from
    /// `p` to the candidates of its bucket; infinite when there are none,
    /// which means nothing lies within the radius. Every element that is
    /// the nearest to some point of the bucket and within the radius of it
    /// is a candidate, so below r² this is the exact nearest.
    #[inline]
    pub fn nearest_d2(&self, p: [f64; 2], frame: &LocalFrame) -> f64 {
        let row = ((p[1] + 90.0) / self.dlat).max(0.0) as i64;
        let Some(&(cols, c0, count, base)) = usize::try_from(row - self.row_min).ok().and_then(|i| self.rows.get(i))
        else {
            return f64::INFINITY;
        };
        let dlng = 360.0 / cols as f64;
        let col = ((p[0] + 180.0) / 360.0 * cols as f64).max(0.0) as i64;
        let Some(k) = usize::try_from(col - c0).ok().filter(|&k| k < count as usize) else {
            return f64::INFINITY;
        };
        let b = base as usize + k;
        // p's offset from the bucket centre; candidates are offsets from it too.
        let ox = p[0] - (-180.0 + (col as f64 + 0.5) * dlng);
        let oy = p[1] - (-90.0 + (row as f64 + 0.5) * self.dlat);
        self.candidates[self.starts[b] as usize..self.starts[b + 1] as usize]
            .iter()
            .fold(f64::INFINITY, |best, e| {
                best.min(frame.d2_delta(e[0] as f64 - ox, (e[1] as f64 - oy).to_radians()))
            })
    }
}

/// Pushes the elements of `near` that no other one dominates over the
/// bucket with centre `c` and `corners` (see the module docs); `rho` bounds
/// the distance from `c` of the corners and of every element.
fn prune_dominated(c: [f64; 2], corners: &[[f64; 2]; 4], rho: f64, near: &[[f64; 2]], out: &mut Vec<[f64; 2]>) {
    let lat = c[1].to_radians();
    let (m, n) = radii_of_curvature(lat);
    let delta = 4.0 * rho * rho * (lat.tan().abs() + 0.01) / m.min(n) + SLACK_M;
    prune_with_delta(c, corners, delta, near, out);
}

/// [`prune_dominated`] with a given δ.
fn prune_with_delta(c: [f64; 2], corners: &[[f64; 2]; 4], delta: f64, near: &[[f64; 2]], out: &mut Vec<[f64; 2]>) {
    if near.len() < 2 {
        out.extend_from_slice(near);
        return;
    }
    let lat = c[1].to_radians();
    let (m, n) = radii_of_curvature(lat);
    let kx = n * lat.cos();
    let plane = |p: [f64; 2]| {
        [
            wrap_lng_delta(p[0] - c[0]).to_radians() * kx,
            (p[1] - c[1]).to_radians() * m,
        ]
    };
    let corners = corners.map(plane);
    // Distances from each element to the four corners, in the plane at c.
    let dist: Vec<[f64; 4]> = near
        .iter()
        .map(|e| {
            let [x, y] = plane(*e);
            corners.map(|k| (k[0] - x).hypot(k[1] - y))
        })
        .collect();
    for (i, di) in dist.iter().enumerate() {
        let dominated = dist
            .iter()
            .enumerate()
            .any(|(j, dj)| j != i && (0..4).all(|k| di[k] - dj[k] >= delta));
        if !dominated {
            out.push(near[i]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geodesy::destination;
    use std::f64::consts::PI;

    /// Near-ties where the planar frame at the bucket centre is furthest
    /// from the geodesic distances (high latitude, the 10 km radius limit):
    /// an element nearer than its rival at some point of the bucket, by as
    /// little as 5 mm, is always kept. Without the slack δ this fails.
    #[test]
    fn pruning_keeps_every_element_that_wins_somewhere_in_the_bucket() {
        let c = [25.0, 80.0];
        let (dlat, dlng) = (
            5_000.0 / MIN_M_PER_DEG_LAT,
            5_000.0 / MIN_M_PER_DEG_LAT / 80f64.to_radians().cos(),
        );
        let corners = [[-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0], [1.0, 1.0]]
            .map(|[sx, sy]| [c[0] + 0.5 * sx * dlng, c[1] + 0.5 * sy * dlat]);
        let mut rng = crate::synth::Rng::new(11);
        let mut kept_by_slack_only = 0;
        for k in 0..2_000 {
            // A corner of the bucket, a rival inward of it, and an element
            // outward that is 5 mm nearer to the corner: the bisector just
            // clips the corner, the hardest case for the corner test.
            let [sx, sy] = [[-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0], [1.0, 1.0]][k % 4];
            let x = corners[k % 4];
            let outward = f64::atan2(sy, sx);
            let fx = rng.range(100.0, 10_000.0);
            let f = destination(x, outward + PI + rng.range(-0.3, 0.3), fx);
            let e = destination(x, outward + rng.range(-0.3, 0.3), fx - 0.005);
            let frame = LocalFrame::new(x);
            assert!(frame.d2(e).sqrt() < frame.d2(f).sqrt(), "e is the nearer at x");
            let rho = 16_000.0;
            let mut out = Vec::new();
            prune_dominated(c, &corners, rho, &[f, e], &mut out);
            assert!(out.contains(&e), "e wins at {x:?} but was pruned");
            // Would the plain planar test (δ = 0) have dropped it?
            let mut plain = Vec::new();
            prune_with_delta(c, &corners, 0.0, &[f, e], &mut plain);
            kept_by_slack_only += usize::from(!plain.contains(&e));
        }
        assert!(kept_by_slack_only > 0, "the cases exercise the slack");
    }
}
