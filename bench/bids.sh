#!/usr/bin/env bash
# Deadline burst on sealed bids: 500 organizations each upload two 1 MiB attachments and
# submit a bid in the last 60 s before the deadline, 200 of them revise it, then the
# officer opens the call and every opened digest is checked against the bidder's last
# receipt; on SQLite and on PostgreSQL. Release build; Node 20 (bench/bids.mjs) on loopback.
# Usage: bash bench/bids.sh [orgs] [revisions] [concurrency] [spread seconds]
# Prints one table row per database; details go to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."
ORGS=${1:-500}
REVISIONS=${2:-200}
CONCURRENCY=${3:-48}
SPREAD=${4:-45}
PORT=8093
# Logins (one Argon2 check each) and bid pages before the burst, then the 60 s window.
DEADLINE_SECS=$((90 + ORGS / 8))
command -v node >/dev/null || { echo "bench/bids.sh needs Node 20" >&2; exit 1; }
cargo build --release -q
BIN=target/release/fuhua
WORK=$(mktemp -d)
trap 'kill "${SERVER:-0}" 2>/dev/null || true; rm -rf "$WORK"' EXIT
PASSWORD="bench-password-123"

bench_db() { # name url
  DB=$1
  export FUHUA_DATABASE_URL=$2 FUHUA_DATA_DIR=$WORK/data FUHUA_MAIL_DIR=$WORK/mail FUHUA_OUTBOX_INTERVAL_SECS=0
  export FUHUA_PUBLIC_ORIGIN="http://127.0.0.1:$PORT"
  $BIN migrate >/dev/null
  # Start the server first, so the seed's deadline is not eaten by its start-up.
  FUHUA_PAGE_CACHE=false ROCKET_PORT=$PORT ROCKET_LOG_LEVEL=critical $BIN serve >"$WORK/server-$DB.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.2; done
  local seeded call deadline
  seeded=$($BIN bench-seed-bids --orgs "$ORGS" --deadline-secs "$DEADLINE_SECS" --password "$PASSWORD")
  call=$(sed -n 's/^Added call \([0-9]*\) .*/\1/p' <<<"$seeded")
  deadline=$(sed -n 's/.*bid deadline \(.*\)$/\1/p' <<<"$seeded")
  echo "# $DB: call $call, $ORGS organizations, bid deadline $deadline" >&2
  node bench/bids.mjs --base "http://127.0.0.1:$PORT" --call "$call" --deadline "$deadline" --orgs "$ORGS" \
    --password "$PASSWORD" --label "$DB" --revisions "$REVISIONS" --concurrency "$CONCURRENCY" --spread "$SPREAD" \
    --server-pid "$SERVER"
  kill $SERVER; wait $SERVER 2>/dev/null || true
  grep -iE "error|panic" "$WORK/server-$DB.log" | sort | uniq -c | sort -rn | head -n 10 | sed "s/^/# $DB: server: /" >&2 || true
}

echo "| database   | requests | duration s |   req/s |  p50 ms |  p99 ms | 5xx | other errors | bids opened | digests matching |"
echo "|------------|----------|------------|---------|---------|---------|-----|--------------|-------------|------------------|"
bench_db sqlite "sqlite://$WORK/bench.db?mode=rwc"
if pg_isready -h 127.0.0.1 -p 5432 -q; then
  psql -h 127.0.0.1 -U postgres -d postgres -q -c "DROP DATABASE IF EXISTS fuhua_bench_bids" -c "CREATE DATABASE fuhua_bench_bids"
  bench_db postgres "postgres://postgres@127.0.0.1:5432/fuhua_bench_bids"
fi
