//! OZmap API v2, as far as it is known (see `../shared/ozmap-api.md`, copied
//! into ARCHITECTURE.md's notes): what we send, what we accept, and which
//! elements can serve a client.
//!
//! No I/O of its own: HTTP goes through the [`Http`] trait, implemented by the
//! Worker's `fetch` in `crates/edge` and by `ureq` here (feature `native`).

pub mod base_url;
pub mod client;
pub mod eligibility;
pub mod error;
pub mod filter;
pub mod flex;
pub mod http;
pub mod model;
pub mod pagination;

pub use base_url::{BaseUrl, BaseUrlError};
pub use client::{Client, ClientOptions, Network};
pub use eligibility::{eligible_elements, Eligibility, EligibilityOptions, Excluded, Reason};
pub use error::OzmapError;
pub use http::block_on;
pub use http::{Http, HttpResponse, TransportError};
