#!/usr/bin/env bash
# Benchmark of the public portal and the bureau's dashboard on a synthetic city: N
# organizations (bench-seed), then the to-do benchmark's bureau seeded R times over (each
# round adds 600 calls, 500 awarded with their bids, 500 contracts with milestones,
# instalments, payments and evaluations). Defaults: 100,000 organizations and 17 rounds
# (10,200 calls, 8,500 contracts). Next to a trivial route of the same server: the portal's
# front page, the calls list, a district page and the red flags for a visitor (kept pages,
# as the registry's are), and the dashboard for an officer (p50). Release build, wrk on
# loopback. Usage: bash bench/portal.sh [seconds] (ORGS=… ROUNDS=… to change the city)
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-10}
ORGS=${ORGS:-100000}
ROUNDS=${ROUNDS:-17}
PORT=8095
PASSWORD='bench portal password 2026'
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
cargo build --release -q
BIN=target/release/fuhua
WORK=$(mktemp -d)
trap 'kill "${SERVER:-0}" 2>/dev/null || true; rm -rf "$WORK"' EXIT

session() { # email
  local jar="$WORK/jar-$1" token
  token=$(curl -sf -c "$jar" "http://127.0.0.1:$PORT/login" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)
  curl -sf -o /dev/null -b "$jar" -c "$jar" --data-urlencode "csrf=$token" --data-urlencode "email=$1" \
    --data-urlencode "password=$PASSWORD" --data-urlencode "next=/todo" "http://127.0.0.1:$PORT/login"
  awk '!/^#/ && NF >= 7 {printf "%s=%s; ", $6, $7} /^#HttpOnly_/ {printf "%s=%s; ", $6, $7}' "$jar"
}

run() { # label url cookie marker
  local label=$1 url=$2 cookie=$3 marker=$4 tp lat
  curl -sf -H "Cookie: $cookie" "http://127.0.0.1:$PORT$url" -o "$WORK/page.html"
  grep -q "$marker" "$WORK/page.html" || { echo "not the page asked for: $label" >&2; exit 1; }
  tp=$(wrk -t2 -c16 -d"${SECS}s" -H "Cookie: $cookie" "http://127.0.0.1:$PORT$url" | awk '/Requests\/sec/ {print $2}')
  lat=$(wrk -t1 -c1 -d"${SECS}s" --latency -H "Cookie: $cookie" "http://127.0.0.1:$PORT$url" | awk '/^ +50%/ {p50=$2} /^ +99%/ {p99=$2} END {print p50, p99}')
  printf '| %-10s | %-12s | %10s | %8s | %8s |\n' "$DB" "$label" "$tp" $lat
}

bench_db() { # name url
  DB=$1
  export FUHUA_DATABASE_URL=$2 FUHUA_DATA_DIR=$WORK/data-$1 FUHUA_MAIL_DIR=$WORK/mail FUHUA_OUTBOX_INTERVAL_SECS=0
  local t0=$SECONDS
  $BIN bench-seed --count "$ORGS" >/dev/null
  $BIN bench-seed-bids --orgs 1 --deadline-secs 600 --password "$PASSWORD" >/dev/null
  for _ in $(seq 1 "$ROUNDS"); do $BIN bench-seed-todo --password "$PASSWORD" >/dev/null; done
  echo "# $DB: seeded $ORGS organizations and $ROUNDS rounds in $((SECONDS - t0)) s" >&2
  ROCKET_PORT=$PORT ROCKET_LOG_LEVEL=off $BIN serve >"$WORK/server.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.2; done
  local officer district
  officer=$(session bench-officer@fuhua.local)
  district=$(curl -sf "http://127.0.0.1:$PORT/api/v1/portal" | python3 -c "import json,sys; print(json.load(sys.stdin)['districts'][0]['id'])")
  run trivial /health "" ok
  run home / "" 'id="open-h"'
  run calls /calls "" '<table'
  run district "/districts/$district" "" 'id="projects"'
  run red-flags /integrity "" 'id="rules"'
  run dashboard /dashboard "$officer" 'svg class="chart"'
  kill $SERVER; wait $SERVER 2>/dev/null || true
}

echo "| database   | page         |  req/s     | p50      | p99      |"
echo "|------------|--------------|------------|----------|----------|"
bench_db sqlite "sqlite://$WORK/bench.db?mode=rwc"
if pg_isready -h 127.0.0.1 -p 5432 -q; then
  psql -h 127.0.0.1 -U postgres -d test -q -c "DROP DATABASE IF EXISTS fuhua_bench_portal" -c "CREATE DATABASE fuhua_bench_portal"
  bench_db postgres "postgres://postgres@127.0.0.1:5432/fuhua_bench_portal"
fi
