//! What changed between two versions of a coverage: elements added and
//! removed, and the area gained and lost (geodesic km², through an exact
//! polygon intersection by `geo`'s boolean operations).

use geo::{BooleanOps, GeodesicArea, MultiPolygon};
use rustc_hash::FxHashSet;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Diff {
    pub elements_added: usize,
    pub elements_removed: usize,
    pub area_gained_km2: f64,
    pub area_lost_km2: f64,
}

fn key(p: &[f64; 2]) -> (i64, i64) {
    // 1e-7° ≈ 1 cm: the same pole read twice is the same element.
    ((p[0] * 1e7).round() as i64, (p[1] * 1e7).round() as i64)
}

fn area_km2(m: &MultiPolygon<f64>) -> f64 {
    m.0.iter().map(|p| p.geodesic_area_unsigned()).fold(0.0, |a, b| a + b) / 1e6
}

pub fn diff(old: (&MultiPolygon<f64>, &[[f64; 2]]), new: (&MultiPolygon<f64>, &[[f64; 2]])) -> Diff {
    let old_keys: FxHashSet<_> = old.1.iter().map(key).collect();
    let new_keys: FxHashSet<_> = new.1.iter().map(key).collect();
    let (a_old, a_new) = (area_km2(old.0), area_km2(new.0));
    let common = if old.0 .0.is_empty() || new.0 .0.is_empty() {
        0.0
    } else {
        area_km2(&old.0.intersection(new.0))
    };
    Diff {
        elements_added: new_keys.difference(&old_keys).count(),
        elements_removed: old_keys.difference(&new_keys).count(),
        area_gained_km2: (a_new - common).max(0.0),
        area_lost_km2: (a_old - common).max(0.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geodesy::destination;
    use crate::Coverage;

    #[test]
    fn moving_one_of_two_elements_gains_and_loses_the_same_area() {
        let a = [-48.55, -27.6];
        let b = destination(a, 0.0, 2_000.0);
        let c = destination(a, std::f64::consts::PI, 2_000.0);
        let old = Coverage::build(&[a, b], 300.0, 0.5).unwrap();
        let new = Coverage::build(&[a, c], 300.0, 0.5).unwrap();
        let d = diff(
            (&old.polygon, old.index.elements()),
            (&new.polygon, new.index.elements()),
        );
        assert_eq!((d.elements_added, d.elements_removed), (1, 1));
        let circle = std::f64::consts::PI * 0.09;
        assert!((d.area_gained_km2 - circle).abs() < 0.003, "{d:?}");
        assert!((d.area_lost_km2 - circle).abs() < 0.003, "{d:?}");
        let same = diff(
            (&old.polygon, old.index.elements()),
            (&old.polygon, old.index.elements()),
        );
        assert_eq!((same.elements_added, same.elements_removed), (0, 0));
        assert!(same.area_gained_km2 < 1e-6 && same.area_lost_km2 < 1e-6, "{same:?}");
    }
}
