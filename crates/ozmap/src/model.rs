//! The OZmap records we read, keeping only what coverage needs. Every field
//! is optional and loosely typed (see [`crate::flex`]); unknown fields are
//! ignored.

use crate::flex::{as_bool, bool_opt, coords_opt, f64_opt, ref_opt};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A box (`/boxes`) or a building (`/buildings`): something with a position
/// that can hold splitters and switches.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct Place {
    #[serde(default, deserialize_with = "ref_opt")]
    pub id: Option<String>,
    #[serde(default, rename = "_id", deserialize_with = "ref_opt", skip_serializing)]
    pub underscore_id: Option<String>,
    #[serde(default, deserialize_with = "name_opt")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "coords_opt")]
    pub coords: Option<[f64; 2]>,
    #[serde(default, deserialize_with = "f64_opt")]
    pub lng: Option<f64>,
    #[serde(default, deserialize_with = "f64_opt")]
    pub lat: Option<f64>,
    #[serde(default, deserialize_with = "bool_opt")]
    pub draft: Option<bool>,
    #[serde(default, deserialize_with = "bool_opt")]
    pub implanted: Option<bool>,
    #[serde(default, deserialize_with = "bool_opt")]
    pub certified: Option<bool>,
}

fn name_opt<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

impl Place {
    /// `id`, or `_id` where `id` is missing.
    pub fn key(&self) -> Option<&str> {
        self.id.as_deref().or(self.underscore_id.as_deref())
    }

    /// `coords` first (the source of truth), else the derived `lng`/`lat`;
    /// `None` unless finite and in range.
    pub fn position(&self) -> Option<[f64; 2]> {
        let p = self.coords.or(match (self.lng, self.lat) {
            (Some(lng), Some(lat)) => Some([lng, lat]),
            _ => None,
        })?;
        let ok = p[0].is_finite() && p[1].is_finite() && p[0].abs() <= 180.0 && p[1].abs() <= 90.0 && p != [0.0, 0.0];
        ok.then_some(p)
    }
}

/// A splitter (`/splitters`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Splitter {
    #[serde(default, deserialize_with = "ref_opt")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "ref_opt")]
    pub parent: Option<String>,
    #[serde(default, rename = "isDrop", deserialize_with = "bool_opt")]
    pub is_drop: Option<bool>,
    #[serde(default)]
    pub connectables: Value,
    #[serde(default)]
    pub ports: Value,
    #[serde(default)]
    pub ratio: Value,
}

impl Splitter {
    /// Free output ports: empty slot (`connectables.output[k] == null`) and
    /// not blocked (`ports[k].blocked`). `None` when OZmap did not say.
    pub fn free_ports(&self) -> Option<usize> {
        let outputs = self.connectables.get("output").and_then(Value::as_array);
        let ports = self.ports.as_array();
        let n = outputs.map(Vec::len).or_else(|| ports.map(Vec::len)).or_else(|| {
            self.ratio
                .get("output")
                .and_then(crate::flex::as_f64)
                .map(|x| x.max(0.0) as usize)
        })?;
        Some(
            (0..n)
                .filter(|&k| outputs.and_then(|o| o.get(k)).is_none_or(Value::is_null))
                .filter(|&k| {
                    let blocked = ports
                        .and_then(|p| p.get(k))
                        .and_then(|p| p.get("blocked"))
                        .and_then(as_bool);
                    blocked != Some(true)
                })
                .count(),
        )
    }
}

/// A switch (`/switches`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Switch {
    #[serde(default, deserialize_with = "ref_opt")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "ref_opt")]
    pub parent: Option<String>,
    #[serde(default)]
    pub connectables: Value,
}

impl Switch {
    /// Ports with nothing plugged in; `None` when OZmap did not say.
    pub fn free_ports(&self) -> Option<usize> {
        let c = self.connectables.as_array()?;
        Some(c.iter().filter(|v| v.is_null()).count())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_documented_box_reads() {
        let b: Place = serde_json::from_value(json!({
            "id": "66a1f0c2e4b0a1b2c3d4e501", "kind": "Box", "name": "CTO-CENTRO-014",
            "coords": [-48.54912, -27.59603], "lng": -48.54912, "lat": -27.59603,
            "project": {"id": "65f0aa10e4b0a1b2c3d40001", "name": "Centro"},
            "implanted": true, "draft": false, "certified": false, "unknown": {"deep": [1]}
        }))
        .unwrap();
        assert_eq!(b.key(), Some("66a1f0c2e4b0a1b2c3d4e501"));
        assert_eq!(b.position(), Some([-48.54912, -27.59603]));
        assert_eq!(b.draft, Some(false));
    }

    #[test]
    fn loose_boxes_read_too() {
        let b: Place = serde_json::from_value(json!({
            "_id": "x1", "coords": null, "lng": "-48.5", "lat": "-27.6", "draft": "false", "implanted": 1
        }))
        .unwrap();
        assert_eq!(b.key(), Some("x1"));
        assert_eq!(b.position(), Some([-48.5, -27.6]));
        assert_eq!(b.implanted, Some(true));
        let bad: Place = serde_json::from_value(json!({"id": "x", "coords": [200, 10], "lng": null})).unwrap();
        assert_eq!(bad.position(), None);
        let none: Place = serde_json::from_value(json!({"id": "x"})).unwrap();
        assert_eq!(none.position(), None);
    }

    #[test]
    fn splitter_free_ports_follow_connectables_and_blocked() {
        let s: Splitter = serde_json::from_value(json!({
            "id": "s", "parent": {"id": "b"}, "isDrop": true,
            "connectables": {"input": ["f"], "output": ["f1", null, null, null]},
            "ports": [{"blocked": false}, {"blocked": false}, {"blocked": true}, {}]
        }))
        .unwrap();
        assert_eq!(s.parent.as_deref(), Some("b"));
        assert_eq!(s.free_ports(), Some(2));
        let full: Splitter = serde_json::from_value(json!({"connectables": {"output": ["a", "b"]}})).unwrap();
        assert_eq!(full.free_ports(), Some(0));
        let unknown: Splitter = serde_json::from_value(json!({"id": "s"})).unwrap();
        assert_eq!(unknown.free_ports(), None);
        let by_ratio: Splitter = serde_json::from_value(json!({"ratio": {"input": 1, "output": "8"}})).unwrap();
        assert_eq!(by_ratio.free_ports(), Some(8));
    }

    #[test]
    fn switch_free_ports() {
        let s: Switch =
            serde_json::from_value(json!({"parent": "b", "connectables": [null, "x", null, null]})).unwrap();
        assert_eq!(s.free_ports(), Some(3));
    }
}
