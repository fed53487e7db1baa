//! The union of equal geodesic circles, built from boundary arcs.
//!
//! For circles of one radius, the boundary of the union is made of circle
//! arcs only: the parts of each circle that no other disk covers. For every
//! element we find the neighbours closer than 2r, mark on its circle the
//! angular interval each one covers (centred on the direction to it, half
//! width `acos(d / 2r)`), and keep the gaps; only Delaunay neighbours can
//! matter (see [`Neighbours`]). Each gap starts where the circle
//! leaves one neighbour's disk and ends where it enters another's; the union
//! boundary then continues on that other circle, from the point where it
//! leaves ours. Chaining gaps by that rule gives closed rings: exteriors come
//! out counter-clockwise and holes clockwise, as RFC 7946 wants, without any
//! polygon clipping. The work is proportional to the number of neighbour
//! pairs plus the output, not to the 64-vertex-per-circle input a generic
//! `buffer` + `union` would handle (see BENCHMARKS.md).
//!
//! Why not `geo`'s `unary_union` (i_overlay): it is exact for polygons but
//! must first polygonise every circle and then clip millions of interior
//! edges; anchors.md measures it at 32 s for 100k elements.

use crate::circle::{push_arc, vertex_step};
use crate::geodesy::{local_offset_m, wrap_lng_delta};
use geo::{Coord, LineString, MultiPolygon, Polygon};
use rustc_hash::FxHashMap;
use std::f64::consts::TAU;

/// One uncovered arc of circle `circle`, from angle `a` to `b`.
#[derive(Debug, Clone, Copy)]
struct Arc {
    circle: u32,
    a: f64,
    b: f64,
    /// The neighbour whose disk the circle leaves at `a` (`u32::MAX`: none).
    exits: u32,
    /// The neighbour whose disk the circle enters at `b`.
    enters: u32,
}

type Ring = Vec<[f64; 2]>;

#[derive(Debug, Clone, Copy)]
struct Interval {
    s: f64,
    e: f64,
    j: u32,
}

/// The neighbours that can cut each circle: Delaunay neighbours (compressed
/// rows, `offsets[i]..offsets[i + 1]` of `ids`) and, walked on the fly,
/// their neighbours.
///
/// For circles of one radius, circle i meets the union boundary exactly inside
/// its Voronoi cell, and the cell is bounded by Delaunay neighbours only, so no
/// other disk can matter. The triangulation is built in ellipsoidal Mercator,
/// which is conformal: at neighbourhood scale it differs from the true metric
/// by a uniform scale (Delaunay is invariant to it) plus a gradient of ~1e-5.
/// Taking the neighbours' neighbours too covers what that gradient could flip
/// in near-cocircular configurations.
struct Neighbours {
    /// The elements triangulated: `range.start` is row 0.
    range: std::ops::Range<u32>,
    offsets: Vec<u32>,
    ids: Vec<u32>,
    /// No triangulation: every element of `range` is a candidate of every other.
    everyone: bool,
}

#[derive(Clone, Copy)]
struct Site {
    pos: spade::Point2<f64>,
    idx: u32,
}

impl spade::HasPosition for Site {
    type Scalar = f64;
    fn position(&self) -> spade::Point2<f64> {
        self.pos
    }
}

fn mercator(p: [f64; 2], lng0: f64) -> spade::Point2<f64> {
    let e = crate::geodesy::WGS84_E2.sqrt();
    let s = p[1].to_radians().sin();
    let y = s.atanh() - e * (e * s).atanh();
    spade::Point2::new(wrap_lng_delta(p[0] - lng0).to_radians(), y)
}

/// Delaunay neighbours among `elements[range]` (ids stay global), in the
/// Mercator of longitude `lng0`.
fn delaunay_neighbours(elements: &[[f64; 2]], range: std::ops::Range<u32>, lng0: f64) -> Neighbours {
    use spade::Triangulation;
    let n = range.len();
    let base = range.start;
    let sites: Vec<Site> = elements[range.start as usize..range.end as usize]
        .iter()
        .enumerate()
        .map(|(i, p)| Site {
            pos: mercator(*p, lng0),
            idx: i as u32,
        })
        .collect();
    let Ok(t) = spade::DelaunayTriangulation::<Site>::bulk_load(sites) else {
        // Only non-finite positions fail, and those were refused on input.
        return Neighbours {
            range,
            offsets: Vec::new(),
            ids: Vec::new(),
            everyone: true,
        };
    };
    // Compressed rows in two passes over the triangulation: degrees, then ids.
    let mut offsets = vec![0u32; n + 1];
    for v in t.vertices() {
        offsets[v.data().idx as usize + 1] = v.out_edges().count() as u32;
    }
    for i in 0..n {
        offsets[i + 1] += offsets[i];
    }
    let mut ids = vec![0u32; offsets[n] as usize];
    for v in t.vertices() {
        let at = offsets[v.data().idx as usize] as usize;
        for (k, e) in v.out_edges().enumerate() {
            ids[at + k] = base + e.to().data().idx;
        }
    }
    Neighbours {
        range,
        offsets,
        ids,
        everyone: false,
    }
}

impl Neighbours {
    fn ring(&self, i: u32) -> &[u32] {
        let row = (i - self.range.start) as usize;
        &self.ids[self.offsets[row] as usize..self.offsets[row + 1] as usize]
    }

    /// Calls `f` once for every Delaunay neighbour of `i` and every
    /// neighbour's neighbour (not `i` itself); `stamp` is scratch of length n.
    fn for_each_candidate(&self, i: u32, stamp: &mut [u32], mut f: impl FnMut(u32)) {
        if self.everyone {
            self.range.clone().filter(|&j| j != i).for_each(f);
            return;
        }
        stamp[i as usize] = i;
        for &j in self.ring(i) {
            for k in std::iter::once(j).chain(self.ring(j).iter().copied()) {
                if stamp[k as usize] != i {
                    stamp[k as usize] = i;
                    f(k);
                }
            }
        }
    }
}

/// Uncovered arcs of circle `i`, appended to `arcs`; `false` when no other
/// disk touches it (the whole circle is boundary).
fn uncovered_arcs(
    i: u32,
    elements: &[[f64; 2]],
    neighbours: &Neighbours,
    r: f64,
    (scratch, stamp): (&mut Vec<Interval>, &mut [u32]),
    arcs: &mut Vec<Arc>,
) -> bool {
    let c = elements[i as usize];
    scratch.clear();
    let two_r = 2.0 * r;
    neighbours.for_each_candidate(i, stamp, |j| {
        let (dx, dy) = local_offset_m(c, elements[j as usize]);
        let d2 = dx * dx + dy * dy;
        if d2 < two_r * two_r {
            let h = (d2.sqrt() / two_r).acos();
            let s = (dy.atan2(dx) - h).rem_euclid(TAU);
            scratch.push(Interval { s, e: s + 2.0 * h, j });
        }
    });
    if scratch.is_empty() {
        return false;
    }
    scratch.sort_unstable_by(|x, y| x.s.total_cmp(&y.s));
    // Merge on the unrolled line; `start_j` of a merged run is the first
    // interval's neighbour (smallest start), `end_j` the one reaching furthest.
    let mut merged: Vec<(f64, f64, u32, u32)> = Vec::new();
    for iv in scratch.iter() {
        match merged.last_mut() {
            Some(m) if iv.s <= m.1 => {
                if iv.e > m.1 {
                    m.1 = iv.e;
                    m.3 = iv.j;
                }
            }
            _ => merged.push((iv.s, iv.e, iv.j, iv.j)),
        }
    }
    // The last run may wrap past 2π over the first ones.
    while merged.len() > 1 {
        let last = merged[merged.len() - 1];
        let first = merged[0];
        if last.1 - TAU < first.0 {
            break;
        }
        let n = merged.len();
        if first.1 + TAU > last.1 {
            merged[n - 1].1 = first.1 + TAU;
            merged[n - 1].3 = first.3;
        }
        merged.remove(0);
    }
    if merged.len() == 1 && merged[0].1 - merged[0].0 >= TAU {
        return true; // fully covered: contributes nothing to the boundary
    }
    let m = merged.len();
    for k in 0..m {
        let cur = merged[k];
        let next = merged[(k + 1) % m];
        let b = if k + 1 < m { next.0 } else { next.0 + TAU };
        arcs.push(Arc {
            circle: i,
            a: cur.1,
            b: b.max(cur.1),
            exits: cur.3,
            enters: next.2,
        });
    }
    true
}

/// Ring area in square metres (shoelace in a local frame), positive when
/// counter-clockwise.
pub(crate) fn ring_signed_area_m2(ring: &[[f64; 2]]) -> f64 {
    let Some(&o) = ring.first() else { return 0.0 };
    let mut acc = 0.0;
    let mut prev = (0.0, 0.0);
    for p in ring.iter().skip(1) {
        let cur = local_offset_m(o, *p);
        acc += prev.0 * cur.1 - cur.0 * prev.1;
        prev = cur;
    }
    acc * 0.5
}

/// Elements whose arcs one triangulation serves (see [`union_of_circles`]).
const STRIP: usize = 1 << 16;

/// Builds the union of circles of radius `r` around `elements` (checked,
/// deduplicated positions, so sorted by latitude) as a MultiPolygon in
/// `[lng, lat]` degrees.
///
/// The triangulation is the memory peak (spade keeps ~150 bytes per site:
/// 75 MB at 500k elements, too much beside the rest in a 128 MB Worker), so
/// it is built strip by strip: for each run of [`STRIP`] elements, over
/// them and every element within 2r of latitude of them. Only disks closer
/// than 2r cut a circle, and every Delaunay edge of the whole set between
/// two elements of a strip is an edge of the strip's triangulation too (its
/// empty circle stays empty in a subset), so each circle sees the same
/// disks and the arcs are those of one whole triangulation.
pub fn union_of_circles(elements: &[[f64; 2]], r: f64, max_error: f64) -> MultiPolygon<f64> {
    union_in_strips(elements, r, max_error, STRIP)
}

fn union_in_strips(elements: &[[f64; 2]], r: f64, max_error: f64, strip: usize) -> MultiPolygon<f64> {
    let step = vertex_step(r, max_error);
    let lng0 = elements.first().map_or(0.0, |p| p[0]);
    let margin_deg = 2.0 * r / crate::geodesy::MIN_M_PER_DEG_LAT * 1.01;
    let mut arcs: Vec<Arc> = Vec::new();
    let mut rings: Vec<Vec<[f64; 2]>> = Vec::new();
    let mut scratch = Vec::new();
    let mut stamp = vec![u32::MAX; elements.len()];
    // Strips need elements in latitude order, as `check_elements` leaves them.
    let strip = if elements.windows(2).all(|w| w[0][1] <= w[1][1]) {
        strip.max(1)
    } else {
        usize::MAX
    };
    let mut core = 0;
    while core < elements.len() {
        let end = core.saturating_add(strip).min(elements.len());
        let lo = elements.partition_point(|p| p[1] < elements[core][1] - margin_deg);
        let hi = elements.partition_point(|p| p[1] <= elements[end - 1][1] + margin_deg);
        let neighbours = delaunay_neighbours(elements, lo as u32..hi as u32, lng0);
        for i in core as u32..end as u32 {
            if !uncovered_arcs(i, elements, &neighbours, r, (&mut scratch, &mut stamp), &mut arcs) {
                let mut ring = Vec::new();
                push_arc(&mut ring, elements[i as usize], r, 0.0, TAU, step);
                rings.push(ring);
            }
        }
        core = end;
    }
    rings.extend(chain_arcs(&arcs, elements, r, step));
    assemble(rings, max_error)
}

/// Links arcs into closed rings by the leave/enter rule (with a nearest-point
/// fallback for degenerate triple points).
fn chain_arcs(arcs: &[Arc], elements: &[[f64; 2]], r: f64, step: f64) -> Vec<Vec<[f64; 2]>> {
    let mut by_start: FxHashMap<(u32, u32), u32> = FxHashMap::default();
    by_start.reserve(arcs.len());
    for (k, a) in arcs.iter().enumerate() {
        by_start.insert((a.circle, a.exits), k as u32);
    }
    // Arcs are generated circle by circle: index the range of each circle.
    let mut first_of: FxHashMap<u32, (u32, u32)> = FxHashMap::default();
    for (k, a) in arcs.iter().enumerate() {
        first_of
            .entry(a.circle)
            .and_modify(|e| e.1 = k as u32 + 1)
            .or_insert((k as u32, k as u32 + 1));
    }
    let end_point = |a: &Arc| crate::geodesy::destination(elements[a.circle as usize], a.b, r);
    let start_point = |a: &Arc| crate::geodesy::destination(elements[a.circle as usize], a.a, r);
    let mut used = vec![false; arcs.len()];
    let mut rings = Vec::new();
    for start in 0..arcs.len() {
        if used[start] {
            continue;
        }
        let mut ring = Vec::new();
        let mut k = start;
        loop {
            used[k] = true;
            let a = arcs[k];
            push_arc(&mut ring, elements[a.circle as usize], r, a.a, a.b, step);
            let next = by_start
                .get(&(a.enters, a.circle))
                .copied()
                .filter(|&n| !used[n as usize] || n as usize == start)
                .or_else(|| {
                    // Degenerate meeting of three or more circles: take the
                    // closest unused start on the circle we enter.
                    let p = end_point(&a);
                    let (s, e) = first_of.get(&a.enters).copied()?;
                    (s..e)
                        .filter(|&n| !used[n as usize] || n as usize == start)
                        .min_by(|&x, &y| {
                            let dx = local_offset_m(p, start_point(&arcs[x as usize]));
                            let dy = local_offset_m(p, start_point(&arcs[y as usize]));
                            dx.0.hypot(dx.1).total_cmp(&dy.0.hypot(dy.1))
                        })
                });
            match next {
                Some(n) if n as usize != start => k = n as usize,
                _ => break,
            }
        }
        rings.push(ring);
    }
    rings
}

/// Closes rings, drops degenerate slivers, and nests holes in the smallest
/// exterior that holds them.
fn assemble(rings: Vec<Vec<[f64; 2]>>, max_error: f64) -> MultiPolygon<f64> {
    let min_area = 0.5 * max_error * max_error;
    let mut shells: Vec<(Vec<[f64; 2]>, f64, [f64; 4])> = Vec::new();
    let mut holes: Vec<Vec<[f64; 2]>> = Vec::new();
    for mut ring in rings {
        // Keep longitudes continuous around the ring.
        for k in 1..ring.len() {
            ring[k][0] = ring[k - 1][0] + wrap_lng_delta(ring[k][0] - ring[k - 1][0]);
        }
        ring.dedup_by(|b, a| (a[0] - b[0]).abs() < 1e-11 && (a[1] - b[1]).abs() < 1e-11);
        while ring.len() > 1 && {
            let (f, l) = (ring[0], ring[ring.len() - 1]);
            (f[0] - l[0]).abs() < 1e-11 && (f[1] - l[1]).abs() < 1e-11
        } {
            ring.pop();
        }
        if ring.len() < 3 {
            continue;
        }
        ring.push(ring[0]);
        let area = ring_signed_area_m2(&ring);
        if area.abs() < min_area {
            continue;
        }
        if area > 0.0 {
            let bbox = ring_bbox(&ring);
            shells.push((ring, area, bbox));
        } else {
            holes.push(ring);
        }
    }
    let mut polys: Vec<(Ring, Vec<Ring>)> = shells.iter().map(|s| (s.0.clone(), Vec::new())).collect();
    for hole in holes {
        let p = hole[0];
        let owner = shells
            .iter()
            .enumerate()
            .filter(|(_, s)| p[0] >= s.2[0] && p[0] <= s.2[2] && p[1] >= s.2[1] && p[1] <= s.2[3])
            .filter(|(_, s)| point_in_ring(p, &s.0))
            .min_by(|a, b| a.1 .1.total_cmp(&b.1 .1))
            .map(|(k, _)| k);
        if let Some(k) = owner {
            polys[k].1.push(hole);
        }
    }
    let to_ls = |r: Vec<[f64; 2]>| LineString::new(r.into_iter().map(|p| Coord { x: p[0], y: p[1] }).collect());
    let mut out: Vec<Polygon<f64>> = polys
        .into_iter()
        .map(|(ext, hs)| Polygon::new(to_ls(ext), hs.into_iter().map(to_ls).collect()))
        .collect();
    // A canonical order: west to east, then south to north.
    out.sort_by(|a, b| {
        let (pa, pb) = (a.exterior().0[0], b.exterior().0[0]);
        pa.x.total_cmp(&pb.x).then(pa.y.total_cmp(&pb.y))
    });
    MultiPolygon::new(out)
}

fn ring_bbox(ring: &[[f64; 2]]) -> [f64; 4] {
    ring.iter().fold(
        [f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY],
        |b, p| [b[0].min(p[0]), b[1].min(p[1]), b[2].max(p[0]), b[3].max(p[1])],
    )
}

/// Even-odd crossing test in the lng/lat plane; fine at ring scale, where
/// edges are metres long.
fn point_in_ring(p: [f64; 2], ring: &[[f64; 2]]) -> bool {
    let mut inside = false;
    for w in ring.windows(2) {
        let (a, b) = (w[0], w[1]);
        if (a[1] > p[1]) != (b[1] > p[1]) {
            let x = a[0] + (p[1] - a[1]) / (b[1] - a[1]) * (b[0] - a[0]);
            if x > p[0] {
                inside = !inside;
            }
        }
    }
    inside
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geodesy::destination;
    use geo::Validation;

    const FLORIPA: [f64; 2] = [-48.5482, -27.5949];

    #[test]
    fn one_element_is_one_circle() {
        let mp = union_of_circles(&[FLORIPA], 300.0, 0.5);
        assert_eq!(mp.0.len(), 1);
        assert!(mp.0[0].interiors().is_empty());
        assert!(mp.is_valid());
    }

    #[test]
    fn strips_give_the_union_of_one_triangulation() {
        for (centre, r) in [(FLORIPA, 300.0), (FLORIPA, 1_500.0), ([25.0, 79.0], 300.0)] {
            let pts = crate::check_elements(&crate::synth::city_around(centre, 20_000, 4)).expect("valid");
            let whole = union_in_strips(&pts, r, 0.5, usize::MAX);
            let strips = union_in_strips(&pts, r, 0.5, 1_000);
            assert_eq!(strips, whole, "around {centre:?} at r = {r}");
            let vertices: usize = whole.0.iter().map(|p| p.exterior().0.len()).sum();
            assert!(vertices > 1_000, "a non-trivial boundary: {vertices} vertices");
        }
    }

    #[test]
    fn zero_elements_is_empty() {
        assert!(union_of_circles(&[], 300.0, 0.5).0.is_empty());
    }

    #[test]
    fn two_overlapping_make_one_part_two_apart_make_two() {
        let b = destination(FLORIPA, 0.0, 400.0);
        assert_eq!(union_of_circles(&[FLORIPA, b], 300.0, 0.5).0.len(), 1);
        let c = destination(FLORIPA, 0.0, 700.0);
        assert_eq!(union_of_circles(&[FLORIPA, c], 300.0, 0.5).0.len(), 2);
    }

    #[test]
    fn a_ring_of_circles_keeps_its_hole() {
        let pts: Vec<_> = (0..24)
            .map(|k| destination(FLORIPA, k as f64 * TAU / 24.0, 1_000.0))
            .collect();
        let mp = union_of_circles(&pts, 300.0, 0.5);
        assert_eq!(mp.0.len(), 1);
        assert_eq!(mp.0[0].interiors().len(), 1);
        assert!(mp.is_valid(), "{:?}", mp.validation_errors());
    }

    #[test]
    fn nested_element_adds_nothing() {
        let inner = destination(FLORIPA, 1.0, 1.0);
        let a = union_of_circles(&[FLORIPA], 300.0, 0.5);
        let b = union_of_circles(&[FLORIPA, inner], 300.0, 0.5);
        assert_eq!(b.0.len(), 1);
        let area = |m: &MultiPolygon<f64>| {
            ring_signed_area_m2(&m.0[0].exterior().0.iter().map(|c| [c.x, c.y]).collect::<Vec<_>>())
        };
        assert!((area(&b) - area(&a)).abs() / area(&a) < 0.01);
    }
}
