#!/usr/bin/env bash
# Benchmark of the to-do pages (待办) of a bureau with 2,000 organizations, 300 calls and
# 500 contracts (their milestones, instalments, payments and evaluations), next to a trivial
# route of the same server, on SQLite and on PostgreSQL. Release build; load from wrk on
# loopback with a logged-in session. Usage: bash bench/todo.sh [seconds]
# Prints one table row per database and page; the README quotes it.
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-10}
PORT=8093
PASSWORD='bench todo password 2026'
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
cargo build --release -q
BIN=target/release/fuhua
WORK=$(mktemp -d)
trap 'kill "${SERVER:-0}" 2>/dev/null || true; rm -rf "$WORK"' EXIT

# A session cookie for this account: the login form's CSRF token, then the form posted.
session() { # email
  local jar="$WORK/jar-$1" token
  token=$(curl -sf -c "$jar" "http://127.0.0.1:$PORT/login" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)
  curl -sf -o /dev/null -b "$jar" -c "$jar" --data-urlencode "csrf=$token" --data-urlencode "email=$1" \
    --data-urlencode "password=$PASSWORD" --data-urlencode "next=/todo" "http://127.0.0.1:$PORT/login"
  awk '!/^#/ && NF >= 7 {printf "%s=%s; ", $6, $7} /^#HttpOnly_/ {printf "%s=%s; ", $6, $7}' "$jar"
}

run() { # label url cookie
  local label=$1 url=$2 cookie=$3 tp lat
  curl -sf -H "Cookie: $cookie" "http://127.0.0.1:$PORT$url" -o "$WORK/page.html"
  # The page is the account's own, not the login form it would be sent to without a session.
  grep -q 'todo-' "$WORK/page.html" || [ "$url" = /health ] || { echo "not a to-do page: $label" >&2; exit 1; }
  tp=$(wrk -t2 -c16 -d"${SECS}s" -H "Cookie: $cookie" "http://127.0.0.1:$PORT$url" | awk '/Requests\/sec/ {print $2}')
  lat=$(wrk -t1 -c1 -d"${SECS}s" --latency -H "Cookie: $cookie" "http://127.0.0.1:$PORT$url" | awk '/^ +50%/ {p50=$2} /^ +99%/ {p99=$2} END {print p50, p99}')
  printf '| %-10s | %-10s | %10s | %8s | %8s |\n' "$DB" "$label" "$tp" $lat
}

bench_db() { # name url
  DB=$1
  export FUHUA_DATABASE_URL=$2 FUHUA_DATA_DIR=$WORK/data-$1 FUHUA_MAIL_DIR=$WORK/mail FUHUA_OUTBOX_INTERVAL_SECS=0
  $BIN bench-seed --count 2000 >/dev/null
  $BIN bench-seed-bids --orgs 1 --deadline-secs 600 --password "$PASSWORD" >/dev/null
  $BIN bench-seed-todo --password "$PASSWORD" >/dev/null
  ROCKET_PORT=$PORT ROCKET_LOG_LEVEL=off $BIN serve >"$WORK/server.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.2; done
  local officer member evaluator
  officer=$(session bench-officer@fuhua.local)
  member=$(session bench-ngo-0@fuhua.local)
  evaluator=$(session bench-evaluator@fuhua.local)
  run trivial /health ""
  run officer /todo "$officer"
  run member /todo "$member"
  run evaluator /todo "$evaluator"
  kill $SERVER; wait $SERVER 2>/dev/null || true
}

echo "| database   | page       |  req/s     | p50      | p99      |"
echo "|------------|------------|------------|----------|----------|"
bench_db sqlite "sqlite://$WORK/bench.db?mode=rwc"
if pg_isready -h 127.0.0.1 -p 5432 -q; then
  psql -h 127.0.0.1 -U postgres -d test -q -c "DROP DATABASE IF EXISTS fuhua_bench" -c "CREATE DATABASE fuhua_bench"
  bench_db postgres "postgres://postgres@127.0.0.1:5432/fuhua_bench"
fi
