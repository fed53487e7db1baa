//! Differential tests: every answer of the crate against a brute-force
//! geodesic reference (Karney's distance to every element, via geo).

// Test helpers may unwrap: a panic here is a failed test.
#![allow(clippy::unwrap_used)]

use coverage::geodesy::{destination, geodesic_distance_m, radii_of_curvature};
use coverage::synth::{city, Rng, CITY_CENTRE};
use coverage::Coverage;
use geo::{Contains, Point, Validation};
use proptest::prelude::*;
use std::f64::consts::TAU;

/// The reference: distance to the nearest element by exact geodesic.
fn brute_nearest(elements: &[[f64; 2]], p: [f64; 2]) -> f64 {
    elements
        .iter()
        .map(|e| geodesic_distance_m(*e, p))
        .fold(f64::INFINITY, f64::min)
}

/// Points near the boundary as well as well inside and outside: around
/// random elements at distances spread over [0, 2r].
fn probes(elements: &[[f64; 2]], r: f64, n: usize, seed: u64) -> Vec<[f64; 2]> {
    let mut rng = Rng::new(seed);
    (0..n)
        .map(|_| {
            let e = elements[(rng.next_u64() % elements.len() as u64) as usize];
            destination(e, rng.range(0.0, TAU), rng.range(0.0, 2.0 * r))
        })
        .collect()
}

/// Lookups equal the reference except within 1 cm of the boundary; the
/// distance agrees to a millimetre.
fn check_lookups(elements: &[[f64; 2]], r: f64, seed: u64) {
    let cov = Coverage::build(elements, r, 0.5).expect("valid input");
    for p in probes(elements, r, 3_000, seed) {
        let exact = brute_nearest(elements, p);
        let a = cov.index.query(p);
        let d = a.distance_m.expect("non-empty");
        assert!((d - exact).abs() < 1e-3, "{p:?}: distance {d} vs exact {exact}");
        if (exact - r).abs() > 0.01 {
            assert_eq!(a.covered, exact <= r, "{p:?}: exact {exact}, r {r}");
        }
    }
}

/// The polygon agrees with the exact answer outside the 0.5 m band, is
/// valid, and covers every element.
fn check_polygon(elements: &[[f64; 2]], r: f64, seed: u64) -> Coverage {
    let cov = Coverage::build(elements, r, 0.5).expect("valid input");
    assert!(cov.polygon.is_valid(), "{:?}", cov.polygon.validation_errors());
    for e in elements {
        assert!(
            cov.polygon.contains(&Point::new(e[0], e[1])),
            "centre {e:?} not covered"
        );
    }
    for p in probes(elements, r, 1_500, seed) {
        let exact = brute_nearest(elements, p);
        let inside = cov.polygon.contains(&Point::new(p[0], p[1]));
        if exact < r - 0.5 {
            assert!(inside, "{p:?} at {exact} m should be inside");
        }
        if exact > r {
            assert!(
                !inside,
                "{p:?} at {exact} m should be outside (polygon never overstates)"
            );
        }
    }
    cov
}

#[test]
fn city_lookups_match_brute_force() {
    check_lookups(&city(3_000, 5), 300.0, 1);
    check_lookups(&city(500, 6), 1_500.0, 2);
    check_lookups(&city(500, 7), 25.0, 3);
}

#[test]
fn city_polygons_match_brute_force_and_are_valid() {
    let cov = check_polygon(&city(2_000, 8), 300.0, 4);
    assert!(cov.stats.parts >= 1);
    check_polygon(&city(400, 9), 2_000.0, 5);
}

/// Lattices whose circles are exactly tangent, or meet four at a point, or
/// coincide: the degenerate cases of a union of equal circles.
fn lattice(spacing: f64, n: i32) -> Vec<[f64; 2]> {
    let mut out = Vec::new();
    for i in 0..n {
        for j in 0..n {
            let row = destination(CITY_CENTRE, std::f64::consts::FRAC_PI_2, spacing * j as f64);
            out.push(destination(row, 0.0, spacing * i as f64));
        }
    }
    out
}

#[test]
fn adversarial_lattices() {
    let r = 100.0;
    // Tangent neighbours (spacing 2r), four circles through one point
    // (spacing r·√2), and a hole in every square (spacing just over r·√2).
    for spacing in [2.0 * r, r * 2f64.sqrt(), r * 2f64.sqrt() * 1.001, r * 0.5] {
        let pts = lattice(spacing, 7);
        check_polygon(&pts, r, 10);
        check_lookups(&pts, r, 11);
    }
    let holes = Coverage::build(&lattice(r * 2f64.sqrt() * 1.01, 5), r, 0.5).expect("ok");
    assert_eq!(
        holes.stats.holes, 16,
        "a lattice just too sparse has a hole in each square"
    );
}

#[test]
fn coincident_and_nested_elements() {
    let c = CITY_CENTRE;
    let pts = vec![c, c, c, destination(c, 1.0, 0.001), destination(c, 2.0, 50.0)];
    let cov = check_polygon(&pts, 300.0, 12);
    assert_eq!(cov.stats.elements, 3, "exact duplicates collapse");
    assert_eq!(cov.stats.parts, 1);
}

#[test]
fn elements_across_degree_lines_equator_and_meridian() {
    for centre in [[-48.0, -27.0], [0.0, 0.0], [-45.0, 0.0], [0.0, -10.0]] {
        let pts: Vec<_> = (0..12)
            .map(|k| destination(centre, k as f64 * TAU / 12.0, 150.0 + 40.0 * k as f64))
            .collect();
        check_polygon(&pts, 200.0, 13);
        check_lookups(&pts, 200.0, 14);
    }
}

#[test]
fn area_agrees_with_monte_carlo_within_0_2_percent() {
    let pts = city(1_500, 21);
    let r = 300.0;
    let cov = Coverage::build(&pts, r, 0.5).expect("ok");
    let [w, s, e, n] = cov.stats.bbox.expect("non-empty");
    // Uniform on the ellipsoid inside the bbox: rejection on the area
    // element M(φ)·N(φ)·cos φ.
    let weight = |lat: f64| {
        let (m, nn) = radii_of_curvature(lat.to_radians());
        m * nn * lat.to_radians().cos()
    };
    let steps = 2_000;
    let dlat = (n - s) / steps as f64;
    let bbox_area: f64 = (0..steps)
        .map(|k| weight(s + (k as f64 + 0.5) * dlat) * dlat.to_radians() * (e - w).to_radians())
        .sum();
    let wmax = weight(s).max(weight(n));
    let mut rng = Rng::new(99);
    let (mut hits, mut total) = (0u64, 0u64);
    while total < 2_000_000 {
        let lat = rng.range(s, n);
        if rng.f64() * wmax > weight(lat) {
            continue;
        }
        total += 1;
        if cov.index.query([rng.range(w, e), lat]).covered {
            hits += 1;
        }
    }
    let mc_km2 = bbox_area * hits as f64 / total as f64 / 1e6;
    let rel = (cov.stats.area_km2 - mc_km2).abs() / mc_km2;
    assert!(
        rel < 0.002,
        "polygon {} km² vs Monte-Carlo {mc_km2} km² ({rel})",
        cov.stats.area_km2
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn random_small_sets(
        seed in any::<u64>(),
        n in 1usize..40,
        r in 10.0f64..2_000.0,
        spread in 0.2f64..4.0,
    ) {
        let mut rng = Rng::new(seed);
        let pts: Vec<_> = (0..n)
            .map(|_| destination(CITY_CENTRE, rng.range(0.0, TAU), rng.range(0.0, r * spread)))
            .collect();
        check_polygon(&pts, r, seed);
        check_lookups(&pts, r, seed ^ 1);
    }
}
