//! OZmap filter evaluation: `[{property, operator, value}, …]`, combined with
//! AND; a nested array is an OR group (our assumption: unknown 5 of
//! ozmap-api.md). Dotted properties walk into objects, and a reference
//! matches by its id whether it is a string or an embedded object.
//!
//! The spatial operators work on a `[lng, lat]` property such as `coords`:
//! `near` keeps rows within `radius` metres (geodesic) of a point given in
//! any shape the SDK accepts; without a radius it keeps every positioned row
//! (OZmap would also sort them by distance; the mock keeps its own order).
//! `within` keeps rows inside a GeoJSON `Polygon`; its `{id, model}` form
//! needs project and region areas, which the mock does not have.

use geo::{Contains, Point, Polygon};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub enum FilterError {
    NotAnArray,
    BadCondition(usize),
    UnknownOperator(String),
    /// `filter[i]`'s value does not fit its operator.
    BadValue(usize, &'static str),
}

impl std::fmt::Display for FilterError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotAnArray => write!(f, "filter must be a JSON array"),
            Self::BadCondition(i) => write!(f, "filter[{i}] must have property and operator"),
            Self::UnknownOperator(o) => write!(f, "unknown filter operator {o:?}"),
            Self::BadValue(i, want) => write!(f, "filter[{i}].value must be {want}"),
        }
    }
}

fn get<'a>(row: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(row, |v, k| v.get(k))
}

/// A value as compared: references collapse to their id.
fn norm(v: &Value) -> &Value {
    match v {
        Value::Object(o) => o.get("id").unwrap_or(v),
        _ => v,
    }
}

/// Numbers, or strings holding one (OZmap's examples send "-23.07").
fn num(v: &Value) -> Option<f64> {
    v.as_f64().or_else(|| v.as_str()?.trim().parse().ok())
}

fn loose_eq(a: &Value, b: &Value) -> bool {
    let (a, b) = (norm(a), norm(b));
    a == b || matches!((num(a), num(b)), (Some(x), Some(y)) if x == y)
}

fn cmp(a: &Value, b: &Value) -> Option<std::cmp::Ordering> {
    match (norm(a), norm(b)) {
        (Value::String(x), Value::String(y)) if num(a).is_none() || num(b).is_none() => Some(x.cmp(y)),
        (x, y) => num(x)?.partial_cmp(&num(y)?),
    }
}

/// A condition's property, operator and value; the value is checked against
/// its operator only by [`validate`], once, not for every row.
fn check_condition(c: &Value, i: usize) -> Result<(&str, &str, &Value), FilterError> {
    let prop = c
        .get("property")
        .and_then(Value::as_str)
        .ok_or(FilterError::BadCondition(i))?;
    let op = c
        .get("operator")
        .and_then(Value::as_str)
        .ok_or(FilterError::BadCondition(i))?;
    const OPS: [&str; 13] = [
        "=", "!=", "<", "<=", ">", ">=", "in", "notin", "like", "exists", "all", "near", "within",
    ];
    if !OPS.contains(&op) {
        return Err(FilterError::UnknownOperator(op.to_string()));
    }
    Ok((prop, op, c.get("value").unwrap_or(&Value::Null)))
}

fn check_value(op: &str, value: &Value, i: usize) -> Result<(), FilterError> {
    match op {
        "near" if near_value(value).is_none() => Err(FilterError::BadValue(
            i,
            "a point ({lat, lng}, {latitude, longitude}, {coords} or {coordinates}) with an optional radius in metres",
        )),
        "within" if polygon_value(value).is_none() => Err(FilterError::BadValue(
            i,
            "a GeoJSON Polygon (the {id, model} form needs project areas, which the mock does not have)",
        )),
        _ => Ok(()),
    }
}

/// A `[lng, lat]` pair of numbers or numeric strings, in range.
fn position(v: &Value) -> Option<[f64; 2]> {
    let a = v.as_array()?;
    in_range([num(a.first()?)?, num(a.get(1)?)?])
}

fn in_range(p: [f64; 2]) -> Option<[f64; 2]> {
    (p[0].abs() <= 180.0 && p[1].abs() <= 90.0).then_some(p)
}

/// `near`'s centre and radius (`None`: no limit).
fn near_value(v: &Value) -> Option<([f64; 2], Option<f64>)> {
    let lng = v.get("lng").or_else(|| v.get("longitude"));
    let lat = v.get("lat").or_else(|| v.get("latitude"));
    let centre = match (lng, lat) {
        (Some(lng), Some(lat)) => in_range([num(lng)?, num(lat)?])?,
        _ => position(v.get("coords").or_else(|| v.get("coordinates"))?)?,
    };
    match v.get("radius") {
        None | Some(Value::Null) => Some((centre, None)),
        Some(r) => num(r).filter(|r| *r >= 0.0).map(|r| (centre, Some(r))),
    }
}

/// `within`'s polygon, read by the `geojson` crate.
fn polygon_value(v: &Value) -> Option<Polygon> {
    let g: geojson::Geometry = serde_json::from_value(v.clone()).ok()?;
    Polygon::try_from(&g.value).ok()
}

/// Validates a filter once, so a bad one is a 400 and not a silent mismatch.
pub fn validate(filter: &Value) -> Result<(), FilterError> {
    let items = filter.as_array().ok_or(FilterError::NotAnArray)?;
    for (i, c) in items.iter().enumerate() {
        match c {
            Value::Array(_) => validate(c)?,
            _ => {
                let (_, op, value) = check_condition(c, i)?;
                check_value(op, value, i)?;
            }
        }
    }
    Ok(())
}

fn condition(row: &Value, c: &Value) -> bool {
    let Ok((prop, op, want)) = check_condition(c, 0) else {
        return false;
    };
    let have = get(row, prop);
    let list = || want.as_array().map(Vec::as_slice).unwrap_or(&[]);
    match op {
        "=" => have.is_some_and(|h| loose_eq(h, want)) || (have.is_none() && want.is_null()),
        "!=" => !have.is_some_and(|h| loose_eq(h, want)),
        "<" => have.and_then(|h| cmp(h, want)).is_some_and(|o| o.is_lt()),
        "<=" => have.and_then(|h| cmp(h, want)).is_some_and(|o| o.is_le()),
        ">" => have.and_then(|h| cmp(h, want)).is_some_and(|o| o.is_gt()),
        ">=" => have.and_then(|h| cmp(h, want)).is_some_and(|o| o.is_ge()),
        "in" => have.is_some_and(|h| list().iter().any(|w| loose_eq(h, w))),
        "notin" => !have.is_some_and(|h| list().iter().any(|w| loose_eq(h, w))),
        "all" => have
            .and_then(Value::as_array)
            .is_some_and(|hs| list().iter().all(|w| hs.iter().any(|h| loose_eq(h, w)))),
        "exists" => have.is_some_and(|h| !h.is_null()) == want.as_bool().unwrap_or(true),
        "near" => match (have.and_then(position), near_value(want)) {
            (Some(p), Some((centre, radius))) => {
                radius.is_none_or(|r| coverage::geodesy::geodesic_distance_m(p, centre) <= r)
            }
            _ => false,
        },
        "within" => match (have.and_then(position), polygon_value(want)) {
            (Some([lng, lat]), Some(area)) => area.contains(&Point::new(lng, lat)),
            _ => false,
        },
        "like" => {
            let needle = want.as_str().unwrap_or("").to_lowercase().replace('%', "");
            have.and_then(Value::as_str)
                .is_some_and(|h| h.to_lowercase().contains(&needle))
        }
        _ => false,
    }
}

/// Does `row` pass an (already validated) filter?
pub fn matches(row: &Value, filter: &Value) -> bool {
    filter.as_array().is_none_or(|items| {
        items.iter().all(|c| match c {
            Value::Array(group) => group.iter().any(|g| match g {
                Value::Array(_) => matches(row, g),
                _ => condition(row, g),
            }),
            _ => condition(row, c),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn operators() {
        let row = json!({"isDrop": true, "parent": {"id": "b1"}, "name": "CTO-Centro", "n": 5, "tags": ["a", "b"]});
        let t = |f: Value| matches(&row, &f);
        assert!(t(json!([{"property": "isDrop", "operator": "=", "value": true}])));
        assert!(!t(json!([{"property": "isDrop", "operator": "!=", "value": true}])));
        assert!(t(
            json!([{"property": "parent", "operator": "in", "value": ["b0", "b1"]}])
        ));
        assert!(t(json!([{"property": "parent", "operator": "notin", "value": ["b0"]}])));
        assert!(t(json!([{"property": "name", "operator": "like", "value": "centro"}])));
        assert!(t(json!([{"property": "n", "operator": ">=", "value": "5"}])));
        assert!(t(json!([{"property": "tags", "operator": "all", "value": ["a"]}])));
        assert!(t(
            json!([{"property": "missing", "operator": "exists", "value": false}])
        ));
        assert!(t(
            json!([[{"property": "n", "operator": "=", "value": 1}, {"property": "n", "operator": "=", "value": 5}]])
        ));
        assert!(!t(
            json!([{"property": "n", "operator": "=", "value": 5}, {"property": "isDrop", "operator": "=", "value": false}])
        ));
    }

    #[test]
    fn spatial_operators() {
        // ~111 m north of the centre, as OZmap's coords: [lng, lat].
        let row = json!({"coords": [-48.55, -27.589], "lng": -48.55, "lat": -27.589});
        let t = |op: &str, v: Value| matches(&row, &json!([{"property": "coords", "operator": op, "value": v}]));
        assert!(t("near", json!({"lat": "-27.59", "lng": "-48.55", "radius": 120})));
        assert!(!t("near", json!({"lat": -27.59, "lng": -48.55, "radius": 100})));
        assert!(t(
            "near",
            json!({"latitude": -27.59, "longitude": -48.55, "radius": 120})
        ));
        assert!(t("near", json!({"coords": [-48.55, -27.59], "radius": 120})));
        assert!(
            t("near", json!({"coordinates": [-48.55, -27.59]})),
            "no radius: no limit"
        );
        let square = |lat0: f64| json!({"type": "Polygon", "coordinates": [[[-48.56, lat0], [-48.54, lat0], [-48.54, lat0 + 0.01], [-48.56, lat0 + 0.01], [-48.56, lat0]]]});
        assert!(t("within", square(-27.595)));
        assert!(!t("within", square(-27.6)));
        let unplaced = json!({"coords": null});
        assert!(!matches(
            &unplaced,
            &json!([{"property": "coords", "operator": "near", "value": {"lat": 0, "lng": 0}}])
        ));
    }

    #[test]
    fn bad_filters_are_refused() {
        assert_eq!(validate(&json!({})), Err(FilterError::NotAnArray));
        assert_eq!(validate(&json!([{"operator": "="}])), Err(FilterError::BadCondition(0)));
        assert!(matches!(
            validate(&json!([{"property": "a", "operator": "~"}])),
            Err(FilterError::UnknownOperator(_))
        ));
        for (op, v) in [
            ("near", json!({"lat": 91, "lng": 0})),
            ("near", json!({"lat": 0, "lng": 0, "radius": -1})),
            ("near", json!("here")),
            ("within", json!({"id": "p1", "model": "project"})),
            ("within", json!({"type": "Point", "coordinates": [0, 0]})),
        ] {
            assert!(
                matches!(
                    validate(&json!([{"property": "coords", "operator": op, "value": v}])),
                    Err(FilterError::BadValue(0, _))
                ),
                "{op} {v}"
            );
        }
    }
}
