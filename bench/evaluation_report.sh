#!/usr/bin/env bash
# The evaluation report: reading the demo's released final evaluation into its view (the
# queries and the arithmetic behind the evaluation page and the report) and drawing its
# report PDF in process; and the report of the largest evaluation the platform allows
# (60 indicators, 9 evaluators, a comment on every score). Release build, SQLite.
# Usage: bash bench/evaluation_report.sh [runs]
# Reads the PDFs back with `fuhua pdf-text` (every line, nothing outside a page).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-500}
PORT=8095
source bench/demo_db.sh

/usr/bin/time -v $BIN bench-evaluation-report --runs "$RUNS" --out "$WORK" >"$WORK/out.txt" 2>"$WORK/time.txt"
F=$(cat "$WORK/out.txt")
RSS=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$WORK/time.txt")
echo "# $F (process max RSS ${RSS} KiB)" >&2
# Read back whole before matching: grep -q closing the pipe early would trip pipefail.
TEXT=$($BIN pdf-text "$WORK/evaluation-report.pdf")
grep -q "绩效评估报告" <<<"$TEXT" || { echo "the report does not read back" >&2; exit 1; }
LARGE=$($BIN pdf-text "$WORK/evaluation-report-large.pdf")
ROWS=$(grep -o "评估人员9" <<<"$LARGE" | wc -l)
[ "$ROWS" -ge 60 ] || { echo "the large report lost rows ($ROWS of 60)" >&2; exit 1; }
# One key=value per line, so "pages" does not match "large_pages".
val() { tr ' ' '\n' <<<"$F" | sed -n "s/^$1=//p"; }
printf '| what | runs | median ms | p99 ms | pages | file |\n|---|---|---|---|---|---|\n'
printf '| evaluation view from the database (demo final evaluation) | %s | %s | %s | — | — |\n' \
  "$(val runs)" "$(val view_median_ms)" "$(val view_p99_ms)"
printf '| report PDF (demo final evaluation) | %s | %s | %s | %s | %s KB |\n' \
  "$(val runs)" "$(val pdf_median_ms)" "$(val pdf_p99_ms)" "$(val pages)" "$(( $(val bytes) / 1000 ))"
printf '| report PDF (60 indicators × 9 evaluators, comments) | %s | %s | %s | %s | %s KB |\n' \
  "$(( $(val runs) / 10 ))" "$(val large_median_ms)" "$(val large_p99_ms)" "$(val large_pages)" "$(( $(val large_bytes) / 1000 ))"
printf '\nPeak memory of the whole process: %s MiB.\n' "$(( RSS / 1024 ))"
