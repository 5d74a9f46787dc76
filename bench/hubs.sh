#!/usr/bin/env bash
# Benchmark of the hub pages a hub's staff use most, on one large hub: 30 rounds of 100
# applications, 1,200 members (200 in incubation) and a year of services (default 20,000),
# next to the trivial route, on SQLite and on PostgreSQL. Release build; wrk on loopback,
# logged in as an administrator. Usage: bash bench/hubs.sh [services] [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
SERVICES=${1:-20000}
SECS=${2:-10}
PORT=8092
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
cargo build --release -q
BIN=target/release/fuhua
WORK=$(mktemp -d)
trap 'kill "${SERVER:-0}" 2>/dev/null || true; rm -rf "$WORK"' EXIT
PASSWORD="bench-password-123"

run() { # label url
  local label=$1 url=$2 tp lat
  tp=$(wrk -t2 -c16 -d"${SECS}s" -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT$url" | awk '/Requests\/sec/ {print $2}')
  lat=$(wrk -t1 -c1 -d"${SECS}s" --latency -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT$url" | awk '/^ +50%/ {p50=$2} /^ +99%/ {p99=$2} END {print p50, p99}')
  printf '| %-10s | %-10s | %10s | %8s | %8s |\n' "$DB" "$label" "$tp" $lat
}

login() { # leaves the session and CSRF cookies in $COOKIE
  local jar=$WORK/jar token
  rm -f "$jar"
  token=$(curl -sf -c "$jar" "http://127.0.0.1:$PORT/login" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1 || true)
  curl -sf -b "$jar" -c "$jar" -o /dev/null --data-urlencode "csrf=$token" --data-urlencode "email=bench@fuhua.local" \
    --data-urlencode "password=$PASSWORD" --data-urlencode "next=/" "http://127.0.0.1:$PORT/login"
  # HttpOnly cookies are written with a "#HttpOnly_" prefix, which is not a comment.
  COOKIE=$(sed 's/^#HttpOnly_//' "$jar" | awk '!/^#/ && NF >= 7 && $6 != "_flash" {printf "%s%s=%s", sep, $6, $7; sep="; "}')
}

bench_db() { # name url
  DB=$1
  export FUHUA_DATABASE_URL=$2 FUHUA_DATA_DIR=$WORK/data FUHUA_MAIL_DIR=$WORK/mail FUHUA_OUTBOX_INTERVAL_SECS=0
  $BIN bench-seed --count 3000 >/dev/null
  $BIN create-admin --email bench@fuhua.local --password "$PASSWORD" >/dev/null
  local t0=$(date +%s)
  HUB=$($BIN bench-seed-hubs --services "$SERVICES" | sed -n 's/^Added hub \([0-9]*\).*/\1/p')
  echo "# $DB: seeded hub $HUB with $SERVICES services in $(( $(date +%s) - t0 )) s" >&2
  FUHUA_PAGE_CACHE=false ROCKET_PORT=$PORT ROCKET_LOG_LEVEL=off $BIN serve >"$WORK/server.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.2; done
  login
  local member
  member=$(curl -sf -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT/hubs/$HUB" | grep -o "/hubs/$HUB/members/[0-9]*" | head -1 || true)
  [ -n "$member" ] || { echo "login or hub page failed" >&2; exit 1; }
  run trivial /health
  run dashboard "/hubs/$HUB/dashboard"
  run hub-page "/hubs/$HUB"
  run member "$member"
  kill $SERVER; wait $SERVER 2>/dev/null || true
}

echo "| database   | route      |  req/s     | p50      | p99      |"
echo "|------------|------------|------------|----------|----------|"
bench_db sqlite "sqlite://$WORK/bench.db?mode=rwc"
if pg_isready -h 127.0.0.1 -p 5432 -q; then
  psql -h 127.0.0.1 -U postgres -d test -q -c "DROP DATABASE IF EXISTS fuhua_bench_hubs" -c "CREATE DATABASE fuhua_bench_hubs"
  bench_db postgres "postgres://postgres@127.0.0.1:5432/fuhua_bench_hubs"
fi
