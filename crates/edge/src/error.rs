//! API errors: `{"error": {"code", "message"}}` with a 4xx/5xx status.

use serde::Serialize;
use worker::{Response, Result};

#[derive(Serialize)]
struct Body<'a> {
    error: Detail<'a>,
}

#[derive(Serialize)]
struct Detail<'a> {
    code: &'a str,
    message: &'a str,
}

/// A JSON error response.
pub fn error(status: u16, code: &str, message: &str) -> Result<Response> {
    Ok(Response::from_json(&Body {
        error: Detail { code, message },
    })?
    .with_status(status))
}
