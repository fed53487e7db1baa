//! OZmap filters: a JSON array of `{property, operator, value}` conditions,
//! combined with AND, sent in the URL (`?filter=`) as OZmap's curl examples do.

use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Condition {
    pub property: String,
    pub operator: String,
    pub value: Value,
}

impl Condition {
    pub fn new(property: &str, operator: &str, value: impl Into<Value>) -> Self {
        Self {
            property: property.into(),
            operator: operator.into(),
            value: value.into(),
        }
    }

    pub fn eq(property: &str, value: impl Into<Value>) -> Self {
        Self::new(property, "=", value)
    }
}

/// The filter as it goes into the query string.
pub fn to_query(filter: &[Condition]) -> String {
    serde_json::to_string(filter).unwrap_or_else(|_| "[]".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_like_ozmap_examples() {
        let f = [
            Condition::eq("isDrop", true),
            Condition::new("parent", "in", vec!["a", "b"]),
        ];
        assert_eq!(
            to_query(&f),
            r#"[{"property":"isDrop","operator":"=","value":true},{"property":"parent","operator":"in","value":["a","b"]}]"#
        );
    }
}
