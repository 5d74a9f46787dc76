#!/usr/bin/env bash
# Memory and login latency under the heaviest uploads: 20 parallel 10 MiB bid attachments,
# then a 20,000-row organization import with a client logging in every 100 ms; on SQLite
# and on PostgreSQL. Release build; Node 20 (bench/import_load.mjs) on loopback.
# Usage: bash bench/import_load.sh [rows]
# Prints one table row per database; details go to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-20000}
ORGS=20
PORT=8094
command -v node >/dev/null || { echo "bench/import_load.sh needs Node 20" >&2; exit 1; }
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
  ROCKET_PORT=$PORT ROCKET_LOG_LEVEL=critical $BIN serve >"$WORK/server-$DB.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.2; done
  local seeded call
  seeded=$($BIN bench-seed-bids --orgs "$ORGS" --deadline-secs 3600 --password "$PASSWORD")
  call=$(sed -n 's/^Added call \([0-9]*\) .*/\1/p' <<<"$seeded")
  node bench/import_load.mjs --base "http://127.0.0.1:$PORT" --call "$call" --orgs "$ORGS" --rows "$ROWS" \
    --password "$PASSWORD" --label "$DB" --server-pid "$SERVER"
  kill $SERVER; wait $SERVER 2>/dev/null || true
  grep -iE "error|panic" "$WORK/server-$DB.log" | sort | uniq -c | sort -rn | head -n 10 | sed "s/^/# $DB: server: /" >&2 || true
}

echo "| database   | idle MiB | 20 uploads peak MiB | 5 s after | stored | import s | import peak MiB | 5 s after | login p99 alone ms | logins during import | p50 ms | p99 ms | max ms | failed |"
echo "|------------|----------|---------------------|-----------|--------|----------|-----------------|-----------|--------------------|----------------------|--------|--------|--------|--------|"
bench_db sqlite "sqlite://$WORK/bench.db?mode=rwc"
if pg_isready -h 127.0.0.1 -p 5432 -q; then
  psql -h 127.0.0.1 -U postgres -d postgres -q -c "DROP DATABASE IF EXISTS fuhua_bench_import" -c "CREATE DATABASE fuhua_bench_import"
  bench_db postgres "postgres://postgres@127.0.0.1:5432/fuhua_bench_import"
fi
