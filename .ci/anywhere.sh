#!/usr/bin/env bash
# The binary runs from any folder: copied out of the tree and started in an empty folder,
# with the tree's templates/ and static/ moved aside, it creates its SQLite file, loads the
# demo, and serves a page, the stylesheet and a contract PDF whose text reads back.
# Usage: bash .ci/anywhere.sh target/release/fuhua
set -euo pipefail
cd "$(dirname "$0")/.."
tree="$PWD"
bin_dir=$(mktemp -d)
run_dir=$(mktemp -d)
cp "$1" "$bin_dir/fuhua"
cp static/fuhua.css "$bin_dir/expected.css"
mv templates templates.aside
mv static static.aside
port=18$((RANDOM % 900 + 100))
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  cd "$tree"
  [ -d templates.aside ] && mv templates.aside templates
  [ -d static.aside ] && mv static.aside static
  rm -rf "$bin_dir" "$run_dir"
}
trap cleanup EXIT

cd "$run_dir"
env -u FUHUA_TEMPLATE_DIR -u FUHUA_STATIC_DIR ROCKET_PORT="$port" ROCKET_LOG_LEVEL=critical \
  "$bin_dir/fuhua" serve --demo >server.log 2>&1 &
pid=$!
base="http://127.0.0.1:$port"
for _ in $(seq 1 150); do
  curl -fs "$base/health" >/dev/null 2>&1 && break
  kill -0 "$pid" 2>/dev/null || { cat server.log; echo "the server stopped"; exit 1; }
  sleep 0.2
done
fail() { echo "anywhere: $*"; cat server.log; exit 1; }
[ -f data/fuhua.db ] || fail "no data/fuhua.db in the folder it was started in"

curl -fs "$base/" -o home.html || fail "the home page did not answer"
grep -q '孵化' home.html || fail "the home page is not Fuhua's"
curl -fs -D css.headers "$base/static/fuhua.css" -o got.css || fail "no stylesheet"
cmp -s got.css "$bin_dir/expected.css" || fail "the stylesheet differs from static/fuhua.css"
grep -qi '^content-type: text/css' css.headers || fail "the stylesheet is not served as text/css"

# Log in as the demo officer (its password is printed once) and draw a contract.
read -r email password < <(awk '$1 == "officer" { print $2, $3; exit }' server.log)
[ -n "$password" ] || fail "no officer among the demo accounts"
csrf=$(curl -fs -c jar -b jar "$base/login" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)
curl -fs -c jar -b jar -o /dev/null --data-urlencode "csrf=$csrf" --data-urlencode "email=$email" \
  --data-urlencode "password=$password" --data-urlencode "next=/contracts" "$base/login" || fail "login refused"
id=$(curl -fs -b jar "$base/contracts" | grep -o 'href="/contracts/[0-9]*"' | head -1 | grep -o '[0-9]*')
[ -n "$id" ] || fail "no contract listed for the officer"
curl -fs -b jar "$base/contracts/$id/preview.pdf?lang=zh" -o contract.pdf || fail "no contract PDF"
head -c 5 contract.pdf | grep -q '%PDF-' || fail "the contract is not a PDF"
"$bin_dir/fuhua" pdf-text contract.pdf >contract.txt || fail "the contract PDF does not read back"
grep -q '政府购买服务合同' contract.txt || fail "the contract PDF lacks its title"
echo "anywhere: $(wc -c <contract.pdf) byte contract PDF, $(wc -c <got.css) byte stylesheet and the home page served from $run_dir"
