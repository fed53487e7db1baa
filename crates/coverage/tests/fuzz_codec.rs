//! Property tests of the cell codec (the `cell` cargo-fuzz target in `fuzz/`
//! explores it by coverage): arbitrary bytes, and
//! mutations of valid encodings, must decode to a value or an error, never a
//! panic; whatever decodes must re-encode to the same bytes.

use coverage::cell::CellId;
use coverage::codec::{CellProvider, CellValue};
use proptest::prelude::*;

fn valid() -> (CellId, Vec<u8>) {
    let cell = CellId::of([-48.5482, -27.5949]);
    let o = cell.origin();
    let v = CellValue {
        cell,
        providers: vec![
            CellProvider {
                id: "a".into(),
                name: "Á".into(),
                version: 1,
                updated_at_ms: 5,
                radius_m: 300.0,
                elements: vec![[o[0] + 0.001, o[1] + 0.002]],
            },
            CellProvider {
                id: "b".into(),
                name: "B".into(),
                version: 9,
                updated_at_ms: 7,
                radius_m: 150.0,
                elements: vec![[o[0], o[1]], [o[0] + 0.02, o[1] - 0.01]],
            },
        ],
    };
    (cell, v.encode().expect("encodes"))
}

fn corpus() -> Vec<Vec<u8>> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fuzz/corpus/cell");
    std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| std::fs::read(e.ok()?.path()).ok()).collect())
        .unwrap_or_default()
}

fn roundtrip_or_error(bytes: &[u8], cell: CellId) {
    if let Ok(v) = CellValue::decode(bytes, cell) {
        let again = v.encode().expect("a decoded value encodes");
        assert_eq!(CellValue::decode(&again, cell).expect("re-decodes"), v);
    }
}

#[test]
fn corpus_seeds_never_panic() {
    let (cell, good) = valid();
    let seeds = corpus();
    assert!(!seeds.is_empty(), "fuzz/corpus/cell holds seeds");
    for s in seeds.iter().chain([&good]) {
        roundtrip_or_error(s, cell);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3_000))]

    #[test]
    fn arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        roundtrip_or_error(&bytes, valid().0);
    }

    #[test]
    fn mutated_valid_values(edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..6), cut in any::<usize>()) {
        let (cell, mut b) = valid();
        for (i, x) in edits {
            let n = b.len();
            b[i % n] = x;
        }
        let n = b.len();
        b.truncate(cut % (n + 1));
        roundtrip_or_error(&b, cell);
    }

    #[test]
    fn cell_keys(s in "\\PC{0,24}") {
        if let Ok(c) = CellId::parse(&s) {
            prop_assert_eq!(CellId::parse(&c.key()), Ok(c));
        }
    }
}
