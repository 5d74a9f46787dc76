#!/usr/bin/env bash
# Starts Fuhua (the given binary, SQLite in a temporary folder) behind HAProxy with
# deploy/haproxy.cfg and tries slow clients on it (deploy/slow-clients.py).
# Usage: bash deploy/slow-clients.sh target/release/fuhua [request timeout, e.g. 5s] [slow connections]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(realpath "$1")
TIMEOUT=${2:-5s}
MANY=${3:-50}
WORK=$(mktemp -d)
FPORT=8095
HPORT=8096
trap 'kill ${FUHUA:-0} ${LB:-0} 2>/dev/null || true; rm -rf "$WORK"' EXIT
(cd "$WORK" && FUHUA_OUTBOX_INTERVAL_SECS=0 ROCKET_PORT=$FPORT ROCKET_LOG_LEVEL=critical "$BIN" serve >"$WORK/fuhua.log" 2>&1) &
FUHUA=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$FPORT/health" >/dev/null && break; sleep 0.2; done
FUHUA_LISTEN="127.0.0.1:$HPORT" FUHUA_BACKEND="127.0.0.1:$FPORT" FUHUA_REQUEST_TIMEOUT=$TIMEOUT \
  haproxy -f deploy/haproxy.cfg -db >"$WORK/haproxy.log" 2>&1 &
LB=$!
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$HPORT/health" >/dev/null && break; sleep 0.2; done
python3 deploy/slow-clients.py "$HPORT" "$FPORT" "$MANY"
