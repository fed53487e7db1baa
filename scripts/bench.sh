#!/usr/bin/env bash
# `make bench`: our native and wasm32 paths and the baselines of anchors.md
# (Shapely/GEOS, geo's unary_union, Turf where it finishes) on the same
# seeded city-like datasets, in one run; prints a Markdown table.
# SIZES=1000,10000 RUNS=3 make bench for a quick run.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
SIZES="${SIZES:-1000,10000,100000,500000}"
RUNS="${RUNS:-5}"
out=bench/out
mkdir -p "$out"
say() { printf '\033[1m[bench]\033[0m %s\n' "$*" >&2; }

say "installing the baselines (bench/.venv, bench/node_modules)"
[ -x bench/.venv/bin/python ] || python3 -m venv bench/.venv
bench/.venv/bin/pip install -q -r bench/requirements.txt
(cd bench && npm ci --no-audit --no-fund --loglevel=error)

say "building"
cargo build -q --release -p cli
bash scripts/build-www.sh >/dev/null

lines="$out/lines.jsonl"
: > "$lines"
say "native (coverage-bench)"
./target/release/coverage-bench --sizes "$SIZES" --runs "$RUNS" --geo-max 100000 --out-dir "$out" | tee -a "$lines" >&2
IFS=, read -ra sizes <<< "$SIZES"
for n in "${sizes[@]}"; do
  pts="$out/city-$n.json"; qs="$out/queries-$n.json"
  rss=$(/usr/bin/time -f '%M' ./target/release/coverage build --points "$pts" --radius 300 2>&1 >/dev/null | tail -1)
  echo "{\"n\": $n, \"native_rss_mb\": $(( rss / 1024 ))}" >> "$lines"
  say "wasm32 $n"
  node bench/wasm_bench.mjs "$pts" "$qs" 3 | tee -a "$lines" >&2
  say "Shapely $n"
  bench/.venv/bin/python bench/shapely_bench.py "$pts" "$qs" 3 | tee -a "$lines" >&2
  if [ "$n" -le 1000 ]; then
    say "Turf $n (anchors.md: 10k runs out of memory at 4 GB)"
    node bench/turf_bench.mjs "$pts" | tee -a "$lines" >&2
  fi
done
bench/.venv/bin/python bench/report.py "$lines" | tee "$out/results.md"
