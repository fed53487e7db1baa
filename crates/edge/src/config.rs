//! An integration's configuration: what the platform sends, how it is
//! checked, what is stored (key encrypted) and what is shown (key never).

use ozmap::BaseUrl;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const DISTANCE_RANGE_M: (f64, f64) = (10.0, 2_000.0);
pub const NAME_MAX: usize = 100;
pub const KEY_MAX: usize = 4_096;

/// `PUT …/integration` body. Unknown fields are refused so typos surface.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntegrationInput {
    pub name: Option<String>,
    pub ozmap_url: Option<String>,
    /// Write-only. Optional when replacing: the stored key is kept.
    pub api_key: Option<String>,
    pub max_distance_m: Option<f64>,
    #[serde(default)]
    pub options: Option<OptionsInput>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptionsInput {
    pub include_buildings: Option<bool>,
    pub require_free_port: Option<bool>,
    pub shrink_guard: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Options {
    /// Count buildings (condomínios verticais) as well as boxes.
    pub include_buildings: bool,
    /// Only elements with a free, unblocked port count.
    pub require_free_port: bool,
    /// Hold a refresh that loses more than this share of the area (0..1; 1 = never).
    pub shrink_guard: f64,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            include_buildings: true,
            require_free_port: false,
            shrink_guard: 0.5,
        }
    }
}

/// What KV holds under `cfg:<id>`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredConfig {
    pub id: String,
    pub name: String,
    pub ozmap_url: String,
    /// AES-GCM ciphertext of the OZmap key (see `secrets`).
    pub key_enc: String,
    pub max_distance_m: f64,
    pub options: Options,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

/// What the API shows: everything but the key.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConfigView {
    pub id: String,
    pub name: String,
    pub ozmap_url: String,
    pub max_distance_m: f64,
    pub options: Options,
    pub api_key_set: bool,
    pub created_at: String,
    pub updated_at: String,
}

impl StoredConfig {
    pub fn view(&self) -> ConfigView {
        ConfigView {
            id: self.id.clone(),
            name: self.name.clone(),
            ozmap_url: self.ozmap_url.clone(),
            max_distance_m: self.max_distance_m,
            options: self.options,
            api_key_set: !self.key_enc.is_empty(),
            created_at: iso(self.created_at_ms),
            updated_at: iso(self.updated_at_ms),
        }
    }
}

/// A checked input, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    pub name: String,
    pub base: BaseUrl,
    pub api_key: Option<String>,
    pub max_distance_m: f64,
    pub options: Options,
}

/// Field → message, for the error body.
pub type FieldErrors = BTreeMap<&'static str, String>;

/// Provider ids: lowercase letters, digits, `-` and `_`, 1–64 long, starting
/// with a letter or digit (no dots or slashes: ids go into KV keys and URLs).
pub fn valid_provider_id(id: &str) -> bool {
    let b = id.as_bytes();
    (1..=64).contains(&b.len())
        && b[0].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-' || *c == b'_')
}

pub fn check(
    input: &IntegrationInput,
    existing: Option<&StoredConfig>,
    allow_loopback_http: bool,
) -> Result<Checked, FieldErrors> {
    let mut errs = FieldErrors::new();
    let name = input.name.as_deref().map(str::trim).unwrap_or("");
    if name.is_empty() {
        errs.insert("name", "required".into());
    } else if name.chars().count() > NAME_MAX {
        errs.insert("name", format!("at most {NAME_MAX} characters"));
    } else if name.chars().any(char::is_control) {
        errs.insert("name", "must not contain control characters".into());
    }
    let base = match input.ozmap_url.as_deref().map(str::trim) {
        None | Some("") => {
            errs.insert("ozmap_url", "required".into());
            None
        }
        Some(u) => match BaseUrl::parse(u) {
            Ok(b) if b.is_https() => Some(b),
            Ok(b) if allow_loopback_http && b.is_loopback() => Some(b),
            Ok(_) => {
                errs.insert(
                    "ozmap_url",
                    "must use https:// (plain http is allowed only to loopback in development)".into(),
                );
                None
            }
            Err(e) => {
                errs.insert("ozmap_url", e.to_string());
                None
            }
        },
    };
    let api_key = match input.api_key.as_deref().map(str::trim) {
        None | Some("") if existing.is_some() => None,
        None | Some("") => {
            errs.insert("api_key", "required".into());
            None
        }
        Some(k) if k.len() > KEY_MAX => {
            errs.insert("api_key", format!("at most {KEY_MAX} characters"));
            None
        }
        Some(k) if k.chars().any(|c| c.is_control() || c.is_whitespace()) => {
            errs.insert("api_key", "must not contain spaces or control characters".into());
            None
        }
        Some(k) => Some(k.to_string()),
    };
    let max_distance_m = match input.max_distance_m {
        Some(d) if d.is_finite() && (DISTANCE_RANGE_M.0..=DISTANCE_RANGE_M.1).contains(&d) => d,
        Some(d) => {
            errs.insert(
                "max_distance_m",
                format!(
                    "must be between {} and {} metres (got {d})",
                    DISTANCE_RANGE_M.0, DISTANCE_RANGE_M.1
                ),
            );
            0.0
        }
        None => {
            errs.insert("max_distance_m", "required".into());
            0.0
        }
    };
    let base_opts = existing.map(|e| e.options).unwrap_or_default();
    let o = input.options.clone().unwrap_or_default();
    let options = Options {
        include_buildings: o.include_buildings.unwrap_or(base_opts.include_buildings),
        require_free_port: o.require_free_port.unwrap_or(base_opts.require_free_port),
        shrink_guard: o.shrink_guard.unwrap_or(base_opts.shrink_guard),
    };
    if !(options.shrink_guard.is_finite() && (0.0..=1.0).contains(&options.shrink_guard)) {
        errs.insert("options.shrink_guard", "must be a share between 0 and 1".into());
    }
    match base {
        Some(base) if errs.is_empty() => Ok(Checked {
            name: name.to_string(),
            base,
            api_key,
            max_distance_m,
            options,
        }),
        _ => Err(errs),
    }
}

/// RFC 3339 UTC from unix milliseconds (no clock crates in the Worker).
pub fn iso(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        ms.rem_euclid(1000)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> IntegrationInput {
        IntegrationInput {
            name: Some("Fibra Ilha".into()),
            ozmap_url: Some("https://fibra.ozmap.com.br:9994".into()),
            api_key: Some("key".into()),
            max_distance_m: Some(300.0),
            options: None,
        }
    }

    #[test]
    fn a_good_input_passes_with_defaults() {
        let c = check(&input(), None, false).unwrap();
        assert_eq!(c.base.as_str(), "https://fibra.ozmap.com.br:9994/api/v2/");
        assert_eq!(c.options, Options::default());
    }

    #[test]
    fn every_field_is_checked() {
        let bad = IntegrationInput {
            name: Some("x".repeat(101)),
            ozmap_url: Some("http://fibra.example".into()),
            api_key: Some("has space".into()),
            max_distance_m: Some(5.0),
            options: Some(OptionsInput {
                shrink_guard: Some(1.5),
                ..OptionsInput::default()
            }),
        };
        let e = check(&bad, None, true).unwrap_err();
        assert_eq!(
            e.keys().copied().collect::<Vec<_>>(),
            ["api_key", "max_distance_m", "name", "options.shrink_guard", "ozmap_url"]
        );
        let e = check(&IntegrationInput::default(), None, true).unwrap_err();
        assert_eq!(e.len(), 4);
        assert!(check(
            &IntegrationInput {
                max_distance_m: Some(f64::NAN),
                ..input()
            },
            None,
            false
        )
        .is_err());
        assert!(check(
            &IntegrationInput {
                max_distance_m: Some(2_000.5),
                ..input()
            },
            None,
            false
        )
        .is_err());
    }

    #[test]
    fn loopback_http_only_when_allowed() {
        let i = IntegrationInput {
            ozmap_url: Some("http://127.0.0.1:9994".into()),
            ..input()
        };
        assert!(check(&i, None, true).is_ok());
        assert!(check(&i, None, false).is_err());
    }

    #[test]
    fn the_key_may_be_omitted_when_replacing() {
        let stored = StoredConfig {
            id: "a".into(),
            name: "n".into(),
            ozmap_url: "u".into(),
            key_enc: "x".into(),
            max_distance_m: 300.0,
            options: Options {
                require_free_port: true,
                ..Options::default()
            },
            created_at_ms: 0,
            updated_at_ms: 0,
        };
        let c = check(
            &IntegrationInput {
                api_key: None,
                ..input()
            },
            Some(&stored),
            false,
        )
        .unwrap();
        assert_eq!(c.api_key, None);
        assert!(
            c.options.require_free_port,
            "unspecified options keep their stored value"
        );
        assert!(check(
            &IntegrationInput {
                api_key: None,
                ..input()
            },
            None,
            false
        )
        .is_err());
    }

    #[test]
    fn provider_ids() {
        for ok in ["isp-a", "1", "a_b-c9"] {
            assert!(valid_provider_id(ok), "{ok}");
        }
        for bad in ["", "..", "a/b", "A", "-a", "a.b", "%2e%2e", &"a".repeat(65)] {
            assert!(!valid_provider_id(bad), "{bad}");
        }
    }

    #[test]
    fn iso_dates() {
        assert_eq!(iso(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso(1_764_850_000_123), "2025-12-04T12:06:40.123Z");
        assert_eq!(iso(951_782_400_000), "2000-02-29T00:00:00.000Z");
    }
}
