//! Lenient field decoders: OZmap answers are typed loosely (numbers as
//! strings, booleans as 0/1, references as ids or embedded objects, nulls
//! anywhere). A value we cannot read becomes `None` rather than failing the
//! whole page; eligibility then says what was missing.

use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// `true`, `"true"`, `1`, `"1"` → Some(true); null or anything else → None.
pub fn bool_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(as_bool(&Value::deserialize(d)?))
}

pub fn as_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => n.as_f64().map(|x| x != 0.0),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "sim" => Some(true),
            "false" | "0" | "no" | "não" | "nao" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// Numbers or numeric strings.
pub fn as_f64(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().replace(',', ".").parse().ok(),
        _ => None,
    }
}

pub fn f64_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    Ok(as_f64(&Value::deserialize(d)?))
}

/// `[lng, lat]` with numbers or numeric strings; a GeoJSON Point object too.
pub fn coords_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<[f64; 2]>, D::Error> {
    let v = Value::deserialize(d)?;
    let arr = match &v {
        Value::Array(a) => Some(a),
        Value::Object(o) => o.get("coordinates").and_then(Value::as_array),
        _ => None,
    };
    Ok(arr.and_then(|a| Some([as_f64(a.first()?)?, as_f64(a.get(1)?)?])))
}

/// A reference: an id string, or an embedded object with `id` or `_id`.
pub fn as_ref_id(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Object(o) => o.get("id").or_else(|| o.get("_id")).and_then(as_ref_id),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

pub fn ref_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(as_ref_id(&Value::deserialize(d)?))
}

/// A list that may be missing or null.
pub fn vec_or_empty<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_loose_values() {
        assert_eq!(as_bool(&json!("true")), Some(true));
        assert_eq!(as_bool(&json!(0)), Some(false));
        assert_eq!(as_bool(&json!(null)), None);
        assert_eq!(as_f64(&json!("-27,5")), Some(-27.5));
        assert_eq!(as_f64(&json!("x")), None);
        assert_eq!(as_ref_id(&json!({"_id": "abc"})), Some("abc".into()));
        assert_eq!(as_ref_id(&json!({"id": {"id": "n"}})), Some("n".into()));
        assert_eq!(as_ref_id(&json!("")), None);
    }
}
