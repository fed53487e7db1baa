//! What a lookup caller sends: `GET /v1/lookup` query values and the
//! `POST /v1/lookup` body. Never a panic; whatever is accepted is a finite
//! point in range, at most 1,000 of them, and a refusal names a known code.
#![no_main]
use coverage::cell::CellId;
use edge::lookup::{parse_batch, parse_query, Batch, Refused, MAX_BATCH};
use libfuzzer_sys::fuzz_target;

fn in_range(p: [f64; 2]) {
    assert!(
        p[0].is_finite() && p[1].is_finite() && p[0].abs() <= 180.0 && p[1].abs() <= 90.0,
        "{p:?}"
    );
    // Every accepted point has a cell whose key parses back to it.
    let cell = CellId::of(p);
    assert_eq!(CellId::parse(&cell.key()), Ok(cell));
}

fn known(r: &Refused) {
    assert!(
        ["missing_parameter", "invalid_coordinates", "invalid_batch"].contains(&r.code),
        "{r:?}"
    );
    assert!(!r.message.is_empty());
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let mut parts = text.splitn(2, '&');
        let (lat, lng) = (parts.next(), parts.next());
        match parse_query(lat, lng) {
            Ok(p) => in_range(p),
            Err(r) => known(&r),
        }
    }
    let Ok(batch) = serde_json::from_slice::<Batch>(data) else {
        return;
    };
    match parse_batch(&batch) {
        Ok(points) => {
            assert!(!points.is_empty() && points.len() <= MAX_BATCH);
            points.into_iter().for_each(in_range);
        }
        Err(r) => known(&r),
    }
});
