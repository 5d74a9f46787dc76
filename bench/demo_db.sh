# Sourced by benchmarks that work on the demo data: builds the release binary ($BIN), makes
# a scratch directory ($WORK, removed on exit) with a SQLite file holding the demo, loaded by
# the server on first start on port $PORT, which is then stopped.
cargo build --release -q
BIN=$PWD/target/release/fuhua
WORK=$(mktemp -d)
trap 'kill "${SERVER:-0}" 2>/dev/null || true; rm -rf "$WORK"' EXIT
export FUHUA_DATABASE_URL="sqlite://$WORK/bench.db?mode=rwc" FUHUA_DATA_DIR=$WORK/data FUHUA_MAIL_DIR=$WORK/mail
ROCKET_PORT=$PORT ROCKET_LOG_LEVEL=critical $BIN serve --demo >"$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.2; done
kill $SERVER; wait $SERVER 2>/dev/null || true
