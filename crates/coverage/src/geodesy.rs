//! Distances, azimuths and destinations on the WGS84 ellipsoid at the scale of
//! a coverage circle (metres to a few kilometres).
//!
//! Why not geographiclib (through `geo::Geodesic`) everywhere: one inverse
//! costs about a microsecond, and a 100k-element union needs tens of millions
//! of them. Within a few kilometres the mid-latitude formulas below, which use
//! the ellipsoid's meridian and prime-vertical radii of curvature at the
//! midpoint, agree with Karney's geodesics to well under a millimetre (the
//! `geodesy` tests check this against `geo::Geodesic`). Longer distances go to
//! `geo::Geodesic`, which is exact.

use geo::{Distance, Geodesic, Point};

/// WGS84 semi-major axis, metres.
pub const WGS84_A: f64 = 6_378_137.0;
/// WGS84 flattening.
pub const WGS84_F: f64 = 1.0 / 298.257_223_563;
/// First eccentricity squared.
pub const WGS84_E2: f64 = WGS84_F * (2.0 - WGS84_F);

/// Beyond this, [`distance_m`] hands over to geographiclib.
pub const LOCAL_LIMIT_M: f64 = 20_000.0;

/// Meridian radius of curvature M(φ) and prime-vertical radius N(φ), metres.
#[inline]
pub fn radii_of_curvature(lat_rad: f64) -> (f64, f64) {
    let s = lat_rad.sin();
    let w2 = 1.0 - WGS84_E2 * s * s;
    let w = w2.sqrt();
    let n = WGS84_A / w;
    let m = WGS84_A * (1.0 - WGS84_E2) / (w2 * w);
    (m, n)
}

/// Wraps a longitude difference in degrees into [-180, 180).
#[inline]
pub fn wrap_lng_delta(d: f64) -> f64 {
    let r = (d + 180.0).rem_euclid(360.0) - 180.0;
    if r.is_finite() {
        r
    } else {
        0.0
    }
}

/// East and north offset in metres from `from` to `to` (both `[lng, lat]`
/// degrees), in the local frame of their midpoint. Accurate for short
/// distances only (see the module docs).
#[inline]
pub fn local_offset_m(from: [f64; 2], to: [f64; 2]) -> (f64, f64) {
    let lat_m = ((from[1] + to[1]) * 0.5).to_radians();
    let (m, n) = radii_of_curvature(lat_m);
    let dx = wrap_lng_delta(to[0] - from[0]).to_radians() * n * lat_m.cos();
    let dy = (to[1] - from[1]).to_radians() * m;
    (dx, dy)
}

/// A query point's local frame, precomputed once so that the squared
/// distance to each nearby element costs a handful of multiplications. The
/// east scale uses `cos` at the midpoint latitude to first order
/// (`cos φq − sin φq · Δφ/2`), and the radii likewise, which leaves an error of order Δφ²: far below
/// a millimetre within a few kilometres (tested against [`local_offset_m`]).
#[derive(Debug, Clone, Copy)]
pub struct LocalFrame {
    lng: f64,
    lat: f64,
    cos: f64,
    half_sin: f64,
    m: f64,
    n: f64,
    /// dM/dφ / 2 and dN/dφ / 2: the radii at the midpoint, to first order.
    m_half_slope: f64,
    n_half_slope: f64,
}

impl LocalFrame {
    pub fn new(p: [f64; 2]) -> Self {
        let lat = p[1].to_radians();
        let (s, c) = lat.sin_cos();
        let w2 = 1.0 - WGS84_E2 * s * s;
        let w = w2.sqrt();
        let (m, n) = (WGS84_A * (1.0 - WGS84_E2) / (w2 * w), WGS84_A / w);
        let k = WGS84_E2 * s * c / (1.0 - WGS84_E2 * s * s);
        Self {
            lng: p[0],
            lat,
            cos: c,
            half_sin: 0.5 * s,
            m,
            n,
            m_half_slope: 1.5 * k * m,
            n_half_slope: 0.5 * k * n,
        }
    }

    /// Squared distance in m² to `e` (`[lng, lat]` degrees), for nearby `e`.
    #[inline(always)]
    pub fn d2(&self, e: [f64; 2]) -> f64 {
        let mut dlng = e[0] - self.lng;
        if dlng.abs() > 180.0 {
            dlng = wrap_lng_delta(dlng);
        }
        self.d2_delta(dlng, e[1].to_radians() - self.lat)
    }

    /// Squared distance in m² to the point `dlng_deg` degrees east and
    /// `dlat_rad` radians north of the frame's point (`dlng_deg` already wrapped).
    #[inline(always)]
    pub fn d2_delta(&self, dlng_deg: f64, dlat: f64) -> f64 {
        let dx = dlng_deg.to_radians() * (self.n + self.n_half_slope * dlat) * (self.cos - self.half_sin * dlat);
        let dy = dlat * (self.m + self.m_half_slope * dlat);
        dx * dx + dy * dy
    }
}

/// Geodesic distance in metres between two `[lng, lat]` points: the local
/// formula when short, geographiclib otherwise.
pub fn distance_m(a: [f64; 2], b: [f64; 2]) -> f64 {
    let (dx, dy) = local_offset_m(a, b);
    let d = dx.hypot(dy);
    if d < LOCAL_LIMIT_M {
        d
    } else {
        geodesic_distance_m(a, b)
    }
}

/// Karney's geodesic distance (geographiclib via `geo`), the reference.
pub fn geodesic_distance_m(a: [f64; 2], b: [f64; 2]) -> f64 {
    Geodesic.distance(Point::new(a[0], a[1]), Point::new(b[0], b[1]))
}

/// The point reached from `center` by travelling `dist` metres in the
/// direction `theta` (radians, counter-clockwise from east, as in the plane).
/// The exact inverse of [`local_offset_m`]: two fixed-point steps on the
/// midpoint latitude reach it to far below a millimetre.
#[inline]
pub fn destination(center: [f64; 2], theta: f64, dist: f64) -> [f64; 2] {
    let (sin_t, cos_t) = theta.sin_cos();
    let east = dist * cos_t;
    let north = dist * sin_t;
    let lat0 = center[1].to_radians();
    let mut dlat = north / radii_of_curvature(lat0).0;
    let mut lat_m = lat0 + dlat * 0.5;
    for _ in 0..2 {
        dlat = north / radii_of_curvature(lat_m).0;
        lat_m = lat0 + dlat * 0.5;
    }
    let n = radii_of_curvature(lat_m).1;
    let dlng = east / (n * lat_m.cos());
    let mut lng = center[0] + dlng.to_degrees();
    if lng >= 180.0 {
        lng -= 360.0;
    } else if lng < -180.0 {
        lng += 360.0;
    }
    [lng, center[1] + dlat.to_degrees()]
}

/// Metres per degree of latitude never exceed this (at the poles, M is
/// largest): dividing a distance by it gives an upper bound in degrees.
pub const MIN_M_PER_DEG_LAT: f64 = 110_574.0;
/// Metres per degree of longitude at the equator (the largest value).
pub const M_PER_DEG_LNG_EQUATOR: f64 = 111_319.49;

/// A box in degrees that surely holds every point within `dist` metres of
/// `center` (lat half-height, lng half-width); `None` for the width when the
/// box would wrap all longitudes (near a pole).
pub fn reach_box_deg(center_lat: f64, dist: f64) -> (f64, Option<f64>) {
    // 1 % margin covers the local-formula error and the ellipsoid's variation.
    let dlat = dist / MIN_M_PER_DEG_LAT * 1.01;
    let max_abs_lat = (center_lat.abs() + dlat).min(90.0);
    let cos = max_abs_lat.to_radians().cos();
    if cos <= 1e-9 {
        return (dlat, None);
    }
    let dlng = dist / (M_PER_DEG_LNG_EQUATOR * cos) * 1.01;
    if dlng >= 180.0 {
        (dlat, None)
    } else {
        (dlat, Some(dlng))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic pseudo-random numbers for tests without extra crates.
    fn lcg(seed: &mut u64) -> f64 {
        *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (*seed >> 11) as f64 / (1u64 << 53) as f64
    }

    #[test]
    fn local_distance_agrees_with_geographiclib_below_a_millimetre() {
        // Up to ±75° latitude; closer to the poles the error grows to about
        // a millimetre per 4 km (checked below at a centimetre).
        let mut s = 7;
        for _ in 0..5_000 {
            let a = [lcg(&mut s) * 360.0 - 180.0, lcg(&mut s) * 150.0 - 75.0];
            let theta = lcg(&mut s) * std::f64::consts::TAU;
            let d = lcg(&mut s) * 4_000.0;
            let b = destination(a, theta, d);
            let exact = geodesic_distance_m(a, b);
            let local = distance_m(a, b);
            assert!(
                (exact - local).abs() < 1e-3,
                "{a:?} → {b:?}: exact {exact}, local {local}"
            );
            assert!((exact - d).abs() < 1e-3, "destination off: {exact} vs {d}");
        }
    }

    #[test]
    fn near_the_poles_the_local_formula_stays_within_a_centimetre() {
        let mut s = 11;
        for _ in 0..2_000 {
            let a = [lcg(&mut s) * 360.0 - 180.0, 75.0 + lcg(&mut s) * 10.0];
            let b = destination(a, lcg(&mut s) * std::f64::consts::TAU, lcg(&mut s) * 4_000.0);
            assert!((geodesic_distance_m(a, b) - distance_m(a, b)).abs() < 1e-2);
        }
    }

    #[test]
    fn the_query_frame_agrees_with_the_midpoint_formula() {
        let mut s = 5;
        for _ in 0..5_000 {
            let a = [lcg(&mut s) * 360.0 - 180.0, lcg(&mut s) * 170.0 - 85.0];
            let b = destination(a, lcg(&mut s) * std::f64::consts::TAU, lcg(&mut s) * 4_000.0);
            let (dx, dy) = local_offset_m(a, b);
            let d = LocalFrame::new(a).d2(b).sqrt();
            assert!((d - dx.hypot(dy)).abs() < 1e-4, "{a:?} {b:?}: {d} vs {}", dx.hypot(dy));
        }
    }

    #[test]
    fn long_distances_use_the_exact_geodesic() {
        let rio = [-43.1729, -22.9068];
        let floripa = [-48.5482, -27.5949];
        let d = distance_m(rio, floripa);
        assert_eq!(d, geodesic_distance_m(rio, floripa));
        assert!((d - 748_000.0).abs() < 10_000.0, "{d}");
    }

    #[test]
    fn antimeridian_offsets_take_the_short_way() {
        let (dx, _) = local_offset_m([179.999, 0.0], [-179.999, 0.0]);
        assert!((dx - 222.6).abs() < 0.5, "{dx}");
    }

    #[test]
    fn reach_box_holds_the_circle() {
        let c = [-48.5, -27.6];
        let (dlat, dlng) = reach_box_deg(c[1], 2_000.0);
        let dlng = dlng.expect("finite box at -27.6");
        for k in 0..360 {
            let p = destination(c, (k as f64).to_radians(), 2_000.0);
            assert!((p[1] - c[1]).abs() <= dlat);
            assert!(wrap_lng_delta(p[0] - c[0]).abs() <= dlng);
        }
    }
}
