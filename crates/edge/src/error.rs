//! API errors: `{"error": {"code", "message"[, "fields"]}}` with a 4xx/5xx status.

use serde::Serialize;
use std::collections::BTreeMap;
use worker::{Response, Result};

#[derive(Serialize)]
struct Body<'a> {
    error: Detail<'a>,
}

#[derive(Serialize)]
struct Detail<'a> {
    code: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    fields: Option<&'a BTreeMap<&'static str, String>>,
}

/// A JSON error response.
pub fn error(status: u16, code: &str, message: &str) -> Result<Response> {
    Ok(Response::from_json(&Body {
        error: Detail {
            code,
            message,
            fields: None,
        },
    })?
    .with_status(status))
}

/// 400 with a message per invalid field.
pub fn invalid_fields(fields: &BTreeMap<&'static str, String>) -> Result<Response> {
    let message = "some fields are invalid; see `fields`";
    Ok(Response::from_json(&Body {
        error: Detail {
            code: "validation_failed",
            message,
            fields: Some(fields),
        },
    })?
    .with_status(400))
}
