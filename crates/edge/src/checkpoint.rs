//! The binary parts of a refresh checkpoint: the connectables found so far
//! (by a 64-bit hash of the parent id, so 500k boxes fit in a few MB) and
//! the eligible points so far. Corrupt bytes decode to an error.

use ozmap::eligibility::Connectables;
use std::collections::HashMap;

/// FNV-1a: a stable hash of an OZmap id (collisions at a million ids are
/// about 1 in 10^7; a collision can only make an element count as holding
/// its neighbour's splitter).
pub fn id_hash(id: &str) -> u64 {
    id.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

pub fn encode_connectables(map: &HashMap<u64, Connectables>) -> Vec<u8> {
    let mut entries: Vec<_> = map.iter().collect();
    entries.sort_by_key(|(k, _)| **k);
    let mut out = Vec::with_capacity(entries.len() * 20);
    for (k, c) in entries {
        out.extend_from_slice(&k.to_le_bytes());
        out.extend_from_slice(&(c.count as u32).to_le_bytes());
        out.extend_from_slice(&c.free.map_or(-1i64, |f| f as i64).to_le_bytes());
    }
    out
}

pub fn decode_connectables(b: &[u8]) -> Option<HashMap<u64, Connectables>> {
    if !b.len().is_multiple_of(20) {
        return None;
    }
    let mut map = HashMap::with_capacity(b.len() / 20);
    for c in b.chunks_exact(20) {
        let k = u64::from_le_bytes(c[0..8].try_into().ok()?);
        let count = u32::from_le_bytes(c[8..12].try_into().ok()?) as usize;
        let free = i64::from_le_bytes(c[12..20].try_into().ok()?);
        map.insert(
            k,
            Connectables {
                count,
                free: usize::try_from(free).ok(),
            },
        );
    }
    Some(map)
}

pub fn encode_points(points: &[[f64; 2]]) -> Vec<u8> {
    points
        .iter()
        .flat_map(|p| p[0].to_le_bytes().into_iter().chain(p[1].to_le_bytes()))
        .collect()
}

pub fn decode_points(b: &[u8]) -> Option<Vec<[f64; 2]>> {
    if !b.len().is_multiple_of(16) {
        return None;
    }
    b.chunks_exact(16)
        .map(|c| {
            Some([
                f64::from_le_bytes(c[0..8].try_into().ok()?),
                f64::from_le_bytes(c[8..16].try_into().ok()?),
            ])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_torn_bytes() {
        let mut m = HashMap::new();
        m.insert(
            id_hash("a"),
            Connectables {
                count: 2,
                free: Some(3),
            },
        );
        m.insert(id_hash("b"), Connectables { count: 1, free: None });
        let b = encode_connectables(&m);
        let back = decode_connectables(&b).unwrap();
        assert_eq!(back.len(), 2);
        assert_eq!(back[&id_hash("a")].free, Some(3));
        assert_eq!(back[&id_hash("b")].free, None);
        assert!(decode_connectables(&b[..b.len() - 1]).is_none());
        let p = vec![[-48.5, -27.6], [1.0, 2.0]];
        assert_eq!(decode_points(&encode_points(&p)), Some(p));
        assert!(decode_points(&[0; 15]).is_none());
        assert_ne!(id_hash("66a1f0c2e4b0a1b2c3d4e501"), id_hash("66a1f0c2e4b0a1b2c3d4e502"));
    }
}
