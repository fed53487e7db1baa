//! The OZmap client's [`Http`] on the Worker's `fetch`, with a deadline per
//! request (fetch has none) enforced by racing an abortable fetch against a
//! timer.

use futures_util::future::{select, Either};
use ozmap::http::MAX_BODY_BYTES;
use ozmap::{Http, HttpResponse, TransportError};
use std::time::Duration;
use worker::{AbortController, AbortSignal, Delay, Fetch, Headers, Method, Request, RequestInit};

pub struct WorkerHttp {
    pub timeout_ms: u64,
}

async fn send(url: &str, headers: &[(&str, &str)], signal: &AbortSignal) -> Result<HttpResponse, TransportError> {
    let h = Headers::new();
    for (k, v) in headers {
        h.set(k, v).map_err(|e| TransportError::Other(e.to_string()))?;
    }
    let mut init = RequestInit::new();
    init.with_method(Method::Get).with_headers(h);
    let req = Request::new_with_init(url, &init).map_err(|e| TransportError::Other(e.to_string()))?;
    let mut res = Fetch::Request(req)
        .send_with_signal(signal)
        .await
        .map_err(|e| TransportError::Connect(e.to_string()))?;
    let header = |n: &str| res.headers().get(n).ok().flatten();
    if header("content-length")
        .and_then(|l| l.parse::<u64>().ok())
        .is_some_and(|l| l > MAX_BODY_BYTES)
    {
        return Err(TransportError::TooLarge);
    }
    let content_type = header("content-type");
    let retry_after_s = header("retry-after").and_then(|s| s.trim().parse().ok());
    let status = res.status_code();
    let body = res.bytes().await.map_err(|e| TransportError::Other(e.to_string()))?;
    if body.len() as u64 > MAX_BODY_BYTES {
        return Err(TransportError::TooLarge);
    }
    Ok(HttpResponse {
        status,
        content_type,
        retry_after_s,
        body,
    })
}

impl Http for WorkerHttp {
    async fn get(&self, url: &str, headers: &[(&str, &str)]) -> Result<HttpResponse, TransportError> {
        let controller = AbortController::default();
        let signal = controller.signal();
        let request = std::pin::pin!(send(url, headers, &signal));
        let deadline = Delay::from(Duration::from_millis(self.timeout_ms));
        match select(request, deadline).await {
            Either::Left((res, _)) => res,
            Either::Right(((), _)) => {
                controller.abort();
                Err(TransportError::Timeout)
            }
        }
    }

    async fn sleep_ms(&self, ms: u64) {
        Delay::from(Duration::from_millis(ms)).await;
    }
}
