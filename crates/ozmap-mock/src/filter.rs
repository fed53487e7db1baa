//! OZmap filter evaluation: `[{property, operator, value}, …]`, combined with
//! AND; a nested array is an OR group (our assumption: unknown 5 of
//! ozmap-api.md). Dotted properties walk into objects, and a reference
//! matches by its id whether it is a string or an embedded object.

use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub enum FilterError {
    NotAnArray,
    BadCondition(usize),
    UnknownOperator(String),
}

impl std::fmt::Display for FilterError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotAnArray => write!(f, "filter must be a JSON array"),
            Self::BadCondition(i) => write!(f, "filter[{i}] must have property and operator"),
            Self::UnknownOperator(o) => write!(f, "unknown filter operator {o:?}"),
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

fn check_condition(c: &Value, i: usize) -> Result<(&str, &str, &Value), FilterError> {
    let prop = c
        .get("property")
        .and_then(Value::as_str)
        .ok_or(FilterError::BadCondition(i))?;
    let op = c
        .get("operator")
        .and_then(Value::as_str)
        .ok_or(FilterError::BadCondition(i))?;
    const OPS: [&str; 11] = ["=", "!=", "<", "<=", ">", ">=", "in", "notin", "like", "exists", "all"];
    if !OPS.contains(&op) {
        return Err(FilterError::UnknownOperator(op.to_string()));
    }
    Ok((prop, op, c.get("value").unwrap_or(&Value::Null)))
}

/// Validates a filter once, so a bad one is a 400 and not a silent mismatch.
pub fn validate(filter: &Value) -> Result<(), FilterError> {
    let items = filter.as_array().ok_or(FilterError::NotAnArray)?;
    for (i, c) in items.iter().enumerate() {
        match c {
            Value::Array(_) => validate(c)?,
            _ => {
                check_condition(c, i)?;
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
    fn bad_filters_are_refused() {
        assert_eq!(validate(&json!({})), Err(FilterError::NotAnArray));
        assert_eq!(validate(&json!([{"operator": "="}])), Err(FilterError::BadCondition(0)));
        assert!(matches!(
            validate(&json!([{"property": "a", "operator": "~"}])),
            Err(FilterError::UnknownOperator(_))
        ));
    }
}
