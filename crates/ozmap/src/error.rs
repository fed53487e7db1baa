//! Errors that tell an ISP what to do.

use std::fmt;

/// Where in a listing something went wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct At {
    pub route: String,
    pub page: u32,
}

impl fmt::Display for At {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "page {} of /{}", self.page, self.route)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum OzmapError {
    /// 401: the key is wrong, revoked, or lacks the API module.
    Unauthorized { at: At },
    /// 403: the key's user may not see this.
    Forbidden { at: At },
    /// 404 or an HTML page: the URL is not an OZmap API root.
    NotOzmap { at: At, detail: String },
    /// 5xx or 429 after every retry.
    Unavailable { at: At, status: u16, attempts: u32 },
    /// No answer in time, after every retry.
    Timeout { at: At, attempts: u32 },
    /// Could not connect at all.
    Unreachable { at: At, detail: String },
    /// A 4xx we do not expect.
    Rejected { at: At, status: u16, message: String },
    /// An answer we cannot read.
    Malformed { at: At, detail: String },
    /// More pages than the configured bound.
    TooManyPages { at: At, max: u32 },
    /// `nextUrl` pointed back to a page already read.
    PaginationLoop { at: At },
}

impl OzmapError {
    /// A stable machine code for the status API and the page.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthorized { .. } => "ozmap_unauthorized",
            Self::Forbidden { .. } => "ozmap_forbidden",
            Self::NotOzmap { .. } => "ozmap_not_found",
            Self::Unavailable { .. } => "ozmap_unavailable",
            Self::Timeout { .. } => "ozmap_timeout",
            Self::Unreachable { .. } => "ozmap_unreachable",
            Self::Rejected { .. } => "ozmap_rejected",
            Self::Malformed { .. } => "ozmap_malformed",
            Self::TooManyPages { .. } => "ozmap_too_many_pages",
            Self::PaginationLoop { .. } => "ozmap_pagination_loop",
        }
    }

    /// Worth trying again later without any change on the ISP's side.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::Unavailable { .. } | Self::Timeout { .. } | Self::Unreachable { .. }
        )
    }
}

impl fmt::Display for OzmapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unauthorized { at } => write!(
                f,
                "OZmap rejected the API key (HTTP 401 on {at}). Generate a new key in OZmap (user panel › API) and save it in the integration."
            ),
            Self::Forbidden { at } => write!(
                f,
                "OZmap refused access (HTTP 403 on {at}). Give the API user the API module and access to the network's projects."
            ),
            Self::NotOzmap { at, detail } => write!(
                f,
                "The address does not answer as an OZmap API ({detail} on {at}). Check the URL: it is usually https://<empresa>.ozmap.com.br:9994."
            ),
            Self::Unavailable { at, status, attempts } => write!(
                f,
                "OZmap is unavailable (HTTP {status} on {at}, {attempts} attempts). Coverage stays as published; the next refresh will try again."
            ),
            Self::Timeout { at, attempts } => write!(
                f,
                "OZmap did not answer in time ({at}, {attempts} attempts). Coverage stays as published; the next refresh will try again."
            ),
            Self::Unreachable { at, detail } => write!(
                f,
                "Could not connect to OZmap ({detail}, {at}). Check the URL and that port 9994 is open to the internet."
            ),
            Self::Rejected { at, status, message } => {
                write!(f, "OZmap refused the request (HTTP {status} on {at}): {message}")
            }
            Self::Malformed { at, detail } => write!(f, "OZmap sent an answer we cannot read ({at}): {detail}."),
            Self::TooManyPages { at, max } => write!(
                f,
                "OZmap kept sending pages past the limit of {max} ({at}); the listing was stopped. Contact support if the network is really this large."
            ),
            Self::PaginationLoop { at } => write!(
                f,
                "OZmap's pagination points back to a page already read ({at}); the listing was stopped."
            ),
        }
    }
}

impl std::error::Error for OzmapError {}
