#!/usr/bin/env bash
# Installs what is missing, each item pinned; a second run installs nothing.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# Cargo.lock is committed; make sure it exists before reading versions from it.
[ -f Cargo.lock ] || cargo generate-lockfile

# wasm-bindgen-cli must equal the wasm-bindgen in Cargo.lock. Without
# --locked: the registry mirror may lack a locked dependency of the CLI.
wb="$(lock_version wasm-bindgen)"
if [ "$("$WASM_BINDGEN_BIN" --version 2>/dev/null | awk '{print $2}')" != "$wb" ]; then
  say "installing wasm-bindgen-cli $wb"
  cargo install -q --force wasm-bindgen-cli --version "$wb"
fi

# worker-build must match the worker crate.
wk="$(lock_version worker)"
# (`worker-build --version` prints the bare version.)
if [ "$("$WORKER_BUILD_BIN" --version 2>/dev/null | awk '{print $NF}')" != "$wk" ]; then
  say "installing worker-build $wk"
  cargo install -q --force worker-build --version "$wk"
fi

# cargo-fuzz for the bounded fuzz run (scripts/fuzz.sh).
if [ "$("$CARGO_BIN/cargo-fuzz" --version 2>/dev/null | awk '{print $2}')" != "$CARGO_FUZZ_VERSION" ]; then
  say "installing cargo-fuzz $CARGO_FUZZ_VERSION"
  cargo install -q --force cargo-fuzz --version "$CARGO_FUZZ_VERSION"
fi

# Node 22, wrangler, binaryen, esbuild, playwright-core, maplibre from the lockfile.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages from package-lock.json"
  npm ci --no-audit --no-fund --loglevel=error
fi

# Debian's chromium for the browser tests (playwright-core never downloads one).
if [ ! -x "$CHROMIUM_BIN" ]; then
  say "installing Debian's chromium"
  sudo_="" ; [ "$(id -u)" = 0 ] || sudo_="sudo"
  $sudo_ apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq chromium >/dev/null
fi

# Local secrets for wrangler dev (never committed).
[ -f .dev.vars ] || cp .dev.vars.example .dev.vars
say "ready"
