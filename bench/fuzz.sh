#!/usr/bin/env bash
# The long run of the parser fuzz tests (CI runs 200 cases per parser): the organization
# import's CSV and XLSX readers and the attachments' file-type check, in a release build,
# one test at a time, with the test process's peak memory.
# Usage: bash bench/fuzz.sh [cases per parser] [seed]
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x /usr/bin/time ] || { echo "bench/fuzz.sh needs GNU time (apt-get install time)" >&2; exit 1; }
export FUHUA_FUZZ_ITERATIONS=${1:-20000}
[ -n "${2:-}" ] && export FUHUA_FUZZ_SEED=$2
# Built first, so the peak below is the tests' own, not the compiler's.
cargo test --release -q --test app --no-run 2>/dev/null
start=$(date +%s)
/usr/bin/time -v cargo test --release -q --test app fuzz:: -- --test-threads=1 --nocapture 2>&1 |
  grep -E "fuzz |test result|panicked|Maximum resident" | sed 's/^\s*//'
echo "# $FUHUA_FUZZ_ITERATIONS cases per parser in $(( $(date +%s) - start )) s"
