//! The HTTP server: OZmap API v2 routes for several ISPs (one API key each),
//! plus an admin API under `/__mock/` that tests use to inject faults and
//! change networks.

use crate::filter;
use crate::network::{Network, NetworkSpec};
use coverage::synth::Rng;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::Read;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tiny_http::{Header, Method, Request, Response, Server};

/// One ISP served by the mock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IspSpec {
    pub key: String,
    pub name: String,
    pub network: NetworkSpec,
}

/// Misbehaviour to inject, per ISP. All off by default.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Delay before every API answer.
    pub latency_ms: u64,
    /// Answer nothing for this long (a client should time out first).
    pub hang_ms: u64,
    /// The next N API requests fail with `fail_status`.
    pub fail_first: u32,
    /// A share of API requests (0..1) fails with `fail_status`.
    pub fail_rate: f64,
    /// Status for the two above (default 503; 429 for rate limiting).
    pub fail_status: u16,
    /// After this many list pages, every request is 401 (a key revoked mid-run).
    pub unauthorized_after_pages: Option<u32>,
    /// Cut every list body in half.
    pub truncate: bool,
    /// An HTML page instead of JSON.
    pub html: bool,
    /// `hasNextPage` is always true: a listing that never ends.
    pub endless: bool,
    /// `nextUrl` always points back to the first page.
    pub next_loop: bool,
    /// Every listing is empty.
    pub empty: bool,
    /// Every coordinate is out of range.
    pub bad_coords: bool,
    /// Old servers: no `hasNextPage`/`nextUrl`, only total/start/count.
    pub legacy_pagination: bool,
}

struct Isp {
    spec: IspSpec,
    net: Network,
    faults: Faults,
    pages_served: u32,
    requests: u64,
    rng: Rng,
}

/// Largest `limit` honoured (OZmap's is undocumented).
pub const MAX_LIMIT: usize = 1_000;
const DEFAULT_LIMIT: usize = 100;

#[derive(Default)]
struct State {
    isps: BTreeMap<String, Isp>,
}

pub struct MockServer {
    pub url: String,
    pub port: u16,
    server: Arc<Server>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl MockServer {
    pub fn stop(self) {
        for _ in &self.threads {
            self.server.unblock();
        }
        for t in self.threads {
            let _ = t.join();
        }
    }
}

/// Starts the mock on `addr` (e.g. `127.0.0.1:0`) with these ISPs.
pub fn start(addr: &str, isps: Vec<IspSpec>) -> std::io::Result<MockServer> {
    let listener = std::net::TcpListener::bind(addr)?;
    // tiny_http writes a response's head and body separately; with Nagle on,
    // a kept-alive client's delayed ACK costs 40 ms per request. Accepted
    // sockets inherit TCP_NODELAY from the listener on Linux.
    socket2::SockRef::from(&listener).set_tcp_nodelay(true)?;
    let server = Arc::new(Server::from_listener(listener, None).map_err(std::io::Error::other)?);
    let port = server.server_addr().to_ip().map(|a| a.port()).unwrap_or(0);
    let mut state = State::default();
    for spec in isps {
        let net = Network::generate(&spec.network);
        let rng = Rng::new(spec.network.seed);
        state.isps.insert(
            spec.key.clone(),
            Isp {
                spec,
                net,
                faults: Faults::default(),
                pages_served: 0,
                requests: 0,
                rng,
            },
        );
    }
    let state = Arc::new(Mutex::new(state));
    // Enough threads that hung requests do not starve the others.
    let threads = (0..16)
        .map(|_| {
            let (server, state) = (server.clone(), state.clone());
            std::thread::spawn(move || {
                while let Ok(req) = server.recv() {
                    handle(req, &state);
                }
            })
        })
        .collect();
    Ok(MockServer {
        url: format!("http://127.0.0.1:{port}"),
        port,
        server,
        threads,
    })
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(|p| p.into_inner())
}

struct Answer {
    status: u16,
    body: Vec<u8>,
    content_type: &'static str,
    delay_ms: u64,
}

fn json_answer(status: u16, v: &Value) -> Answer {
    Answer {
        status,
        body: serde_json::to_vec(v).unwrap_or_default(),
        content_type: "application/json; charset=utf-8",
        delay_ms: 0,
    }
}

fn error(status: u16, message: &str) -> Answer {
    json_answer(status, &json!({"message": message, "error": message}))
}

fn handle(mut req: Request, state: &Mutex<State>) {
    let mut body = String::new();
    let _ = req.as_reader().take(1 << 20).read_to_string(&mut body);
    let auth = req
        .headers()
        .iter()
        .find(|h| h.field.equiv("Authorization"))
        .map(|h| h.value.as_str().to_string());
    let url = url::Url::parse(&format!("http://mock{}", req.url())).ok();
    let answer = match url {
        Some(u) => route(req.method(), &u, auth.as_deref(), &body, state),
        None => error(400, "bad request line"),
    };
    if answer.delay_ms > 0 {
        std::thread::sleep(Duration::from_millis(answer.delay_ms));
    }
    let mut res = Response::from_data(answer.body).with_status_code(answer.status);
    if let Ok(h) = Header::from_bytes("Content-Type", answer.content_type) {
        res = res.with_header(h);
    }
    let _ = req.respond(res);
}

fn query(u: &url::Url, k: &str) -> Option<String> {
    u.query_pairs().find(|(q, _)| q == k).map(|(_, v)| v.into_owned())
}

fn route(method: &Method, u: &url::Url, auth: Option<&str>, body: &str, state: &Mutex<State>) -> Answer {
    let segs: Vec<&str> = u
        .path()
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    match (method, segs.as_slice()) {
        (Method::Get, ["healthz"]) => json_answer(200, &json!({"ok": true})),
        (_, ["__mock", rest @ ..]) => admin(method, rest, u, body, state),
        (_, ["api", "v2", rest @ ..]) => api(method, rest, u, auth, body, state),
        _ => error(404, "Not Found"),
    }
}

fn admin(method: &Method, rest: &[&str], u: &url::Url, body: &str, state: &Mutex<State>) -> Answer {
    let mut st = lock(state);
    match (method, rest) {
        (Method::Get, ["isps"]) => {
            let list: Vec<Value> = st
                .isps
                .values()
                .map(|i| json!({"key": i.spec.key, "name": i.spec.name, "network": i.spec.network, "boxes": i.net.boxes.len(), "buildings": i.net.buildings.len()}))
                .collect();
            json_answer(200, &json!(list))
        }
        (_, ["isps", key, what]) => {
            let Some(isp) = st.isps.get_mut(*key) else {
                return error(404, "no such ISP");
            };
            match (method, *what) {
                (Method::Put, "faults") => match serde_json::from_str::<Faults>(body) {
                    Ok(f) => {
                        isp.faults = f;
                        isp.pages_served = 0;
                        json_answer(200, &json!(isp.faults))
                    }
                    Err(e) => error(400, &e.to_string()),
                },
                (Method::Put, "network") => {
                    let mut spec = serde_json::to_value(&isp.spec.network).unwrap_or_default();
                    if let (Ok(Value::Object(patch)), Some(obj)) =
                        (serde_json::from_str::<Value>(body), spec.as_object_mut())
                    {
                        obj.extend(patch);
                    }
                    match serde_json::from_value::<NetworkSpec>(spec) {
                        Ok(s) => {
                            isp.net = Network::generate(&s);
                            isp.spec.network = s;
                            json_answer(200, &json!(isp.spec))
                        }
                        Err(e) => error(400, &e.to_string()),
                    }
                }
                (Method::Post, "drop-half") => {
                    isp.net.drop_half();
                    json_answer(
                        200,
                        &json!({"boxes": isp.net.boxes.len(), "buildings": isp.net.buildings.len()}),
                    )
                }
                (Method::Get, "expected") => {
                    let strict = query(u, "require_free_port").is_some_and(|v| v == "true");
                    json_answer(200, &json!({"points": isp.net.expected(strict)}))
                }
                (Method::Get, "requests") => {
                    json_answer(200, &json!({"requests": isp.requests, "pages": isp.pages_served}))
                }
                _ => error(404, "no such admin route"),
            }
        }
        _ => error(404, "no such admin route"),
    }
}

fn api(method: &Method, rest: &[&str], u: &url::Url, auth: Option<&str>, body: &str, state: &Mutex<State>) -> Answer {
    let mut st = lock(state);
    let key = auth.map(|a| a.trim().strip_prefix("Bearer ").unwrap_or(a.trim()).to_string());
    let Some(isp) = key.as_deref().and_then(|k| st.isps.get_mut(k)) else {
        return error(401, "Unauthorized");
    };
    isp.requests += 1;
    let f = isp.faults.clone();
    let delay = f.latency_ms.max(f.hang_ms);
    let mut answer = api_answer(isp, method, rest, u, body, &f);
    answer.delay_ms = delay;
    answer
}

fn api_answer(isp: &mut Isp, method: &Method, rest: &[&str], u: &url::Url, body: &str, f: &Faults) -> Answer {
    if f.unauthorized_after_pages.is_some_and(|n| isp.pages_served >= n) {
        return error(401, "Unauthorized");
    }
    if isp.faults.fail_first > 0 {
        isp.faults.fail_first -= 1;
        return error(
            if f.fail_status == 0 { 503 } else { f.fail_status },
            "Service Unavailable",
        );
    }
    if f.fail_rate > 0.0 && isp.rng.f64() < f.fail_rate {
        return error(
            if f.fail_status == 0 { 503 } else { f.fail_status },
            "Service Unavailable",
        );
    }
    if f.html {
        return Answer {
            status: 200,
            body: b"<!doctype html><html><body>OZmap</body></html>".to_vec(),
            content_type: "text/html",
            delay_ms: 0,
        };
    }
    match (method, rest) {
        (Method::Get, ["authenticated"]) => json_answer(200, &json!({"authenticated": true, "name": isp.spec.name})),
        (Method::Get, [route]) => list(isp, route, u, body, f),
        (Method::Get, [route, id]) => match isp.net.route(route) {
            Some(rows) => match rows.iter().find(|r| r["id"] == *id) {
                Some(r) => json_answer(200, r),
                None => error(404, "Not Found"),
            },
            None => error(404, "Not Found"),
        },
        _ => error(404, "Not Found"),
    }
}

fn list(isp: &mut Isp, route: &str, u: &url::Url, body: &str, f: &Faults) -> Answer {
    let Some(all) = isp.net.route(route) else {
        return error(404, "Not Found");
    };
    // The filter comes in the query (curl, our client) or a JSON body (the SDK).
    let body_json: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    let filter = match query(u, "filter") {
        Some(q) => match serde_json::from_str::<Value>(&q) {
            Ok(v) => v,
            Err(e) => return error(400, &format!("filter is not JSON: {e}")),
        },
        None => body_json.get("filter").cloned().unwrap_or(Value::Null),
    };
    if !filter.is_null() {
        if let Err(e) = filter::validate(&filter) {
            return error(400, &e.to_string());
        }
    }
    let rows: Vec<&Value> = if f.empty {
        Vec::new()
    } else {
        all.iter().filter(|r| filter::matches(r, &filter)).collect()
    };
    let limit = match query(u, "limit").and_then(|l| l.parse::<i64>().ok()) {
        Some(l) if l > 0 => (l as usize).min(MAX_LIMIT),
        Some(_) => MAX_LIMIT,
        None => DEFAULT_LIMIT,
    };
    let start = match (query(u, "cursor"), query(u, "page")) {
        (Some(c), _) => c.parse::<usize>().unwrap_or(0),
        (None, Some(p)) => p.parse::<usize>().unwrap_or(1).saturating_sub(1).saturating_mul(limit),
        (None, None) => 0,
    };
    let total = rows.len();
    let page: Vec<Value> = if f.endless && total > 0 {
        (0..limit).map(|k| rows[(start + k) % total].clone()).collect()
    } else {
        rows.iter().skip(start).take(limit).map(|r| (*r).clone()).collect()
    };
    let page: Vec<Value> = if f.bad_coords {
        page.into_iter()
            .map(|mut r| {
                if r.get("coords").is_some() {
                    r["coords"] = json!([181.0, -91.0]);
                    r["lng"] = json!(181.0);
                    r["lat"] = json!(-91.0);
                }
                r
            })
            .collect()
    } else {
        page
    };
    isp.pages_served += 1;
    let count = page.len();
    let has_next = f.endless && total > 0 || start + count < total;
    let mut env = json!({"total": total, "count": count, "start": start, "limit": limit, "rows": page});
    if !f.legacy_pagination {
        env["hasNextPage"] = json!(has_next || f.next_loop && count > 0);
        if has_next || f.next_loop && count > 0 {
            let next = if f.next_loop { 0 } else { start + count };
            // A cursor, not a page: the official SDK drops `page` from nextUrl.
            env["nextUrl"] = json!(format!("/api/v2/{route}?cursor={next}&limit={limit}"));
        }
    }
    let mut a = json_answer(200, &env);
    if f.truncate {
        a.body.truncate(a.body.len() / 2);
    }
    a
}
