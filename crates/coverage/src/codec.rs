//! The binary value of one edge cell: for every provider whose coverage
//! reaches the cell, what a lookup needs (id, name, version, update time,
//! radius) and the elements that reach the cell, quantized to 1e-8° (≈1 mm)
//! as offsets from the cell's corner: 8 bytes per element.
//!
//! Layout (little-endian), version 1:
//! `"QIC" 1 | row u32 | col u32 | providers u16 | per provider: id (u8 len,
//! utf-8), name (u16 len, utf-8), version u32, updated_at_ms i64, radius_m f64,
//! n u32, n × (dlng i32, dlat i32) | crc32 of all before`.
//! Decoding checks every length and the checksum and returns an error, never
//! panics, whatever the bytes.

use crate::cell::CellId;
use crate::geodesy::{local_offset_m, wrap_lng_delta};
use std::fmt;

const MAGIC: &[u8; 3] = b"QIC";
pub const FORMAT_VERSION: u8 = 1;
const QUANTUM_DEG: f64 = 1e-8;

/// One provider's share of a cell.
#[derive(Debug, Clone, PartialEq)]
pub struct CellProvider {
    pub id: String,
    pub name: String,
    pub version: u32,
    pub updated_at_ms: i64,
    pub radius_m: f64,
    /// `[lng, lat]` of the elements reaching the cell.
    pub elements: Vec<[f64; 2]>,
}

/// Everything stored under one cell key.
#[derive(Debug, Clone, PartialEq)]
pub struct CellValue {
    pub cell: CellId,
    pub providers: Vec<CellProvider>,
}

/// A provider covering a looked-up point.
#[derive(Debug, Clone, PartialEq)]
pub struct CellHit<'a> {
    pub provider: &'a CellProvider,
    pub distance_m: f64,
}

/// Why bytes are not a cell value.
#[derive(Debug, Clone, PartialEq)]
pub enum DecodeError {
    BadMagic,
    UnsupportedVersion(u8),
    Truncated { at: usize },
    BadChecksum,
    WrongCell { expected: CellId, found: CellId },
    BadUtf8 { at: usize },
    TrailingBytes { at: usize },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadMagic => write!(f, "not a cell value (bad magic)"),
            Self::UnsupportedVersion(v) => write!(f, "cell format version {v} is not supported"),
            Self::Truncated { at } => write!(f, "cell value truncated at byte {at}"),
            Self::BadChecksum => write!(f, "cell value checksum mismatch"),
            Self::WrongCell { expected, found } => {
                write!(f, "cell value for {found:?} stored under {expected:?}")
            }
            Self::BadUtf8 { at } => write!(f, "invalid UTF-8 in cell value at byte {at}"),
            Self::TrailingBytes { at } => write!(f, "unexpected bytes after byte {at}"),
        }
    }
}

impl std::error::Error for DecodeError {}

/// Why a cell value could not be encoded.
#[derive(Debug, Clone, PartialEq)]
pub enum EncodeError {
    TooManyProviders,
    FieldTooLong(&'static str),
    ElementOutOfCellRange([f64; 2]),
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooManyProviders => write!(f, "more than 65535 providers in one cell"),
            Self::FieldTooLong(name) => write!(f, "{name} too long for the cell format"),
            Self::ElementOutOfCellRange(p) => write!(f, "element {p:?} is too far from its cell"),
        }
    }
}

impl std::error::Error for EncodeError {}

impl CellValue {
    pub fn empty(cell: CellId) -> Self {
        Self {
            cell,
            providers: Vec::new(),
        }
    }

    /// Replaces (or adds) one provider's share; an empty share removes it.
    pub fn upsert(&mut self, share: CellProvider) {
        self.providers.retain(|p| p.id != share.id);
        if !share.elements.is_empty() {
            self.providers.push(share);
            self.providers.sort_by(|a, b| a.id.cmp(&b.id));
        }
    }

    pub fn remove(&mut self, provider_id: &str) {
        self.providers.retain(|p| p.id != provider_id);
    }

    /// Providers with an element within their radius of `p`, nearest first.
    pub fn lookup(&self, p: [f64; 2]) -> Vec<CellHit<'_>> {
        let mut hits: Vec<CellHit<'_>> = self
            .providers
            .iter()
            .filter_map(|prov| {
                let r2 = prov.radius_m * prov.radius_m;
                let best = prov
                    .elements
                    .iter()
                    .map(|e| {
                        let (dx, dy) = local_offset_m(p, *e);
                        dx * dx + dy * dy
                    })
                    .fold(f64::INFINITY, f64::min);
                (best <= r2).then(|| CellHit {
                    provider: prov,
                    distance_m: best.sqrt(),
                })
            })
            .collect();
        hits.sort_by(|a, b| {
            a.distance_m
                .total_cmp(&b.distance_m)
                .then_with(|| a.provider.id.cmp(&b.provider.id))
        });
        hits
    }

    pub fn encode(&self) -> Result<Vec<u8>, EncodeError> {
        let n: usize = self.providers.iter().map(|p| p.elements.len()).sum();
        let mut out = Vec::with_capacity(20 + n * 8 + self.providers.len() * 64);
        out.extend_from_slice(MAGIC);
        out.push(FORMAT_VERSION);
        out.extend_from_slice(&self.cell.row.to_le_bytes());
        out.extend_from_slice(&self.cell.col.to_le_bytes());
        let count = u16::try_from(self.providers.len()).map_err(|_| EncodeError::TooManyProviders)?;
        out.extend_from_slice(&count.to_le_bytes());
        let origin = self.cell.origin();
        for p in &self.providers {
            let id_len = u8::try_from(p.id.len()).map_err(|_| EncodeError::FieldTooLong("provider id"))?;
            out.push(id_len);
            out.extend_from_slice(p.id.as_bytes());
            let name_len = u16::try_from(p.name.len()).map_err(|_| EncodeError::FieldTooLong("provider name"))?;
            out.extend_from_slice(&name_len.to_le_bytes());
            out.extend_from_slice(p.name.as_bytes());
            out.extend_from_slice(&p.version.to_le_bytes());
            out.extend_from_slice(&p.updated_at_ms.to_le_bytes());
            out.extend_from_slice(&p.radius_m.to_le_bytes());
            let n = u32::try_from(p.elements.len()).map_err(|_| EncodeError::FieldTooLong("element list"))?;
            out.extend_from_slice(&n.to_le_bytes());
            for e in &p.elements {
                let q = |d: f64| {
                    let v = (d / QUANTUM_DEG).round();
                    (v.abs() < i32::MAX as f64).then_some(v as i32)
                };
                let (Some(x), Some(y)) = (q(wrap_lng_delta(e[0] - origin[0])), q(e[1] - origin[1])) else {
                    return Err(EncodeError::ElementOutOfCellRange(*e));
                };
                out.extend_from_slice(&x.to_le_bytes());
                out.extend_from_slice(&y.to_le_bytes());
            }
        }
        let crc = crc32fast::hash(&out);
        out.extend_from_slice(&crc.to_le_bytes());
        Ok(out)
    }

    /// Decodes a value read under the key of `expected`.
    pub fn decode(bytes: &[u8], expected: CellId) -> Result<Self, DecodeError> {
        if bytes.len() < 4 || &bytes[..3] != MAGIC {
            return Err(DecodeError::BadMagic);
        }
        if bytes[3] != FORMAT_VERSION {
            return Err(DecodeError::UnsupportedVersion(bytes[3]));
        }
        if bytes.len() < 4 + 4 + 4 + 2 + 4 {
            return Err(DecodeError::Truncated { at: bytes.len() });
        }
        let (body, crc) = bytes.split_at(bytes.len() - 4);
        let crc = u32::from_le_bytes([crc[0], crc[1], crc[2], crc[3]]);
        if crc32fast::hash(body) != crc {
            return Err(DecodeError::BadChecksum);
        }
        let mut r = Reader { buf: body, at: 4 };
        let cell = CellId {
            row: r.u32()?,
            col: r.u32()?,
        };
        if cell != expected {
            return Err(DecodeError::WrongCell { expected, found: cell });
        }
        let origin = cell.origin();
        let count = r.u16()? as usize;
        let mut providers = Vec::with_capacity(count.min(1024));
        for _ in 0..count {
            let id_len = r.u8()? as usize;
            let id = r.str(id_len)?;
            let name_len = r.u16()? as usize;
            let name = r.str(name_len)?;
            let version = r.u32()?;
            let updated_at_ms = i64::from_le_bytes(r.array()?);
            let radius_m = f64::from_le_bytes(r.array()?);
            let n = r.u32()? as usize;
            if n.checked_mul(8).is_none_or(|b| b > r.buf.len() - r.at) {
                return Err(DecodeError::Truncated { at: r.at });
            }
            let mut elements = Vec::with_capacity(n);
            for _ in 0..n {
                let x = i32::from_le_bytes(r.array()?) as f64 * QUANTUM_DEG;
                let y = i32::from_le_bytes(r.array()?) as f64 * QUANTUM_DEG;
                let mut lng = origin[0] + x;
                if lng >= 180.0 {
                    lng -= 360.0;
                } else if lng < -180.0 {
                    lng += 360.0;
                }
                elements.push([lng, origin[1] + y]);
            }
            providers.push(CellProvider {
                id,
                name,
                version,
                updated_at_ms,
                radius_m,
                elements,
            });
        }
        if r.at != body.len() {
            return Err(DecodeError::TrailingBytes { at: r.at });
        }
        Ok(Self { cell, providers })
    }
}

struct Reader<'a> {
    buf: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], DecodeError> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.buf.len());
        let end = end.ok_or(DecodeError::Truncated { at: self.at })?;
        let s = &self.buf[self.at..end];
        self.at = end;
        Ok(s)
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let s = self.take(N)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }
    fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.array::<1>()?[0])
    }
    fn u16(&mut self) -> Result<u16, DecodeError> {
        Ok(u16::from_le_bytes(self.array()?))
    }
    fn u32(&mut self) -> Result<u32, DecodeError> {
        Ok(u32::from_le_bytes(self.array()?))
    }
    fn str(&mut self, n: usize) -> Result<String, DecodeError> {
        let at = self.at;
        let s = self.take(n)?;
        String::from_utf8(s.to_vec()).map_err(|_| DecodeError::BadUtf8 { at })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cell::tile;

    fn sample() -> CellValue {
        let elements = vec![[-48.5482, -27.5949], [-48.5470, -27.5960], [-48.5523, -27.5901]];
        let (cell, elems) = tile(&elements, 300.0).into_iter().next().expect("a cell");
        CellValue {
            cell,
            providers: vec![CellProvider {
                id: "isp-a".into(),
                name: "Fibra Ágil".into(),
                version: 3,
                updated_at_ms: 1_764_000_000_000,
                radius_m: 300.0,
                elements: elems,
            }],
        }
    }

    #[test]
    fn round_trips_within_a_millimetre_at_eight_bytes_per_element() {
        let v = sample();
        let bytes = v.encode().expect("encodes");
        let fixed = 3 + 1 + 8 + 2 + 4 + (1 + 5 + 2 + "Fibra Ágil".len() + 4 + 8 + 8 + 4);
        assert_eq!(bytes.len(), fixed + 8 * v.providers[0].elements.len());
        let back = CellValue::decode(&bytes, v.cell).expect("decodes");
        assert_eq!(back.providers[0].name, "Fibra Ágil");
        for (a, b) in v.providers[0].elements.iter().zip(&back.providers[0].elements) {
            let (dx, dy) = local_offset_m(*a, *b);
            assert!(dx.hypot(dy) < 1e-3);
        }
    }

    #[test]
    fn rejects_every_truncation_and_every_bit_flip_without_panicking() {
        let v = sample();
        let bytes = v.encode().expect("encodes");
        for n in 0..bytes.len() {
            assert!(CellValue::decode(&bytes[..n], v.cell).is_err(), "prefix {n}");
        }
        for i in 0..bytes.len() {
            for bit in 0..8 {
                let mut b = bytes.clone();
                b[i] ^= 1 << bit;
                assert!(CellValue::decode(&b, v.cell).is_err(), "flip {i}.{bit}");
            }
        }
    }

    #[test]
    fn refuses_a_value_stored_under_another_cell() {
        let v = sample();
        let other = CellId {
            row: v.cell.row + 1,
            col: v.cell.col,
        };
        let bytes = v.encode().expect("encodes");
        assert!(matches!(
            CellValue::decode(&bytes, other),
            Err(DecodeError::WrongCell { .. })
        ));
    }

    #[test]
    fn upsert_replaces_and_empty_share_removes() {
        let mut v = sample();
        let mut share = v.providers[0].clone();
        share.version = 4;
        v.upsert(share.clone());
        assert_eq!(v.providers.len(), 1);
        assert_eq!(v.providers[0].version, 4);
        share.elements.clear();
        v.upsert(share);
        assert!(v.providers.is_empty());
    }

    #[test]
    fn lookup_sorts_by_distance() {
        let mut v = sample();
        let mut b = v.providers[0].clone();
        b.id = "isp-b".into();
        b.elements = vec![[-48.5479, -27.5950]];
        v.upsert(b);
        let hits = v.lookup([-48.5480, -27.5950]);
        assert_eq!(hits.len(), 2);
        assert_eq!(hits[0].provider.id, "isp-b");
        assert!(hits[0].distance_m <= hits[1].distance_m);
    }
}
