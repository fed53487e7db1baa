//! Reading request bodies with a size bound and clear errors.

use crate::error::error;
use serde::de::DeserializeOwned;
use worker::{Request, Response, Result};

/// The JSON body, or the error response to send.
pub async fn json<T: DeserializeOwned>(
    req: &mut Request,
    max_bytes: usize,
) -> Result<std::result::Result<T, Response>> {
    let declared = req
        .headers()
        .get("Content-Length")?
        .and_then(|l| l.parse::<usize>().ok());
    if declared.is_some_and(|l| l > max_bytes) {
        return Ok(Err(error(
            413,
            "body_too_large",
            &format!("the body must be at most {max_bytes} bytes"),
        )?));
    }
    let bytes = req.bytes().await?;
    if bytes.len() > max_bytes {
        return Ok(Err(error(
            413,
            "body_too_large",
            &format!("the body must be at most {max_bytes} bytes"),
        )?));
    }
    if bytes.is_empty() {
        return Ok(Err(error(400, "invalid_json", "a JSON body is required")?));
    }
    match serde_json::from_slice(&bytes) {
        Ok(v) => Ok(Ok(v)),
        Err(e) => Ok(Err(error(
            400,
            "invalid_json",
            &format!("the body is not valid JSON for this route: {e}"),
        )?)),
    }
}
