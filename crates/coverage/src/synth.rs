//! City-like element sets from a seed, for tests, benchmarks and the OZmap
//! mock: neighbourhoods of rotated street grids around Florianópolis, a box
//! every ~90 m along the streets, about a third of the grid left empty; the
//! workload of anchors.md.

use crate::geodesy::destination;

/// splitmix64: tiny, seedable and good enough for synthetic layouts.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed ^ 0x9e37_79b9_7f4a_7c15)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    pub fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.f64()
    }
}

/// Centre of the synthetic metro area (Florianópolis).
pub const CITY_CENTRE: [f64; 2] = [-48.5482, -27.5949];

/// `n` element positions laid out like a Brazilian city.
pub fn city(n: usize, seed: u64) -> Vec<[f64; 2]> {
    city_around(CITY_CENTRE, n, seed)
}

/// [`city`] around another centre.
pub fn city_around(centre: [f64; 2], n: usize, seed: u64) -> Vec<[f64; 2]> {
    let metro_centre = centre;
    let mut rng = Rng::new(seed);
    let mut out = Vec::with_capacity(n);
    // The metro area grows with n so density stays city-like.
    let metro_radius = 20_000.0 * (n as f64 / 100_000.0).sqrt().clamp(0.15, 3.0);
    while out.len() < n {
        let centre = destination(
            metro_centre,
            rng.range(0.0, std::f64::consts::TAU),
            metro_radius * rng.f64().sqrt(),
        );
        let rot = rng.range(0.0, std::f64::consts::FRAC_PI_2);
        let block = rng.range(80.0, 120.0);
        let size = rng.range(6.0, 16.0) as i32;
        for gx in -size..=size {
            for gy in -size..=size {
                if rng.f64() < 0.35 {
                    continue;
                }
                let (x, y) = (gx as f64 * block, gy as f64 * block);
                let (s, c) = rot.sin_cos();
                let (ex, ny) = (x * c - y * s, x * s + y * c);
                let d = ex.hypot(ny);
                let p = destination(centre, ny.atan2(ex), d);
                // Jitter of a few metres: poles are never exactly on the grid.
                let p = destination(p, rng.range(0.0, std::f64::consts::TAU), rng.range(0.0, 8.0));
                out.push(p);
                if out.len() == n {
                    return out;
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_city_and_requested_size() {
        assert_eq!(city(500, 1), city(500, 1));
        assert_ne!(city(500, 1), city(500, 2));
        assert_eq!(city(1234, 3).len(), 1234);
    }
}
