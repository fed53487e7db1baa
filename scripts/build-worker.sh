#!/usr/bin/env bash
# Builds crates/edge into crates/edge/build (worker-build: cargo, wasm-bindgen, wasm-opt, shim).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT/crates/edge"
"$WORKER_BUILD_BIN" --release 2>&1 | grep -v '^\[INFO\]' || true
test -f build/index.js
