//! Walking a listing page by page, resumably.
//!
//! New servers answer `hasNextPage` + `nextUrl`: we follow `nextUrl`
//! verbatim (resolved on the same server, filter and limit re-sent when
//! missing), as OZmap's own clients do. Older servers answer only
//! `total`/`start`/`count`: we ask for `page=N+1` until a page is short or
//! empty, or `start + count` reaches `total`. A [`Cursor`] is plain data, so
//! a refresh job can checkpoint it and continue in another invocation.

use crate::base_url::BaseUrl;
use crate::error::{At, OzmapError};
use crate::filter::{to_query, Condition};
use crate::flex::{as_bool, as_f64};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

/// The next request of a listing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cursor {
    pub route: String,
    pub url: String,
    /// 1-based number of the page `url` fetches.
    pub page: u32,
    /// URLs of the last pages read, to catch `nextUrl` loops.
    #[serde(default)]
    pub recent: Vec<String>,
}

/// One page of rows and where to go next.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub rows: Vec<Value>,
    pub next: Option<Cursor>,
}

const RECENT: usize = 8;

fn page_url(base: &BaseUrl, route: &str, filter: &[Condition], limit: u32, page: Option<u32>) -> Url {
    let mut u = base.route(route);
    {
        let mut q = u.query_pairs_mut();
        q.append_pair("limit", &limit.to_string());
        if let Some(p) = page {
            q.append_pair("page", &p.to_string());
        }
        if !filter.is_empty() {
            q.append_pair("filter", &to_query(filter));
        }
    }
    u
}

/// The first request: no `page`, as OZmap's own clients send it.
pub fn first(base: &BaseUrl, route: &str, filter: &[Condition], limit: u32) -> Cursor {
    Cursor {
        route: route.into(),
        url: page_url(base, route, filter, limit, None).into(),
        page: 1,
        recent: Vec::new(),
    }
}

/// Reads one page body and decides what comes next.
pub fn parse_page(
    base: &BaseUrl,
    cursor: &Cursor,
    filter: &[Condition],
    limit: u32,
    body: &[u8],
) -> Result<Page, OzmapError> {
    let at = At {
        route: cursor.route.clone(),
        page: cursor.page,
    };
    let malformed = |detail: String| OzmapError::Malformed { at: at.clone(), detail };
    let v: Value = serde_json::from_slice(body).map_err(|e| malformed(format!("invalid JSON ({e})")))?;
    let Value::Object(obj) = v else {
        // Some very old servers answer a bare array: one page, no more.
        return match v {
            Value::Array(rows) => Ok(Page { rows, next: None }),
            _ => Err(malformed("the answer is not a JSON object with `rows`".into())),
        };
    };
    let rows = match obj.get("rows") {
        Some(Value::Array(r)) => r.clone(),
        Some(Value::Null) | None => return Err(malformed("no `rows` array in the answer".into())),
        Some(_) => return Err(malformed("`rows` is not an array".into())),
    };
    if let Some(i) = rows.iter().position(|r| !r.is_object()) {
        return Err(malformed(format!("rows[{i}] is not an object")));
    }
    let has_next = obj.get("hasNextPage").and_then(as_bool);
    let next_url = obj.get("nextUrl").and_then(Value::as_str).filter(|s| !s.is_empty());
    let num = |k: &str| obj.get(k).and_then(as_f64);
    let more = match has_next {
        _ if rows.is_empty() => false,
        Some(b) => b,
        None => {
            let reached_total =
                matches!((num("start"), num("count"), num("total")), (Some(s), Some(c), Some(t)) if s + c >= t);
            !reached_total && rows.len() as u32 >= limit
        }
    };
    if !more {
        return Ok(Page { rows, next: None });
    }
    let next = match (has_next, next_url) {
        (Some(true), Some(n)) => {
            let mut u = base
                .resolve_next(n)
                .ok_or_else(|| malformed(format!("`nextUrl` {n:?} points outside this OZmap")))?;
            let has = |k: &str| u.query_pairs().any(|(q, _)| q == k);
            let (need_filter, need_limit) = (!filter.is_empty() && !has("filter"), !has("limit"));
            if need_filter || need_limit {
                let mut q = u.query_pairs_mut();
                if need_limit {
                    q.append_pair("limit", &limit.to_string());
                }
                if need_filter {
                    q.append_pair("filter", &to_query(filter));
                }
            }
            u
        }
        _ => page_url(base, &cursor.route, filter, limit, Some(cursor.page + 1)),
    };
    let next: String = next.into();
    if next == cursor.url || cursor.recent.contains(&next) {
        return Err(OzmapError::PaginationLoop { at });
    }
    let mut recent = cursor.recent.clone();
    recent.push(cursor.url.clone());
    if recent.len() > RECENT {
        recent.remove(0);
    }
    Ok(Page {
        rows,
        next: Some(Cursor {
            route: cursor.route.clone(),
            url: next,
            page: cursor.page + 1,
            recent,
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn base() -> BaseUrl {
        BaseUrl::parse("https://acme.ozmap.com.br:9994").unwrap()
    }

    fn body(v: Value) -> Vec<u8> {
        serde_json::to_vec(&v).unwrap()
    }

    #[test]
    fn follows_next_url_and_resends_the_filter() {
        let f = [Condition::eq("isDrop", true)];
        let c = first(&base(), "splitters", &f, 2);
        assert!(!c.url.contains("page="));
        let p = parse_page(
            &base(),
            &c,
            &f,
            2,
            &body(json!({"rows": [{}, {}], "hasNextPage": true, "nextUrl": "/api/v2/splitters?cursor=2"})),
        )
        .unwrap();
        let n = p.next.unwrap();
        assert_eq!(n.page, 2);
        assert!(
            n.url
                .starts_with("https://acme.ozmap.com.br:9994/api/v2/splitters?cursor=2&limit=2&filter="),
            "{}",
            n.url
        );
        let last = parse_page(&base(), &n, &f, 2, &body(json!({"rows": [{}], "hasNextPage": false}))).unwrap();
        assert_eq!(last.next, None);
    }

    #[test]
    fn old_servers_page_by_number_until_total() {
        let c = first(&base(), "boxes", &[], 2);
        let p = parse_page(
            &base(),
            &c,
            &[],
            2,
            &body(json!({"rows": [{}, {}], "total": 3, "start": 0, "count": 2})),
        )
        .unwrap();
        let n = p.next.unwrap();
        assert!(n.url.contains("page=2"));
        let p2 = parse_page(
            &base(),
            &n,
            &[],
            2,
            &body(json!({"rows": [{}], "total": 3, "start": 2, "count": 1})),
        )
        .unwrap();
        assert_eq!(p2.next, None);
        let empty = parse_page(&base(), &n, &[], 2, &body(json!({"rows": []}))).unwrap();
        assert_eq!(empty.next, None);
        let full_no_total = parse_page(&base(), &c, &[], 2, &body(json!({"rows": [{}, {}]}))).unwrap();
        assert!(full_no_total.next.is_some());
    }

    #[test]
    fn catches_loops_and_foreign_next_urls() {
        let c = first(&base(), "boxes", &[], 1);
        let p = parse_page(
            &base(),
            &c,
            &[],
            1,
            &body(json!({"rows": [{}], "hasNextPage": true, "nextUrl": "/api/v2/boxes?cursor=1"})),
        )
        .unwrap();
        let n = p.next.unwrap();
        let again = parse_page(
            &base(),
            &n,
            &[],
            1,
            &body(json!({"rows": [{}], "hasNextPage": true, "nextUrl": "/api/v2/boxes?cursor=1&limit=1"})),
        );
        assert!(matches!(again, Err(OzmapError::PaginationLoop { .. })), "{again:?}");
        let foreign = parse_page(
            &base(),
            &c,
            &[],
            1,
            &body(json!({"rows": [{}], "hasNextPage": true, "nextUrl": "https://evil.example/x"})),
        );
        assert!(matches!(foreign, Err(OzmapError::Malformed { .. })));
    }

    #[test]
    fn malformed_answers_name_the_page_and_field() {
        let c = first(&base(), "boxes", &[], 1);
        for (b, needle) in [
            (b"{\"rows\": [{\"id\":".to_vec(), "invalid JSON"),
            (body(json!({"total": 1})), "no `rows`"),
            (body(json!({"rows": {}})), "`rows` is not an array"),
            (body(json!({"rows": [{}, 3]})), "rows[1]"),
            (b"<html>".to_vec(), "invalid JSON"),
        ] {
            let e = parse_page(&base(), &c, &[], 1, &b).unwrap_err();
            let s = e.to_string();
            assert!(s.contains(needle) && s.contains("page 1 of /boxes"), "{s}");
        }
    }
}
