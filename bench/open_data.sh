#!/usr/bin/env bash
# Benchmark of the open data's bulk download: a year of releases streamed as one OCDS release
# package, from a bureau seeded like the to-do benchmark (2,000 organizations, 300 calls,
# 500 contracts with milestones, payments and evaluations), then the same again seeded on
# top (2×). For each size: the time to stream the year, its size, the releases in it, and
# the server's peak resident memory (VmHWM, a fresh server per run) against the same
# server's after serving only /health. Release build.
# Usage: bash bench/open_data.sh [sqlite|postgres]
set -euo pipefail
cd "$(dirname "$0")/.."
DBKIND=${1:-sqlite}
PORT=8094
PASSWORD='bench open data password 2026'
cargo build --release -q
BIN=target/release/fuhua
WORK=$(mktemp -d)
trap 'kill "${SERVER:-0}" 2>/dev/null || true; rm -rf "$WORK"' EXIT
case "$DBKIND" in
  sqlite) export FUHUA_DATABASE_URL="sqlite://$WORK/bench.db?mode=rwc" ;;
  postgres)
    psql -h 127.0.0.1 -U postgres -d test -qc "DROP DATABASE IF EXISTS fuhua_bench_od" -c "CREATE DATABASE fuhua_bench_od"
    export FUHUA_DATABASE_URL=postgres://postgres@127.0.0.1:5432/fuhua_bench_od ;;
esac
export FUHUA_DATA_DIR=$WORK/data FUHUA_MAIL_DIR=$WORK/mail FUHUA_OUTBOX_INTERVAL_SECS=0
YEAR=$(date -u +%Y)

serve() {
  ROCKET_PORT=$PORT ROCKET_LOG_LEVEL=off $BIN serve >"$WORK/server.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.2; done
}
peak_kib() { awk '/VmHWM/ {print $2}' "/proc/$SERVER/status"; }

measure() { # label
  serve
  local base start end size releases
  base=$(peak_kib)
  start=$(date +%s.%N)
  curl -sf "http://127.0.0.1:$PORT/api/v1/open-data/$YEAR/releases.json" -o "$WORK/year.json"
  end=$(date +%s.%N)
  size=$(stat -c %s "$WORK/year.json")
  releases=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['releases']))" "$WORK/year.json")
  printf '| %-8s | %-4s | %8s | %9.2f s | %8.1f MiB | %8.1f MiB | %8.1f MiB |\n' "$DBKIND" "$1" "$releases" \
    "$(echo "$end - $start" | bc)" "$(echo "$size / 1048576" | bc -l)" "$(echo "$base / 1024" | bc -l)" "$(echo "$(peak_kib) / 1024" | bc -l)"
  kill $SERVER; wait $SERVER 2>/dev/null || true
}

$BIN bench-seed --count 2000 >/dev/null
$BIN bench-seed-bids --orgs 1 --deadline-secs 600 --password "$PASSWORD" >/dev/null
$BIN bench-seed-todo --password "$PASSWORD" >/dev/null
echo "| database | data | releases | stream time | size | peak before | peak after |"
echo "|----------|------|----------|-------------|------|-------------|------------|"
measure 1x
$BIN bench-seed-todo --password "$PASSWORD" >/dev/null
measure 2x
