//! Settings and secrets from the Worker environment, read once per request.

use crate::auth::{identify, AuthError, Caller, Secrets};
use crate::refresh_job::Limits;
use ozmap::ClientOptions;
use worker::{Env, Request};

pub struct Settings {
    pub platform_token: String,
    pub lookup_token: String,
    pub session_secret: String,
    pub key_encryption_key: String,
    pub allow_loopback_http: bool,
    pub ozmap_timeout_ms: u64,
    pub client: ClientOptions,
    pub limits: Limits,
    pub lookup_cache_ttl_s: u64,
}

fn secret(env: &Env, name: &str) -> String {
    env.secret(name)
        .map(|s| s.to_string())
        .or_else(|_| env.var(name).map(|v| v.to_string()))
        .unwrap_or_default()
}

fn var<T: std::str::FromStr>(env: &Env, name: &str, default: T) -> T {
    env.var(name)
        .ok()
        .and_then(|v| v.to_string().parse().ok())
        .unwrap_or(default)
}

impl Settings {
    pub fn from_env(env: &Env) -> Self {
        let d = ClientOptions::default();
        let l = Limits::default();
        Self {
            platform_token: secret(env, "PLATFORM_TOKEN"),
            lookup_token: secret(env, "LOOKUP_TOKEN"),
            session_secret: secret(env, "SESSION_SECRET"),
            key_encryption_key: secret(env, "KEY_ENCRYPTION_KEY"),
            allow_loopback_http: var(env, "ALLOW_LOOPBACK_HTTP", false),
            ozmap_timeout_ms: var(env, "OZMAP_TIMEOUT_MS", 30_000),
            client: ClientOptions {
                page_size: var(env, "OZMAP_PAGE_SIZE", d.page_size).clamp(1, 1_000),
                max_pages: var(env, "OZMAP_MAX_PAGES", d.max_pages),
                retries: var(env, "OZMAP_RETRIES", d.retries).min(10),
                backoff_ms: var(env, "OZMAP_BACKOFF_MS", d.backoff_ms),
            },
            limits: Limits {
                pages_per_step: var(env, "PAGES_PER_STEP", l.pages_per_step).max(1),
                cells_per_step: var(env, "CELLS_PER_STEP", l.cells_per_step).max(1),
            },
            lookup_cache_ttl_s: var(env, "LOOKUP_CACHE_TTL_S", 60u64).max(60),
        }
    }

    pub fn caller(&self, req: &Request) -> Result<Caller, AuthError> {
        let header = req.headers().get("Authorization").ok().flatten();
        let secrets = Secrets {
            platform: &self.platform_token,
            lookup: &self.lookup_token,
            session: &self.session_secret,
        };
        identify(header.as_deref(), &secrets, now_ms() as u64 / 1000)
    }
}

pub fn now_ms() -> i64 {
    worker::Date::now().as_millis() as i64
}

/// Random bytes from Web Crypto (`crypto.getRandomValues`).
pub fn random_bytes<const N: usize>() -> [u8; N] {
    use worker::js_sys::{Function, Reflect, Uint8Array};
    use worker::wasm_bindgen::JsCast;
    let mut out = [0u8; N];
    let array = Uint8Array::new_with_length(N as u32);
    let global = worker::js_sys::global();
    let filled = Reflect::get(&global, &"crypto".into())
        .ok()
        .and_then(|crypto| {
            let f: Function = Reflect::get(&crypto, &"getRandomValues".into()).ok()?.dyn_into().ok()?;
            f.call1(&crypto, &array).ok()
        })
        .is_some();
    if filled {
        array.copy_to(&mut out);
    }
    out
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
