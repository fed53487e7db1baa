//! Validated input: element positions and the coverage radius.

use std::fmt;

/// Elements beyond this latitude are refused: the local distance formulas
/// lose their millimetre accuracy near the poles (and web maps end at 85°).
pub const MAX_ABS_LAT: f64 = 85.0;
/// Radii accepted by [`Radius::new`], metres.
pub const RADIUS_RANGE_M: (f64, f64) = (1.0, 10_000.0);

/// Why an element position was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum PointError {
    NotFinite { index: usize },
    LngOutOfRange { index: usize, lng: f64 },
    LatOutOfRange { index: usize, lat: f64 },
    NearPole { index: usize, lat: f64 },
}

impl fmt::Display for PointError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotFinite { index } => {
                write!(f, "point {index}: coordinate is not a finite number")
            }
            Self::LngOutOfRange { index, lng } => {
                write!(f, "point {index}: longitude {lng} is outside -180..180")
            }
            Self::LatOutOfRange { index, lat } => {
                write!(f, "point {index}: latitude {lat} is outside -90..90")
            }
            Self::NearPole { index, lat } => write!(
                f,
                "point {index}: latitude {lat} is beyond ±{}°, where coverage is not supported",
                MAX_ABS_LAT
            ),
        }
    }
}

impl std::error::Error for PointError {}

/// Checks one `[lng, lat]` query position (any point on Earth is a valid query).
pub fn check_query(index: usize, p: [f64; 2]) -> Result<(), PointError> {
    if !p[0].is_finite() || !p[1].is_finite() {
        return Err(PointError::NotFinite { index });
    }
    if !(-180.0..=180.0).contains(&p[0]) {
        return Err(PointError::LngOutOfRange { index, lng: p[0] });
    }
    if !(-90.0..=90.0).contains(&p[1]) {
        return Err(PointError::LatOutOfRange { index, lat: p[1] });
    }
    Ok(())
}

/// Checks element positions and returns them deduplicated (exact repeats add
/// nothing to a union of equal circles) in a canonical order, so the output
/// does not depend on the order OZmap listed them in.
pub fn check_elements(points: &[[f64; 2]]) -> Result<Vec<[f64; 2]>, PointError> {
    for (index, p) in points.iter().enumerate() {
        check_query(index, *p)?;
        if p[1].abs() > MAX_ABS_LAT {
            return Err(PointError::NearPole { index, lat: p[1] });
        }
    }
    let mut out: Vec<[f64; 2]> = points
        .iter()
        // -180 and 180 are one meridian; keep one spelling.
        .map(|p| [if p[0] == 180.0 { -180.0 } else { p[0] }, p[1]])
        .collect();
    out.sort_by(|a, b| a[1].total_cmp(&b[1]).then(a[0].total_cmp(&b[0])));
    out.dedup();
    Ok(out)
}

/// A coverage radius in metres.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Radius(f64);

/// Why a radius was refused.
#[derive(Debug, Clone, PartialEq)]
pub struct RadiusError(pub f64);

impl fmt::Display for RadiusError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "radius {} m is outside {}..{} m",
            self.0, RADIUS_RANGE_M.0, RADIUS_RANGE_M.1
        )
    }
}

impl std::error::Error for RadiusError {}

impl Radius {
    pub fn new(m: f64) -> Result<Self, RadiusError> {
        if m.is_finite() && (RADIUS_RANGE_M.0..=RADIUS_RANGE_M.1).contains(&m) {
            Ok(Self(m))
        } else {
            Err(RadiusError(m))
        }
    }

    pub fn metres(self) -> f64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_bad_positions_with_their_index() {
        assert_eq!(
            check_elements(&[[0.0, 0.0], [f64::NAN, 1.0]]),
            Err(PointError::NotFinite { index: 1 })
        );
        assert!(matches!(
            check_elements(&[[181.0, 0.0]]),
            Err(PointError::LngOutOfRange { index: 0, .. })
        ));
        assert!(matches!(
            check_elements(&[[0.0, -90.5]]),
            Err(PointError::LatOutOfRange { .. })
        ));
        assert!(matches!(
            check_elements(&[[0.0, 85.5]]),
            Err(PointError::NearPole { .. })
        ));
    }

    #[test]
    fn dedups_and_orders_canonically() {
        let a = check_elements(&[[1.0, 2.0], [0.0, 0.0], [1.0, 2.0], [180.0, 0.0]]);
        assert_eq!(a, Ok(vec![[-180.0, 0.0], [0.0, 0.0], [1.0, 2.0]]));
    }

    #[test]
    fn radius_bounds() {
        assert!(Radius::new(300.0).is_ok());
        assert!(Radius::new(-1.0).is_err());
        assert!(Radius::new(f64::INFINITY).is_err());
        assert!(Radius::new(1e9).is_err());
    }
}
