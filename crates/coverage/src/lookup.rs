//! Exact point queries: a point is covered exactly when some element lies
//! within the radius, by geodesic distance. No polygon is involved, so the
//! answer has no approximation band beyond the distance formula's sub-millimetre
//! error (see `geodesy`).

use crate::element::Radius;
use crate::geodesy::{distance_m, local_offset_m, LocalFrame, LOCAL_LIMIT_M};
use crate::grid::Grid;
use crate::nearest_table::NearestTable;
use serde::{Deserialize, Serialize};

/// The answer for one point.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Answer {
    pub covered: bool,
    /// Geodesic distance to the nearest element, metres; `None` with no elements.
    pub distance_m: Option<f64>,
}

const BUCKETS_PER_RADIUS: f64 = 4.0;
/// Buckets of the nearest table: r/2. Measured on the city sets, r/3 is as
/// fast at 100k and slower at 500k, r/4 slower at both: smaller buckets hold
/// fewer candidates but make the table larger, and memory misses dominate.
const TABLE_BUCKETS_PER_RADIUS: f64 = 2.0;

/// Elements of one coverage, indexed for "covered?" and "how far?".
#[derive(Debug, Clone)]
pub struct PointIndex {
    elements: Vec<[f64; 2]>,
    radius: f64,
    grid: Grid,
    /// Built on the first query (see `nearest_table`); `None` inside when
    /// the elements sprawl too much for it.
    table: std::sync::OnceLock<Option<NearestTable>>,
}

impl PointIndex {
    /// Indexes checked element positions (see [`crate::check_elements`]).
    pub fn new(elements: Vec<[f64; 2]>, radius: Radius) -> Self {
        // Buckets of r/4: most covered points find their nearest element in
        // the first, small search box (see `nearest_within_radius`).
        let grid = Grid::new(&elements, radius.metres() / BUCKETS_PER_RADIUS);
        Self {
            elements,
            radius: radius.metres(),
            grid,
            table: std::sync::OnceLock::new(),
        }
    }

    pub fn elements(&self) -> &[[f64; 2]] {
        &self.elements
    }

    pub fn radius_m(&self) -> f64 {
        self.radius
    }

    /// Distance to the nearest element within the radius, if any.
    ///
    /// Searches boxes of growing reach (r/4, r/2, r): once the nearest
    /// element seen lies within the current reach, no element outside the
    /// box can be nearer, so the answer is exact without scanning to r.
    #[inline]
    pub fn nearest_within_radius(&self, p: [f64; 2]) -> Option<f64> {
        let table = self.table.get_or_init(|| {
            let bucket = self.radius / TABLE_BUCKETS_PER_RADIUS;
            NearestTable::build(
                &self.elements,
                self.radius,
                bucket,
                |c, limit| self.staged(c, limit),
                &self.grid,
            )
        });
        if let Some(t) = table {
            let frame = LocalFrame::new(p);
            let best = t.nearest_d2(p, &frame);
            return (best <= self.radius * self.radius).then(|| best.sqrt());
        }
        self.staged(p, self.radius)
    }

    /// Distance to the nearest element within `limit`, by grid search.
    fn staged(&self, p: [f64; 2], limit: f64) -> Option<f64> {
        let frame = LocalFrame::new(p);
        let mut reach = (self.radius / BUCKETS_PER_RADIUS).min(limit);
        loop {
            let mut best = f64::INFINITY;
            self.grid.for_each_near(p, reach, |e| best = best.min(frame.d2(e)));
            if best <= reach * reach {
                return Some(best.sqrt());
            }
            if reach >= limit {
                return None;
            }
            reach = (reach * 2.0).min(limit);
        }
    }

    /// Covered, and the distance to the nearest element wherever it is.
    pub fn query(&self, p: [f64; 2]) -> Answer {
        if let Some(d) = self.nearest_within_radius(p) {
            return Answer {
                covered: true,
                distance_m: Some(d),
            };
        }
        Answer {
            covered: false,
            distance_m: self.nearest_anywhere(p),
        }
    }

    /// Nearest element at any distance: widening grid searches while the
    /// local formula holds, then the exact geodesic over every element.
    fn nearest_anywhere(&self, p: [f64; 2]) -> Option<f64> {
        if self.elements.is_empty() {
            return None;
        }
        let mut reach = self.radius * 4.0;
        while reach <= LOCAL_LIMIT_M {
            let mut best = f64::INFINITY;
            self.grid.for_each_near(p, reach, |e| {
                let (dx, dy) = local_offset_m(p, e);
                best = best.min(dx * dx + dy * dy);
            });
            if best <= reach * reach {
                return Some(best.sqrt());
            }
            reach *= 4.0;
        }
        self.elements.iter().map(|e| distance_m(p, *e)).min_by(f64::total_cmp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geodesy::{destination, geodesic_distance_m};

    #[test]
    fn covered_exactly_at_the_radius_by_geodesic_distance() {
        let c = [-48.5, -27.6];
        let idx = PointIndex::new(vec![c], Radius::new(300.0).expect("ok"));
        for k in 0..36 {
            let t = (k as f64 * 10.0).to_radians();
            let inside = destination(c, t, 299.99);
            let outside = destination(c, t, 300.01);
            assert!(idx.query(inside).covered, "{inside:?}");
            assert!(!idx.query(outside).covered, "{outside:?}");
            let d = idx.query(outside).distance_m.expect("one element");
            assert!((d - geodesic_distance_m(c, outside)).abs() < 1e-3);
        }
    }

    #[test]
    fn the_bucket_table_answers_exactly_like_the_grid_search() {
        // Pruning's slack grows with latitude (see `nearest_table`): far north too.
        for (centre, r) in [
            (None, 50.0),
            (None, 300.0),
            (None, 1_500.0),
            (Some([10.75, 59.9]), 300.0),
            (Some([25.0, 79.0]), 2_000.0),
            (Some([25.0, 79.0]), 10_000.0),
        ] {
            let city = centre.map_or_else(
                || crate::synth::city(5_000, 9),
                |c| crate::synth::city_around(c, 5_000, 9),
            );
            let idx = PointIndex::new(crate::check_elements(&city).unwrap(), Radius::new(r).unwrap());
            let mut rng = crate::synth::Rng::new(2);
            for _ in 0..20_000 {
                let e = city[(rng.next_u64() % city.len() as u64) as usize];
                let p = destination(e, rng.range(0.0, std::f64::consts::TAU), rng.range(0.0, 3.0 * r));
                let (a, b) = (idx.nearest_within_radius(p), idx.staged(p, r));
                // The table keeps offsets as f32 (sub-millimetre); a point
                // within a millimetre of the radius may fall either way.
                if b.is_some_and(|b| (b - r).abs() < 1e-3) {
                    continue;
                }
                assert_eq!(a.is_some(), b.is_some(), "{p:?} r={r}: {a:?} vs {b:?}");
                if let (Some(a), Some(b)) = (a, b) {
                    assert!((a - b).abs() < 1e-3, "{a} vs {b}");
                }
            }
            // Small radii make buckets too many for the table: the grid search answers.
            assert_eq!(
                idx.table.get().is_some_and(Option::is_some),
                r >= 50.0,
                "table use at r={r} around {centre:?}"
            );
        }
    }

    #[test]
    fn far_points_get_the_exact_geodesic_distance() {
        let c = [-48.5, -27.6];
        let idx = PointIndex::new(vec![c], Radius::new(300.0).expect("ok"));
        let far = [-43.17, -22.9];
        assert_eq!(idx.query(far).distance_m, Some(geodesic_distance_m(c, far)));
        let empty = PointIndex::new(vec![], Radius::new(300.0).expect("ok"));
        assert_eq!(
            empty.query(far),
            Answer {
                covered: false,
                distance_m: None
            }
        );
    }
}
