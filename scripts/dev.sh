#!/usr/bin/env bash
# Runs the system locally: the OZmap mock with three demo ISPs, `wrangler dev`
# (workerd, local KV and Queues in .wrangler/state), the integrations page.
# Registers the demo ISPs and prints where everything is. Ctrl-C stops both.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
PORT="${PORT:-8787}"
MOCK_PORT="${MOCK_PORT:-9994}"
API="http://127.0.0.1:$PORT"
MOCK="http://127.0.0.1:$MOCK_PORT"
PLATFORM_TOKEN="$(grep -E '^PLATFORM_TOKEN=' .dev.vars | cut -d= -f2-)"
LOOKUP_TOKEN="$(grep -E '^LOOKUP_TOKEN=' .dev.vars | cut -d= -f2-)"
say() { printf '\033[1m[dev]\033[0m %s\n' "$*"; }

say "building the page, the mock and the CLI"
bash scripts/build-www.sh
cargo build -q --release -p ozmap-mock -p cli

pids=()
cleanup() {
  trap - EXIT
  say "stopping"
  for p in "${pids[@]}"; do kill -- "-$p" 2>/dev/null || kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
# Ctrl-C (or TERM) exits; leaving runs the cleanup once.
trap cleanup EXIT
trap 'exit 130' INT TERM

set -m # each child in its own process group, so Ctrl-C stops all of it
./target/release/ozmap-mock --port "$MOCK_PORT" --demo-boxes "${DEMO_BOXES:-3000}" &
pids+=($!)
wrangler dev --ip 127.0.0.1 --port "$PORT" --test-scheduled --show-interactive-dev-session=false --log-level warn &
pids+=($!)
set +m

wait_for() { for _ in $(seq 1 240); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.5; done; echo "gave up waiting for $1" >&2; exit 1; }
wait_for "$MOCK/healthz"
wait_for "$API/healthz"

say "registering the demo ISPs"
register() { # id key name distance
  curl -fsS -o /dev/null -X PUT "$API/v1/providers/$1/integration" \
    -H "Authorization: Bearer $PLATFORM_TOKEN" -H 'Content-Type: application/json' \
    -d "{\"name\":\"$3\",\"ozmap_url\":\"$MOCK\",\"api_key\":\"$2\",\"max_distance_m\":$4}"
}
register fibra-ilha demo-key-fibra-ilha "Fibra Ilha" 300
register conecta-sul demo-key-conecta-sul "Conecta Sul" 250
register luz-net demo-key-luz-net "LuzNet" 400

session="$(curl -fsS -X POST "$API/v1/sessions" -H "Authorization: Bearer $PLATFORM_TOKEN" \
  -H 'Content-Type: application/json' -d '{"provider_id":"fibra-ilha","ttl_s":86400}' | sed -E 's/.*"token":"([^"]+)".*/\1/')"

cat <<MSG

  Integrations page (as Fibra Ilha):  $API/#provider=fibra-ilha&token=$session
  API:                                $API/v1   (OpenAPI: $API/v1/openapi.json)
  OZmap mock:                         $MOCK/api/v2   (keys: demo-key-fibra-ilha, demo-key-conecta-sul, demo-key-luz-net)

  The first refreshes take a few seconds. Then try:
    curl -H 'Authorization: Bearer $LOOKUP_TOKEN' '$API/v1/lookup?lat=-27.5949&lng=-48.5482'
    curl -H 'Authorization: Bearer $PLATFORM_TOKEN' $API/v1/providers/fibra-ilha/status
    curl '$API/__scheduled?cron=0+6+*+*+*'     # fire the daily cron

  Ctrl-C stops everything.
MSG
wait
