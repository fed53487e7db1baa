//! Element and query lists as people hand them over: a JSON array of
//! `[lng, lat]`, or a GeoJSON FeatureCollection of Points.

use std::fmt;

/// Why a points document was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum InputError {
    Json(String),
    NotPoints(String),
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Json(e) => write!(f, "not valid JSON: {e}"),
            Self::NotPoints(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for InputError {}

/// Parses `[[lng, lat], …]` or a FeatureCollection of Points (other
/// positions than 2- or 3-element ones are refused; altitude is ignored).
pub fn parse_points(text: &str) -> Result<Vec<[f64; 2]>, InputError> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| InputError::Json(e.to_string()))?;
    match &value {
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| {
                position(v)
                    .ok_or_else(|| InputError::NotPoints(format!("item {i} is not a [lng, lat] pair of numbers")))
            })
            .collect(),
        serde_json::Value::Object(_) => {
            let gj: geojson::GeoJson = text
                .parse()
                .map_err(|e| InputError::NotPoints(format!("not GeoJSON: {e}")))?;
            let fc = geojson::FeatureCollection::try_from(gj)
                .map_err(|e| InputError::NotPoints(format!("not a FeatureCollection: {e}")))?;
            fc.features
                .iter()
                .enumerate()
                .map(|(i, f)| match f.geometry.as_ref().map(|g| &g.value) {
                    Some(geojson::GeometryValue::Point { coordinates: p }) if p.len() >= 2 => Ok([p[0], p[1]]),
                    _ => Err(InputError::NotPoints(format!("feature {i} is not a Point"))),
                })
                .collect()
        }
        _ => Err(InputError::NotPoints(
            "expected a JSON array of [lng, lat] or a FeatureCollection of Points".into(),
        )),
    }
}

fn position(v: &serde_json::Value) -> Option<[f64; 2]> {
    let a = v.as_array()?;
    if !(2..=3).contains(&a.len()) {
        return None;
    }
    Some([a[0].as_f64()?, a[1].as_f64()?])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_arrays_and_feature_collections() {
        assert_eq!(parse_points("[[1,2],[3.5,-4,100]]"), Ok(vec![[1.0, 2.0], [3.5, -4.0]]));
        let fc = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[-48.5,-27.6]}}]}"#;
        assert_eq!(parse_points(fc), Ok(vec![[-48.5, -27.6]]));
    }

    #[test]
    fn names_what_is_wrong() {
        assert!(matches!(parse_points("[[1,2"), Err(InputError::Json(_))));
        assert_eq!(
            parse_points(r#"[[1,2],["a",2]]"#).unwrap_err().to_string(),
            "item 1 is not a [lng, lat] pair of numbers"
        );
        assert_eq!(
            parse_points("[[1]]").unwrap_err().to_string(),
            "item 0 is not a [lng, lat] pair of numbers"
        );
        let line = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"LineString","coordinates":[[0,0],[1,1]]}}]}"#;
        assert_eq!(parse_points(line).unwrap_err().to_string(), "feature 0 is not a Point");
        assert!(parse_points("42").is_err());
    }
}
