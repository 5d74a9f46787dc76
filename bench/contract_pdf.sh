#!/usr/bin/env bash
# The contract PDF: Fuhua's in-process printpdf drawing against Chromium's print-to-PDF of
# the same document as an HTML page, in one run. The demo's contract in force (3 pages,
# outputs, payment and milestone tables). Release build.
# Usage: bash bench/contract_pdf.sh [documents] [chromium cold runs] [chromium warm runs]
# Needs: chromium (Debian's package), Node 20 with tests/e2e's npm packages.
set -euo pipefail
cd "$(dirname "$0")/.."
DOCS=${1:-1000}
COLD=${2:-20}
WARM=${3:-100}
PORT=8094
source bench/demo_db.sh

# Fuhua: in-process, one thread, peak memory of the whole process.
/usr/bin/time -v $BIN bench-contract-pdf --docs "$DOCS" --out "$WORK" >"$WORK/fuhua.txt" 2>"$WORK/time.txt"
F=$(cat "$WORK/fuhua.txt")
RSS=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$WORK/time.txt")
echo "# fuhua: $F (process max RSS ${RSS} KiB)" >&2
TEXT=$($BIN pdf-text "$WORK/contract.pdf")
grep -q "政府购买服务合同" <<<"$TEXT" || { echo "the PDF does not read back" >&2; exit 1; }

# Chromium, cold: one browser start per document, as a command-line print does.
ms=()
for _ in $(seq 1 "$COLD"); do
  t0=$(date +%s%N)
  chromium --headless --no-sandbox --disable-gpu --no-pdf-header-footer \
    --print-to-pdf="$WORK/chromium.pdf" "file://$WORK/contract.html" >/dev/null 2>&1
  ms+=($(( ($(date +%s%N) - t0) / 1000000 )))
done
COLD_MEDIAN=$(printf '%s\n' "${ms[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
COLD_BYTES=$(stat -c %s "$WORK/chromium.pdf")
COLD_PAGES=$(pdfinfo "$WORK/chromium.pdf" | sed -n 's/^Pages: *//p')
echo "# chromium cold: median ${COLD_MEDIAN} ms over $COLD runs, $COLD_BYTES bytes, $COLD_PAGES pages" >&2

# Chromium, warm: one browser kept open (playwright), the page set and printed each time.
W=$(node bench/contract_pdf.mjs "$WORK/contract.html" "$WARM" "$WORK/chromium-warm.pdf")
echo "# chromium warm: $W" >&2

val() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" <<<"$2"; }
FM=$(val median_ms "$F"); WM=$(val median_ms "$W")
printf '| route | documents | median ms | p99 ms | file | pages | peak memory |\n|---|---|---|---|---|---|---|\n'
printf '| Fuhua (printpdf, in process) | %s | %s | %s | %s KB | %s | %s MiB (process) |\n' \
  "$(val docs "$F")" "$FM" "$(val p99_ms "$F")" "$(( $(val bytes "$F") / 1000 ))" "$(val pages "$F")" "$(( RSS / 1024 ))"
printf '| Chromium warm (page.pdf, browser kept open) | %s | %s | %s | %s KB | %s | — |\n' \
  "$(val runs "$W")" "$WM" "$(val p99_ms "$W")" "$(( $(val bytes "$W") / 1000 ))" "$(pdfinfo "$WORK/chromium-warm.pdf" | sed -n 's/^Pages: *//p')"
printf '| Chromium cold (`chromium --headless --print-to-pdf`) | %s | %s | — | %s KB | %s | — |\n' \
  "$COLD" "$COLD_MEDIAN" "$(( COLD_BYTES / 1000 ))" "$COLD_PAGES"
awk -v f="$FM" -v w="$WM" -v c="$COLD_MEDIAN" 'BEGIN { printf "\nFuhua is %.0fx faster than warm Chromium and %.0fx faster than cold Chromium (medians).\n", w / f, c / f }'
