//! A uniform latitude/longitude bucket grid over element positions, with
//! cells at least `cell_m` metres on a side, answering "which elements may lie
//! within d metres of this point?" by visiting a few buckets.
//!
//! Why hand-written rather than an R-tree (`rstar`, which `geo` uses): every
//! query here has the same small radius, and a flat grid answers it with a
//! few array reads over contiguous memory, several times faster than a tree
//! walk, which is what makes the 100 ns lookup goal reachable. Rows are
//! latitude bands; each row has its own column width so buckets stay
//! roughly square, and columns wrap at the antimeridian. Buckets are stored
//! densely per row between the row's first and last occupied column (cache
//! friendly: neighbouring buckets are neighbouring memory), or in a hash map
//! when the elements sprawl so much that the dense rows would be mostly empty.

use crate::geodesy::{reach_box_deg, MIN_M_PER_DEG_LAT, M_PER_DEG_LNG_EQUATOR};
use rustc_hash::FxHashMap;

#[derive(Debug, Clone)]
enum Buckets {
    /// Per row (from `row_min`): first occupied column, column count, and the
    /// base into `starts`, where bucket c spans `starts[base+c]..starts[base+c+1]`;
    /// `cols` caches the row's column count.
    Dense {
        row_min: i64,
        rows: Vec<(i64, u32, u32)>,
        cols: Vec<i64>,
        starts: Vec<u32>,
    },
    Hashed(FxHashMap<u64, (u32, u32)>),
}

#[derive(Debug, Clone)]
pub struct Grid {
    dlat: f64,
    rows: i64,
    /// Element positions sorted by bucket, `[lng, lat]`.
    points: Vec<[f64; 2]>,
    buckets: Buckets,
}

impl Grid {
    /// Builds a grid of `points` whose buckets are at least `cell_m` metres wide.
    pub fn new(points: &[[f64; 2]], cell_m: f64) -> Self {
        let dlat = (cell_m / MIN_M_PER_DEG_LAT).clamp(1e-6, 180.0);
        let rows = (180.0 / dlat).ceil() as i64;
        let mut grid = Self {
            dlat,
            rows,
            points: Vec::new(),
            buckets: Buckets::Hashed(FxHashMap::default()),
        };
        let mut keyed: Vec<(i64, i64, u32)> = points
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let row = grid.row_of(p[1]);
                (row, Self::col_of(p[0], grid.cols_of(row)), i as u32)
            })
            .collect();
        keyed.sort_unstable();
        grid.points = keyed.iter().map(|&(_, _, i)| points[i as usize]).collect();
        // Runs of equal (row, col).
        let mut runs: Vec<(i64, i64, u32, u32)> = Vec::new();
        for (k, &(r, c, _)) in keyed.iter().enumerate() {
            match runs.last_mut() {
                Some(last) if last.0 == r && last.1 == c => last.3 = k as u32 + 1,
                _ => runs.push((r, c, k as u32, k as u32 + 1)),
            }
        }
        let (Some(first), Some(last)) = (runs.first(), runs.last()) else {
            return grid;
        };
        let (row_min, row_max) = (first.0, last.0);
        // Dense size: every row from its first to its last occupied column.
        let mut span: Vec<(i64, i64)> = vec![(i64::MAX, i64::MIN); (row_max - row_min + 1) as usize];
        for &(r, c, _, _) in &runs {
            let s = &mut span[(r - row_min) as usize];
            *s = (s.0.min(c), s.1.max(c));
        }
        let dense: u64 = span
            .iter()
            .map(|&(a, b)| if a <= b { (b - a + 2) as u64 } else { 0 })
            .sum();
        if dense > 16 * points.len() as u64 + 4_096 {
            grid.buckets = Buckets::Hashed(runs.iter().map(|&(r, c, s, e)| (Self::key(r, c), (s, e))).collect());
            return grid;
        }
        let mut rows_v = Vec::with_capacity(span.len());
        let mut starts: Vec<u32> = Vec::with_capacity(dense as usize);
        let mut next_run = 0;
        for (i, &(a, b)) in span.iter().enumerate() {
            let r = row_min + i as i64;
            if a > b {
                rows_v.push((0, 0, 0));
                continue;
            }
            rows_v.push((a, (b - a + 1) as u32, starts.len() as u32));
            // Fill bucket starts for columns a..=b+1 from the runs of this row.
            let mut at = runs[next_run].2;
            for c in a..=b {
                starts.push(at);
                if next_run < runs.len() && runs[next_run].0 == r && runs[next_run].1 == c {
                    at = runs[next_run].3;
                    next_run += 1;
                }
            }
            starts.push(at);
        }
        let cols = (row_min..=row_max).map(|r| grid.cols_of(r)).collect();
        grid.buckets = Buckets::Dense {
            row_min,
            rows: rows_v,
            cols,
            starts,
        };
        grid
    }

    pub fn len(&self) -> usize {
        self.points.len()
    }

    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    #[inline]
    fn row_of(&self, lat: f64) -> i64 {
        // Non-negative before the cast, so truncation is floor.
        (((lat + 90.0) / self.dlat).max(0.0) as i64).min(self.rows - 1)
    }

    /// Number of columns in a row: as many as keep buckets at least as wide as tall.
    #[inline]
    fn cols_of(&self, row: i64) -> i64 {
        cols_in_row(self.dlat, row)
    }

    fn col_of(lng: f64, cols: i64) -> i64 {
        (((lng + 180.0) / 360.0 * cols as f64).floor() as i64).rem_euclid(cols)
    }

    fn key(row: i64, col: i64) -> u64 {
        ((row as u64) << 32) | (col as u64 & 0xffff_ffff)
    }

    #[inline]
    fn bucket(&self, row: i64, col: i64) -> Option<(u32, u32)> {
        match &self.buckets {
            Buckets::Dense {
                row_min, rows, starts, ..
            } => {
                let &(first, count, base) = rows.get(usize::try_from(row - row_min).ok()?)?;
                let c = usize::try_from(col - first).ok().filter(|&c| c < count as usize)?;
                let b = base as usize + c;
                Some((starts[b], starts[b + 1]))
            }
            Buckets::Hashed(map) => map.get(&Self::key(row, col)).copied(),
        }
    }

    /// Calls `f(position)` for every element that may lie within `dist`
    /// metres of `p` (a superset; the caller tests the distance).
    #[inline]
    pub fn for_each_near(&self, p: [f64; 2], dist: f64, mut f: impl FnMut([f64; 2])) {
        if self.points.is_empty() {
            return;
        }
        let (dlat, dlng) = reach_box_deg(p[1], dist);
        let r0 = self.row_of(p[1] - dlat);
        let r1 = self.row_of(p[1] + dlat);
        let (r0, r1) = match &self.buckets {
            // Rows outside the occupied band hold nothing.
            Buckets::Dense { row_min, rows, .. } => (r0.max(*row_min), r1.min(row_min + rows.len() as i64 - 1)),
            Buckets::Hashed(_) => (r0, r1),
        };
        for row in r0..=r1 {
            let cols = match &self.buckets {
                Buckets::Dense { row_min, cols, .. } => cols[(row - row_min) as usize],
                Buckets::Hashed(_) => self.cols_of(row),
            };
            let (c0, c1) = match dlng {
                Some(w) if (2.0 * w / 360.0 * cols as f64) < (cols - 1) as f64 => {
                    let lo = ((p[0] - w + 180.0) / 360.0 * cols as f64).floor() as i64;
                    let hi = ((p[0] + w + 180.0) / 360.0 * cols as f64).floor() as i64;
                    (lo, hi)
                }
                _ => (0, cols - 1),
            };
            for c in c0..=c1 {
                let col = if c < 0 || c >= cols { c.rem_euclid(cols) } else { c };
                if let Some((s, e)) = self.bucket(row, col) {
                    for q in &self.points[s as usize..e as usize] {
                        f(*q);
                    }
                }
            }
        }
    }
}

/// Columns of row `row` of a grid with rows `dlat` degrees tall: as many as
/// keep buckets at least as wide as tall, measured at the row's poleward edge.
pub(crate) fn cols_in_row(dlat: f64, row: i64) -> i64 {
    let lat_lo = -90.0 + row as f64 * dlat;
    let max_abs = lat_lo.abs().max((lat_lo + dlat).abs()).min(90.0);
    let width_m_per_deg = M_PER_DEG_LNG_EQUATOR * max_abs.to_radians().cos();
    let dlng = dlat * MIN_M_PER_DEG_LAT / width_m_per_deg.max(1e-9);
    ((360.0 / dlng).floor() as i64).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geodesy::{destination, distance_m};

    #[test]
    fn finds_every_element_within_reach_including_across_the_antimeridian() {
        let centre = [179.9995, -16.0];
        let mut pts = Vec::new();
        for k in 0..72 {
            let theta = (k as f64 * 5.0).to_radians();
            pts.push(destination(centre, theta, 150.0 + k as f64 * 10.0));
        }
        let grid = Grid::new(&pts, 300.0);
        for probe in [centre, pts[3], pts[40]] {
            let mut seen = Vec::new();
            grid.for_each_near(probe, 600.0, |q| seen.push(q));
            for (i, p) in pts.iter().enumerate() {
                if distance_m(probe, *p) <= 600.0 {
                    assert!(seen.contains(p), "missed element {i} near {probe:?}");
                }
            }
        }
    }

    #[test]
    fn dense_and_hashed_layouts_answer_alike() {
        // A compact city is dense; the same points plus far outliers spread
        // over the globe fall back to the hash map.
        let city = crate::synth::city(3_000, 4);
        let mut sprawl = city.clone();
        sprawl.extend([[120.0, 40.0], [-70.0, -33.0], [10.0, 50.0], [179.9, 0.0], [-179.9, 0.0]]);
        let dense = Grid::new(&city, 75.0);
        let hashed = Grid::new(&sprawl, 75.0);
        assert!(matches!(dense.buckets, Buckets::Dense { .. }));
        assert!(matches!(hashed.buckets, Buckets::Hashed(_)));
        let mut rng = crate::synth::Rng::new(1);
        for _ in 0..2_000 {
            let e = city[(rng.next_u64() % city.len() as u64) as usize];
            let p = destination(e, rng.range(0.0, 6.0), rng.range(0.0, 400.0));
            let collect = |g: &Grid| {
                let mut v = Vec::new();
                g.for_each_near(p, 300.0, |q| {
                    if distance_m(p, q) <= 300.0 {
                        v.push(q);
                    }
                });
                v.sort_by(|a, b| a[0].total_cmp(&b[0]).then(a[1].total_cmp(&b[1])));
                v
            };
            let want: Vec<[f64; 2]> = {
                let mut v: Vec<_> = city.iter().copied().filter(|q| distance_m(p, *q) <= 300.0).collect();
                v.sort_by(|a, b| a[0].total_cmp(&b[0]).then(a[1].total_cmp(&b[1])));
                v
            };
            assert_eq!(collect(&dense), want);
            assert_eq!(collect(&hashed), want);
        }
    }

    #[test]
    fn near_the_pole_rows_hold_all_longitudes() {
        let pts = [[-170.0, 84.99], [10.0, 84.99]];
        let grid = Grid::new(&pts, 1_000.0);
        let mut n = 0;
        grid.for_each_near([100.0, 84.995], 1_200_000.0, |_| n += 1);
        assert_eq!(n, 2);
    }
}
