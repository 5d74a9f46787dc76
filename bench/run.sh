#!/usr/bin/env bash
# Benchmark of the organization list and search at 100,000 organizations, next to a trivial
# route of the same server, on SQLite and on PostgreSQL. Release build; load from wrk on
# loopback. Usage: bash bench/run.sh [count] [seconds]
# Prints one table row per database and route; the README's performance section quotes it.
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${1:-100000}
SECS=${2:-10}
PORT=8091
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
cargo build --release -q
BIN=target/release/fuhua
WORK=$(mktemp -d)
trap 'kill "${SERVER:-0}" 2>/dev/null || true; rm -rf "$WORK"' EXIT

# Percent-encoded query strings: district 吉阳区 is id 2 (DISTRICTS order); "阳光" is a name fragment.
LIST="/organizations?district_id=2"
SEARCH="/organizations?q=%E9%98%B3%E5%85%89"

run() { # label url
  local label=$1 url=$2
  # Throughput: 2 threads, 16 connections. Latency: 1 connection, so queueing does not hide the cost.
  local tp lat
  tp=$(wrk -t2 -c16 -d"${SECS}s" "http://127.0.0.1:$PORT$url" | awk '/Requests\/sec/ {print $2}')
  lat=$(wrk -t1 -c1 -d"${SECS}s" --latency "http://127.0.0.1:$PORT$url" | awk '/^ +50%/ {p50=$2} /^ +99%/ {p99=$2} END {print p50, p99}')
  printf '| %-10s | %-8s | %10s | %8s | %8s |\n' "$DB" "$label" "$tp" $lat
}

serve() { # page cache on or off
  FUHUA_PAGE_CACHE=$1 ROCKET_PORT=$PORT ROCKET_LOG_LEVEL=off $BIN serve >"$WORK/server.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.2; done
  # Warm caches.
  curl -sf "http://127.0.0.1:$PORT$LIST" >/dev/null; curl -sf "http://127.0.0.1:$PORT$SEARCH" >/dev/null
}

bench_db() { # name url
  DB=$1
  export FUHUA_DATABASE_URL=$2 FUHUA_DATA_DIR=$WORK/data FUHUA_MAIL_DIR=$WORK/mail FUHUA_OUTBOX_INTERVAL_SECS=0
  local t0=$(date +%s)
  $BIN bench-seed --count "$COUNT" >/dev/null
  echo "# $DB: seeded $COUNT organizations in $(( $(date +%s) - t0 )) s" >&2
  # Rendered for every request (what an officer, or the first visitor after a change, gets).
  serve false
  run trivial /health
  run list "$LIST"
  run search "$SEARCH"
  kill $SERVER; wait $SERVER 2>/dev/null || true
  # Visitors without an account, registry unchanged: the page cache answers.
  serve true
  run list-pub "$LIST"
  run srch-pub "$SEARCH"
  kill $SERVER; wait $SERVER 2>/dev/null || true
}

echo "| database   | route    |  req/s     | p50      | p99      |"
echo "|------------|----------|------------|----------|----------|"
bench_db sqlite "sqlite://$WORK/bench.db?mode=rwc"
if pg_isready -h 127.0.0.1 -p 5432 -q; then
  psql -h 127.0.0.1 -U postgres -d test -q -c "DROP DATABASE IF EXISTS fuhua_bench" -c "CREATE DATABASE fuhua_bench"
  bench_db postgres "postgres://postgres@127.0.0.1:5432/fuhua_bench"
fi
