#!/usr/bin/env bash
# A bounded cargo-fuzz run of every target in fuzz/ (FUZZ_SECONDS each,
# default 15), starting from the committed corpus in fuzz/corpus/<target>.
# New inputs go to a scratch directory, so the committed corpus stays as
# it is; a crash fails the run and leaves its input in fuzz/artifacts/<target>/.
#
# `-s none`: libFuzzer's coverage guidance without AddressSanitizer. Our
# code forbids `unsafe`, so what the fuzzer can find is panics, hangs and
# runaway memory, which libFuzzer reports on its own; and it builds on the
# stable toolchain (sanitizers need nightly).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT/fuzz"
seconds="${FUZZ_SECONDS:-15}"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
log="$scratch/log"
if ! cargo fuzz build -s none > "$log" 2>&1; then
  tail -40 "$log"
  exit 1
fi
for target in $(cargo fuzz list); do
  mkdir -p "$scratch/$target" "corpus/$target"
  printf '\033[1m[fuzz]\033[0m %s for %ss\n' "$target" "$seconds"
  # -rss_limit_mb: a decoder that allocates what a header claims is a bug too.
  if ! cargo fuzz run -s none "$target" "$scratch/$target" "corpus/$target" -- \
    -max_total_time="$seconds" -rss_limit_mb=1024 -timeout=5 -print_final_stats=1 > "$log" 2>&1; then
    tail -40 "$log"
    echo "fuzz target $target failed; its input is in fuzz/artifacts/$target/" >&2
    exit 1
  fi
  grep -E '^(Done|stat::peak_rss_mb)' "$log" || true
done
