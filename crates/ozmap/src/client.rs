//! The OZmap client: authentication, retries with backoff, status-code
//! classification, and listing of the four routes coverage needs.

use crate::base_url::BaseUrl;
use crate::error::{At, OzmapError};
use crate::filter::Condition;
use crate::http::{Http, HttpResponse, TransportError};
use crate::model::{Place, Splitter, Switch};
use crate::pagination::{first, parse_page, Cursor, Page};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ClientOptions {
    /// Rows per page (`limit`).
    pub page_size: u32,
    /// Pages per listing before we give up on a misbehaving server.
    pub max_pages: u32,
    /// Extra attempts after a 5xx, 429, timeout or connection failure.
    pub retries: u32,
    /// First backoff; doubles each retry.
    pub backoff_ms: u64,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            page_size: 500,
            max_pages: 5_000,
            retries: 3,
            backoff_ms: 500,
        }
    }
}

/// The routes we list, and the filter each gets.
pub const BOXES: &str = "boxes";
pub const BUILDINGS: &str = "buildings";
pub const SPLITTERS: &str = "splitters";
pub const SWITCHES: &str = "switches";

/// Server-side filter for a route: only client-facing splitters are needed.
/// (Eligibility checks `isDrop` again, in case a server ignores filters.)
pub fn filter_for(route: &str) -> Vec<Condition> {
    match route {
        SPLITTERS => vec![Condition::eq("isDrop", true)],
        _ => Vec::new(),
    }
}

pub struct Client<H> {
    base: BaseUrl,
    key: String,
    http: H,
    opts: ClientOptions,
}

/// Everything coverage needs from one OZmap.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Network {
    pub boxes: Vec<Place>,
    pub buildings: Vec<Place>,
    pub splitters: Vec<Splitter>,
    pub switches: Vec<Switch>,
}

/// Typed rows of one page; a row that is not an object was already refused.
pub fn typed_rows<T: DeserializeOwned + Default>(rows: Vec<Value>) -> Vec<T> {
    rows.into_iter()
        .map(|r| serde_json::from_value(r).unwrap_or_default())
        .collect()
}

impl<H: Http> Client<H> {
    pub fn new(base: BaseUrl, key: impl Into<String>, http: H, opts: ClientOptions) -> Self {
        Self {
            base,
            key: key.into(),
            http,
            opts,
        }
    }

    pub fn base(&self) -> &BaseUrl {
        &self.base
    }

    /// GET with the raw key, retried with exponential backoff on what may pass.
    async fn get(&self, url: &str, at: &At) -> Result<HttpResponse, OzmapError> {
        let headers = [("Authorization", self.key.as_str()), ("Accept", "application/json")];
        let attempts = self.opts.retries + 1;
        let mut last = None;
        for attempt in 0..attempts {
            if attempt > 0 {
                let backoff = self.opts.backoff_ms.saturating_mul(1 << (attempt - 1).min(16));
                let hinted = match &last {
                    Some(Ok(HttpResponse {
                        retry_after_s: Some(s), ..
                    })) => s.saturating_mul(1000).min(30_000),
                    _ => 0,
                };
                self.http.sleep_ms(backoff.max(hinted)).await;
            }
            let res = self.http.get(url, &headers).await;
            let again = match &res {
                Ok(r) => r.status == 429 || r.status >= 500,
                Err(TransportError::Timeout | TransportError::Connect(_)) => true,
                Err(_) => false,
            };
            if !again {
                return self.classify(res, at);
            }
            last = Some(res);
        }
        match last {
            Some(Ok(r)) => Err(OzmapError::Unavailable {
                at: at.clone(),
                status: r.status,
                attempts,
            }),
            Some(Err(TransportError::Timeout)) => Err(OzmapError::Timeout {
                at: at.clone(),
                attempts,
            }),
            Some(Err(e)) => Err(OzmapError::Unreachable {
                at: at.clone(),
                detail: format!("{e:?}"),
            }),
            None => Err(OzmapError::Unreachable {
                at: at.clone(),
                detail: "no attempt made".into(),
            }),
        }
    }

    fn classify(&self, res: Result<HttpResponse, TransportError>, at: &At) -> Result<HttpResponse, OzmapError> {
        let r = match res {
            Ok(r) => r,
            Err(TransportError::TooLarge) => {
                return Err(OzmapError::Malformed {
                    at: at.clone(),
                    detail: "the page is larger than 64 MiB".into(),
                })
            }
            Err(e) => {
                return Err(OzmapError::Unreachable {
                    at: at.clone(),
                    detail: format!("{e:?}"),
                })
            }
        };
        let html = r.content_type.as_deref().is_some_and(|c| c.contains("html"))
            || r.body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<');
        match r.status {
            200..=299 if html => Err(OzmapError::NotOzmap {
                at: at.clone(),
                detail: "an HTML page instead of JSON".into(),
            }),
            200..=299 => Ok(r),
            401 => Err(OzmapError::Unauthorized { at: at.clone() }),
            403 => Err(OzmapError::Forbidden { at: at.clone() }),
            404 => Err(OzmapError::NotOzmap {
                at: at.clone(),
                detail: "HTTP 404".into(),
            }),
            status => {
                let message = serde_json::from_slice::<Value>(&r.body)
                    .ok()
                    .and_then(|v| {
                        v.get("message")
                            .or_else(|| v.get("error"))
                            .and_then(Value::as_str)
                            .map(str::to_string)
                    })
                    .unwrap_or_else(|| String::from_utf8_lossy(&r.body).chars().take(200).collect());
                Err(OzmapError::Rejected {
                    at: at.clone(),
                    status,
                    message,
                })
            }
        }
    }

    /// Checks the key with `GET /authenticated`.
    pub async fn check_key(&self) -> Result<(), OzmapError> {
        let at = At {
            route: "authenticated".into(),
            page: 1,
        };
        self.get(self.base.route("authenticated").as_str(), &at)
            .await
            .map(|_| ())
    }

    /// The first page request of a route.
    pub fn start(&self, route: &str) -> Cursor {
        first(&self.base, route, &filter_for(route), self.opts.page_size)
    }

    /// Fetches the page `cursor` names.
    pub async fn page(&self, cursor: &Cursor) -> Result<Page, OzmapError> {
        let at = At {
            route: cursor.route.clone(),
            page: cursor.page,
        };
        if cursor.page > self.opts.max_pages {
            return Err(OzmapError::TooManyPages {
                at,
                max: self.opts.max_pages,
            });
        }
        let r = self.get(&cursor.url, &at).await?;
        parse_page(
            &self.base,
            cursor,
            &filter_for(&cursor.route),
            self.opts.page_size,
            &r.body,
        )
    }

    /// Every row of a route.
    pub async fn list<T: DeserializeOwned + Default>(&self, route: &str) -> Result<Vec<T>, OzmapError> {
        let mut out = Vec::new();
        let mut cursor = Some(self.start(route));
        while let Some(c) = cursor {
            let p = self.page(&c).await?;
            out.extend(typed_rows(p.rows));
            cursor = p.next;
        }
        Ok(out)
    }

    /// Boxes, buildings (when asked), client-facing splitters and switches.
    pub async fn network(&self, include_buildings: bool) -> Result<Network, OzmapError> {
        Ok(Network {
            boxes: self.list(BOXES).await?,
            buildings: if include_buildings {
                self.list(BUILDINGS).await?
            } else {
                Vec::new()
            },
            splitters: self.list(SPLITTERS).await?,
            switches: self.list(SWITCHES).await?,
        })
    }
}
