//! The coverage crate for the browser: the integrations page builds the
//! preview polygon and answers test points with the same code the edge uses.
//!
//! Inputs cross as a flat `Float64Array` of `[lng, lat, lng, lat, …]` (one
//! copy, no per-point JS objects); outputs as plain JS objects through
//! serde-wasm-bindgen. Bad input is a thrown JS `Error`, never a panic.

use coverage::{Coverage, DEFAULT_MAX_ERROR_M};
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(start)]
fn start() {
    console_error_panic_hook::set_once();
}

/// A coverage built in the browser.
#[wasm_bindgen]
pub struct Preview {
    coverage: Coverage,
}

fn to_js<T: Serialize>(v: &T) -> Result<JsValue, JsError> {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&e.to_string()))
}

/// Pairs from a flat coordinate array.
pub fn pairs(flat: &[f64]) -> Result<Vec<[f64; 2]>, String> {
    if !flat.len().is_multiple_of(2) {
        return Err(format!("expected [lng, lat] pairs, got {} numbers", flat.len()));
    }
    Ok(flat.chunks_exact(2).map(|c| [c[0], c[1]]).collect())
}

#[wasm_bindgen]
impl Preview {
    /// Builds the coverage of `points` (flat lng/lat pairs) at `radius_m`.
    #[wasm_bindgen(constructor)]
    pub fn new(points: &[f64], radius_m: f64) -> Result<Preview, JsError> {
        let pts = pairs(points).map_err(|e| JsError::new(&e))?;
        let coverage =
            Coverage::build(&pts, radius_m, DEFAULT_MAX_ERROR_M).map_err(|e| JsError::new(&e.to_string()))?;
        Ok(Preview { coverage })
    }

    /// The coverage as a GeoJSON Feature with its statistics as properties.
    pub fn feature(&self) -> Result<JsValue, JsError> {
        to_js(&self.coverage.to_feature())
    }

    /// `{elements, area_km2, parts, holes, vertices, bbox}`.
    pub fn stats(&self) -> Result<JsValue, JsError> {
        to_js(&self.coverage.stats)
    }

    /// Distances to the nearest element within the radius for many points
    /// (flat lng/lat pairs), `NaN` where not covered: one boundary crossing
    /// for a whole batch.
    pub fn query_batch(&self, points: &[f64]) -> Result<Vec<f64>, JsError> {
        let pts = pairs(points).map_err(|e| JsError::new(&e))?;
        pts.iter()
            .enumerate()
            .map(|(i, p)| {
                coverage::check_query(i, *p).map_err(|e| JsError::new(&e.to_string()))?;
                Ok(self.coverage.index.nearest_within_radius(*p).unwrap_or(f64::NAN))
            })
            .collect()
    }

    /// `{covered, distance_m}` for one point.
    pub fn query(&self, lng: f64, lat: f64) -> Result<JsValue, JsError> {
        coverage::check_query(0, [lng, lat]).map_err(|e| JsError::new(&e.to_string()))?;
        to_js(&self.coverage.index.query([lng, lat]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_arrays_become_pairs_or_a_clear_error() {
        assert_eq!(pairs(&[1.0, 2.0, 3.0, 4.0]), Ok(vec![[1.0, 2.0], [3.0, 4.0]]));
        assert!(pairs(&[1.0, 2.0, 3.0]).unwrap_err().contains("3 numbers"));
    }
}
