#!/usr/bin/env bash
# Builds the integrations page into build/www: static files, Leaflet, and
# crates/preview compiled to wasm with its wasm-bindgen JS glue.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
out=build/www
rm -rf "$out"
mkdir -p "$out/vendor" "$out/pkg"
cp -r www/. "$out/"
cp -r node_modules/leaflet/dist/leaflet-src.esm.js node_modules/leaflet/dist/leaflet.css node_modules/leaflet/dist/images "$out/vendor/"
cargo build -q -p preview --target wasm32-unknown-unknown --release
"$WASM_BINDGEN_BIN" --target web --out-dir "$out/pkg" target/wasm32-unknown-unknown/release/preview.wasm
"$WASM_OPT_BIN" -O3 --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
  -o "$out/pkg/preview_bg.wasm" "$out/pkg/preview_bg.wasm" 2>/dev/null || true
