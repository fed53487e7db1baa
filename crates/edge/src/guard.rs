//! The shrink guard: a failed or suspicious pull never wipes coverage.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Verdict {
    Publish,
    Hold { code: &'static str, message: String },
}

/// `previous`: area (km²) and elements of the published version, if any.
pub fn judge(
    previous: Option<(f64, usize)>,
    area_km2: f64,
    elements: usize,
    shrink_guard: f64,
    force: bool,
) -> Verdict {
    if force {
        return Verdict::Publish;
    }
    if elements == 0 {
        return Verdict::Hold {
            code: "no_elements",
            message: "OZmap returned no eligible elements; the published coverage was kept. Publish anyway if the network is really empty.".into(),
        };
    }
    if let Some((old_area, _)) = previous {
        if old_area > 0.0 && area_km2 < old_area * (1.0 - shrink_guard) {
            let lost = 100.0 * (1.0 - area_km2 / old_area);
            return Verdict::Hold {
                code: "shrink",
                message: format!(
                    "The new coverage would be {lost:.0} % smaller ({old_area:.2} → {area_km2:.2} km²), more than the {:.0} % allowed; the published coverage was kept. Publish anyway if the change is real.",
                    100.0 * shrink_guard
                ),
            };
        }
    }
    Verdict::Publish
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_empty_and_shrinking_results_unless_forced() {
        assert!(matches!(
            judge(None, 0.0, 0, 0.5, false),
            Verdict::Hold {
                code: "no_elements",
                ..
            }
        ));
        assert_eq!(judge(None, 0.0, 0, 0.5, true), Verdict::Publish);
        assert_eq!(judge(None, 3.0, 10, 0.5, false), Verdict::Publish);
        assert_eq!(judge(Some((10.0, 100)), 5.1, 50, 0.5, false), Verdict::Publish);
        let Verdict::Hold { code, message } = judge(Some((10.0, 100)), 4.0, 40, 0.5, false) else {
            panic!("held")
        };
        assert_eq!(code, "shrink");
        assert!(message.contains("60 %"), "{message}");
        assert_eq!(judge(Some((10.0, 100)), 4.0, 40, 0.5, true), Verdict::Publish);
        assert_eq!(
            judge(Some((10.0, 100)), 0.1, 1, 1.0, false),
            Verdict::Publish,
            "guard 1 never holds a shrink"
        );
    }
}
