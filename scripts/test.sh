#!/usr/bin/env bash
# Every test: native workspace tests, wasm32 builds, and the end-to-end suite
# against a real `wrangler dev` and the OZmap mock.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
t0=$(date +%s)

step "cargo fmt --check"
cargo fmt --all -- --check
cargo fmt --manifest-path fuzz/Cargo.toml -- --check
step "cargo clippy (native)"
cargo clippy -q --workspace --all-targets -- -D warnings
CARGO_TARGET_DIR="$ROOT/target" cargo clippy -q --manifest-path fuzz/Cargo.toml --all-targets -- -D warnings
step "cargo clippy (wasm32: edge, preview, coverage, ozmap)"
cargo clippy -q --target wasm32-unknown-unknown -p edge -p preview -p coverage -p ozmap -- -D warnings
step "cargo test (native workspace)"
cargo test -q --workspace

step "bounded fuzz run (cargo-fuzz, fuzz/)"
bash scripts/fuzz.sh
step "build: the Worker, the page, the mock and the CLI"
bash scripts/build-worker.sh >/dev/null
bash scripts/build-www.sh
cargo build -q --release -p ozmap-mock -p cli
step "end-to-end (wrangler dev + mock + chromium)"
node --test --test-concurrency=1 --test-timeout=600000 'tests/e2e/*.test.mjs'
printf '\n\033[1mall tests passed in %ss\033[0m\n' "$(( $(date +%s) - t0 ))"
