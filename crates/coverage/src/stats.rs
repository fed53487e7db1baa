//! Statistics of a coverage polygon.

use geo::{BoundingRect, CoordsIter, GeodesicArea, MultiPolygon};
use serde::{Deserialize, Serialize};

/// What the integrations page and the status endpoint show about a coverage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoverageStats {
    /// Eligible elements after deduplication.
    pub elements: usize,
    /// Geodesic area (Karney, via geo), km².
    pub area_km2: f64,
    /// Polygons of the MultiPolygon.
    pub parts: usize,
    /// Interior rings over all parts.
    pub holes: usize,
    /// Coordinates over all rings (closing vertex included, as stored).
    pub vertices: usize,
    /// `[west, south, east, north]`, absent when empty.
    pub bbox: Option<[f64; 4]>,
}

impl CoverageStats {
    pub fn of(polygon: &MultiPolygon<f64>, elements: usize) -> Self {
        // fold from +0.0: `sum()` of no f64 is -0.0.
        let area_m2 = polygon
            .0
            .iter()
            .map(|p| p.geodesic_area_unsigned())
            .fold(0.0, |a, b| a + b);
        Self {
            elements,
            area_km2: area_m2 / 1e6,
            parts: polygon.0.len(),
            holes: polygon.0.iter().map(|p| p.interiors().len()).sum(),
            vertices: polygon.coords_count(),
            bbox: polygon
                .bounding_rect()
                .map(|r| [r.min().x, r.min().y, r.max().x, r.max().y]),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::Coverage;

    #[test]
    fn one_circle_has_the_area_of_a_circle() {
        let c = Coverage::build(&[[-48.5, -27.6]], 300.0, 0.5).expect("valid input");
        let exact = std::f64::consts::PI * 300.0 * 300.0 / 1e6;
        // Chords lie inside the circle: slightly less, by under 0.5 %.
        assert!(
            c.stats.area_km2 < exact && c.stats.area_km2 > exact * 0.995,
            "{}",
            c.stats.area_km2
        );
        assert_eq!((c.stats.parts, c.stats.holes, c.stats.elements), (1, 0, 1));
        let bbox = c.stats.bbox.expect("non-empty");
        assert!(bbox[0] < -48.5 && bbox[2] > -48.5 && bbox[1] < -27.6 && bbox[3] > -27.6);
    }

    #[test]
    fn empty_coverage_has_no_bbox() {
        let c = Coverage::build(&[], 300.0, 0.5).expect("empty is valid");
        assert_eq!(c.stats.bbox, None);
        assert_eq!(c.stats.area_km2, 0.0);
    }
}
