#!/usr/bin/env bash
# Reading PDFs back: Fuhua's own reader (`fuhua pdf-text`, what every test uses) against
# poppler's pdftotext (the second reader CI switches on), on the demo's final evaluation
# report (4 pages) and the largest report the platform allows (63 pages). Each is read
# --runs times as a whole command (process start included); both must agree on the text.
# Usage: bash bench/readback.sh [runs]
# Needs: poppler-utils (for the comparison only).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-50}
PORT=8096
source bench/demo_db.sh
$BIN bench-evaluation-report --runs 10 --out "$WORK" >/dev/null
# White space aside, as the tests compare (pdftotext drops the ideographic space U+3000).
squash() { perl -CSD -0777 -pe 's/\s//g'; }
ms_of() { # command… : median ms over RUNS
  local t=()
  for _ in $(seq 1 "$RUNS"); do
    local t0; t0=$(date +%s%N)
    "$@" >/dev/null
    t+=($(( ($(date +%s%N) - t0) / 1000 )))
  done
  printf '%s\n' "${t[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)]/1000}'
}
printf '| PDF | pages | fuhua pdf-text median ms | pdftotext -raw median ms | same text |\n|---|---|---|---|---|\n'
for f in evaluation-report evaluation-report-large; do
  pdf="$WORK/$f.pdf"
  ours=$($BIN pdf-text "$pdf" | squash)
  theirs=$(pdftotext -raw -enc UTF-8 "$pdf" - | squash)
  same=no; [ "$ours" = "$theirs" ] && same=yes
  pages=$(pdftotext "$pdf" - | grep -c $'\f' || true)
  printf '| %s | %s | %s | %s | %s |\n' "$f.pdf" "$pages" "$(ms_of "$BIN" pdf-text "$pdf")" \
    "$(ms_of pdftotext -raw -enc UTF-8 "$pdf" -)" "$same"
  [ "$same" = yes ] || { echo "the readers disagree on $f.pdf" >&2; exit 1; }
done
