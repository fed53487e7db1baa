//! HTTP behind a small trait, so the same client runs on the Worker's
//! `fetch` (crates/edge) and natively (`ureq`, feature `native`).

/// One HTTP answer, body already read (and bounded by the implementation).
#[derive(Debug, Clone, PartialEq)]
pub struct HttpResponse {
    pub status: u16,
    pub content_type: Option<String>,
    /// `Retry-After` in seconds, when the server sent one.
    pub retry_after_s: Option<u64>,
    pub body: Vec<u8>,
}

/// Failures below HTTP.
#[derive(Debug, Clone, PartialEq)]
pub enum TransportError {
    Timeout,
    Connect(String),
    /// The body exceeded the implementation's size bound.
    TooLarge,
    Other(String),
}

/// What the OZmap client needs from an HTTP stack.
// Implementations are used generically (never as `dyn`), and the Worker's
// futures are not `Send`, so a plain `async fn` is the right shape.
#[allow(async_fn_in_trait)]
pub trait Http {
    async fn get(&self, url: &str, headers: &[(&str, &str)]) -> Result<HttpResponse, TransportError>;
    /// Waits between retries.
    async fn sleep_ms(&self, ms: u64);
}

/// Largest body accepted from OZmap: far above a 1000-row page.
pub const MAX_BODY_BYTES: u64 = 64 * 1024 * 1024;

#[cfg(feature = "native")]
pub use native::NativeHttp;

#[cfg(feature = "native")]
mod native {
    use super::*;
    use std::time::Duration;

    /// Blocking `ureq` under an async signature: the CLI and tests drive it
    /// with a trivial executor (see `block_on`).
    pub struct NativeHttp {
        agent: ureq::Agent,
    }

    impl NativeHttp {
        pub fn new(timeout: Duration) -> Self {
            let agent = ureq::Agent::config_builder()
                .timeout_global(Some(timeout))
                .http_status_as_error(false)
                .build()
                .into();
            Self { agent }
        }
    }

    impl Http for NativeHttp {
        async fn get(&self, url: &str, headers: &[(&str, &str)]) -> Result<HttpResponse, TransportError> {
            let mut req = self.agent.get(url);
            for (k, v) in headers {
                req = req.header(*k, *v);
            }
            let mut res = req.call().map_err(classify)?;
            let header = |name: &str| {
                res.headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string)
            };
            let content_type = header("content-type");
            let retry_after_s = header("retry-after").and_then(|s| s.trim().parse().ok());
            let status = res.status().as_u16();
            let body = res
                .body_mut()
                .with_config()
                .limit(MAX_BODY_BYTES)
                .read_to_vec()
                .map_err(classify)?;
            Ok(HttpResponse {
                status,
                content_type,
                retry_after_s,
                body,
            })
        }

        async fn sleep_ms(&self, ms: u64) {
            std::thread::sleep(Duration::from_millis(ms));
        }
    }

    fn classify(e: ureq::Error) -> TransportError {
        match e {
            ureq::Error::Timeout(_) => TransportError::Timeout,
            ureq::Error::BodyExceedsLimit(_) => TransportError::TooLarge,
            ureq::Error::ConnectionFailed | ureq::Error::HostNotFound => TransportError::Connect(e.to_string()),
            ureq::Error::Io(io)
                if io.kind() == std::io::ErrorKind::TimedOut || io.kind() == std::io::ErrorKind::WouldBlock =>
            {
                TransportError::Timeout
            }
            ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
                TransportError::Connect(io.to_string())
            }
            other => TransportError::Other(other.to_string()),
        }
    }
}

/// Runs a future whose awaits never pend (blocking native HTTP): enough for
/// the CLI without pulling in an async runtime.
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    use std::task::{Context, Poll, Waker};
    let mut f = std::pin::pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
        std::thread::yield_now();
    }
}
