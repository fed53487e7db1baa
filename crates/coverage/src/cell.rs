//! The fixed world grid the edge reads: cells of 0.01° × 0.01° (about
//! 1.1 km × 1.0 km in Brazil), and the tiling of a provider's elements into the
//! cells they can reach.

use crate::geodesy::{distance_m, reach_box_deg};
use std::collections::BTreeMap;
use std::fmt;

/// Cell size in degrees, both axes.
pub const CELL_DEG: f64 = 0.01;
const ROWS: u32 = 18_000;
const COLS: u32 = 36_000;

/// One cell of the fixed grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CellId {
    pub row: u32,
    pub col: u32,
}

/// A cell key that does not name a cell.
#[derive(Debug, Clone, PartialEq)]
pub struct BadCellKey(pub String);

impl fmt::Display for BadCellKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not a cell key: {:?}", self.0)
    }
}

impl std::error::Error for BadCellKey {}

impl CellId {
    /// The cell holding a `[lng, lat]` point (checked coordinates).
    pub fn of(p: [f64; 2]) -> Self {
        let row = (((p[1] + 90.0) / CELL_DEG).floor() as i64).clamp(0, ROWS as i64 - 1) as u32;
        let col = (((p[0] + 180.0) / CELL_DEG).floor() as i64).rem_euclid(COLS as i64) as u32;
        Self { row, col }
    }

    /// South-west corner `[lng, lat]`.
    pub fn origin(self) -> [f64; 2] {
        [self.col as f64 * CELL_DEG - 180.0, self.row as f64 * CELL_DEG - 90.0]
    }

    /// The key suffix used in KV, `"<row>.<col>"`.
    pub fn key(self) -> String {
        format!("{}.{}", self.row, self.col)
    }

    pub fn parse(key: &str) -> Result<Self, BadCellKey> {
        let bad = || BadCellKey(key.to_string());
        let (r, c) = key.split_once('.').ok_or_else(bad)?;
        let row: u32 = r.parse().map_err(|_| bad())?;
        let col: u32 = c.parse().map_err(|_| bad())?;
        if row >= ROWS || col >= COLS {
            return Err(bad());
        }
        Ok(Self { row, col })
    }

    /// Distance in metres from `p` to the nearest point of this cell (0 inside).
    fn distance_to(self, p: [f64; 2]) -> f64 {
        let o = self.origin();
        let mut dlng = crate::geodesy::wrap_lng_delta(p[0] - o[0]);
        if dlng < -CELL_DEG * 0.5 * COLS as f64 {
            dlng += 360.0;
        }
        let clamped = [o[0] + dlng.clamp(0.0, CELL_DEG), p[1].clamp(o[1], o[1] + CELL_DEG)];
        distance_m(p, clamped)
    }
}

/// For every cell that some element's circle of `radius_m` reaches, the
/// elements that reach it. A lookup in a cell then only tests those.
pub fn tile(elements: &[[f64; 2]], radius_m: f64) -> BTreeMap<CellId, Vec<[f64; 2]>> {
    let mut out: BTreeMap<CellId, Vec<[f64; 2]>> = BTreeMap::new();
    // Slack for the clamped-corner distance at cell scale.
    let reach = radius_m * 1.001 + 1.0;
    for &e in elements {
        let (dlat, dlng) = reach_box_deg(e[1], radius_m);
        let lo = CellId::of([e[0], (e[1] - dlat).max(-90.0)]);
        let hi = CellId::of([e[0], (e[1] + dlat).min(90.0)]);
        let (c0, c1) = match dlng {
            Some(w) => {
                let a = ((e[0] - w + 180.0) / CELL_DEG).floor() as i64;
                let b = ((e[0] + w + 180.0) / CELL_DEG).floor() as i64;
                (a, b.min(a + COLS as i64 - 1))
            }
            None => (0, COLS as i64 - 1),
        };
        for row in lo.row..=hi.row {
            for c in c0..=c1 {
                let id = CellId {
                    row,
                    col: c.rem_euclid(COLS as i64) as u32,
                };
                if id.distance_to(e) <= reach {
                    out.entry(id).or_default().push(e);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geodesy::destination;

    #[test]
    fn keys_round_trip_and_reject_garbage() {
        let id = CellId::of([-48.5482, -27.5949]);
        assert_eq!(CellId::parse(&id.key()), Ok(id));
        for bad in ["", "1", "a.b", "1.2.3", "99999.1", "1.99999", "-1.2"] {
            assert!(CellId::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn every_point_within_reach_finds_its_element_in_its_own_cell() {
        let e = [-48.0001, -27.0001]; // 10 m from a corner of four cells
        let cells = tile(&[e], 300.0);
        assert!(cells.len() >= 4, "{}", cells.len());
        for k in 0..720 {
            let p = destination(e, (k as f64 * 0.5).to_radians(), 299.0 * (k % 7 + 1) as f64 / 7.0);
            let id = CellId::of(p);
            assert!(cells.get(&id).is_some_and(|v| v.contains(&e)), "{p:?} in {id:?}");
        }
    }

    #[test]
    fn antimeridian_cells_wrap() {
        let cells = tile(&[[179.9999, 0.0]], 100.0);
        assert!(cells.keys().any(|c| c.col == 0));
        assert!(cells.keys().any(|c| c.col == COLS - 1));
    }
}
