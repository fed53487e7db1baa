//! Coverage areas of a fibre network: the union of geodesic circles of one
//! radius around eligible elements, its statistics, an exact point index and
//! the fixed cells the edge reads.
//!
//! Plain Rust with no I/O, threads or clocks, so it runs natively, in the
//! Worker and in the browser alike.

pub mod cell;
pub mod circle;
pub mod codec;
pub mod diff;
pub mod element;
pub mod geodesy;
pub mod grid;
pub mod input;
pub mod lookup;
pub mod nearest_table;
pub mod stats;
pub mod synth;
pub mod union;

pub use element::{check_elements, check_query, PointError, Radius, RadiusError};
pub use lookup::{Answer, PointIndex};
pub use stats::CoverageStats;

use geo::MultiPolygon;

/// Default maximum distance between the polygon boundary and the exact
/// geodesic circles, metres.
pub const DEFAULT_MAX_ERROR_M: f64 = 0.5;

/// A provider's coverage: the published polygon, its statistics and the
/// exact index for point queries.
#[derive(Debug, Clone)]
pub struct Coverage {
    pub polygon: MultiPolygon<f64>,
    pub stats: CoverageStats,
    pub index: PointIndex,
}

/// Why a coverage could not be built.
#[derive(Debug, Clone, PartialEq)]
pub enum BuildError {
    Point(PointError),
    Radius(RadiusError),
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Point(e) => e.fmt(f),
            Self::Radius(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for BuildError {}

/// The MultiPolygon of a stored GeoJSON Feature (or bare geometry), if it
/// is one.
pub fn parse_multipolygon(text: &str) -> Option<MultiPolygon<f64>> {
    let gj: geojson::GeoJson = text.parse().ok()?;
    let geometry = match gj {
        geojson::GeoJson::Feature(f) => f.geometry?,
        geojson::GeoJson::Geometry(g) => g,
        geojson::GeoJson::FeatureCollection(_) => return None,
    };
    MultiPolygon::try_from(geometry).ok()
}

impl Coverage {
    /// Builds the coverage of `points` (`[lng, lat]` degrees) at `radius_m`.
    pub fn build(points: &[[f64; 2]], radius_m: f64, max_error_m: f64) -> Result<Self, BuildError> {
        let radius = Radius::new(radius_m).map_err(BuildError::Radius)?;
        let elements = check_elements(points).map_err(BuildError::Point)?;
        let polygon = union::union_of_circles(&elements, radius.metres(), max_error_m);
        let stats = CoverageStats::of(&polygon, elements.len());
        let index = PointIndex::new(elements, radius);
        Ok(Self { polygon, stats, index })
    }

    /// The polygon as a GeoJSON Feature carrying the statistics as properties.
    pub fn to_feature(&self) -> geojson::Feature {
        let geometry = geojson::Geometry::from(&self.polygon);
        let properties = match serde_json::to_value(&self.stats) {
            Ok(serde_json::Value::Object(m)) => Some(m),
            _ => None,
        };
        geojson::Feature {
            bbox: None,
            geometry: Some(geometry),
            id: None,
            properties,
            foreign_members: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn features_round_trip_through_geojson_text() {
        let c = Coverage::build(&[[-48.5, -27.6], [-48.4, -27.6]], 300.0, 0.5).unwrap();
        let text = c.to_feature().to_string();
        assert_eq!(parse_multipolygon(&text), Some(c.polygon));
        assert_eq!(parse_multipolygon("{}"), None);
    }
}
