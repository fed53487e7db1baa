//! A KV cell value as stored bytes: decodes to a value or an error, never a
//! panic; a decoded value re-encodes to the same value and answers lookups
//! with finite distances within each provider's radius.
#![no_main]
use coverage::cell::CellId;
use coverage::codec::CellValue;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let cell = CellId::of([-48.5482, -27.5949]);
    let Ok(v) = CellValue::decode(data, cell) else { return };
    let again = v.encode().expect("a decoded value encodes");
    assert_eq!(CellValue::decode(&again, cell).expect("re-decodes"), v);
    let o = cell.origin();
    for h in v.lookup([o[0] + 0.005, o[1] + 0.005]) {
        assert!(h.distance_m.is_finite() && h.distance_m <= h.provider.radius_m + 1e-6);
    }
});
