#!/usr/bin/env bash
# extract.sh — how fast does diarium read PDFs (issue 30)? Not a test.
#
# Reads every PDF under the folders given (default: ../shared/realdocs-dev/
# pdf/riksbank and .../regeringen, 31 files, 852 pages) with
#   pdftotext      poppler's own tool, one process per file, one after the
#                  other (what omindex and Recoll run), text to /dev/null;
#   extract x1     diarium-extract --quiet over all files: one worker
#                  process with its limits, fed file after file, the way
#                  one indexing thread reads them (layout cleanup included);
#   extract x2     the same files split in two halves read at once by two
#                  diarium-extract processes (both cores, as a parallel
#                  indexing run);
# in rotating order, RUNS times (default 5), and prints per tool the median
# wall time, the median CPU time (user + system, children included),
# pages per second of wall time, the ratio to pdftotext and the peak
# resident memory (/usr/bin/time: the largest process of the run).
#
# Usage: bench/extract.sh [--runs N] [FOLDER...]
#   DIARIUM_BIN_DIR: where diarium-extract is (default: a Release build in
#   build-bench/, made here when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=5
if [ "${1:-}" = "--runs" ]; then RUNS=$2; shift 2; fi
SHARED=${DIARIUM_SHARED_DIR:-../shared}
if [ $# -eq 0 ]; then
    set -- "$SHARED/realdocs-dev/pdf/riksbank" "$SHARED/realdocs-dev/pdf/regeringen"
fi
for d in "$@"; do
    [ -d "$d" ] || { echo "extract.sh: no folder $d" >&2; exit 1; }
done
command -v pdftotext >/dev/null || { echo "extract.sh: pdftotext missing (poppler-utils)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "extract.sh: /usr/bin/time missing (time)" >&2; exit 1; }

BIN=${DIARIUM_BIN_DIR:-build-bench/bin}
if [ ! -x "$BIN/diarium-extract" ]; then
    echo "building diarium-extract (Release) in build-bench/ ..." >&2
    cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DDIARIUM_TESTS=OFF >/dev/null
    cmake --build build-bench -j "$(nproc)" --target diarium-extract >/dev/null
    BIN=build-bench/bin
fi
X=$BIN/diarium-extract

mapfile -t FILES < <(find "$@" -name '*.pdf' -type f | LC_ALL=C sort)
PAGES=0
for f in "${FILES[@]}"; do
    n=$(pdfinfo "$f" 2>/dev/null | awk '/^Pages:/{print $2}')
    PAGES=$((PAGES + ${n:-0}))
done
# Two halves of about the same size, alternating in size order.
mapfile -t BYSIZE < <(ls -S "${FILES[@]}")
A=(); B=()
for i in "${!BYSIZE[@]}"; do
    if [ $((i % 2)) -eq 0 ]; then A+=("${BYSIZE[$i]}"); else B+=("${BYSIZE[$i]}"); fi
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/diarium-extract-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

run_pdftotext() { for f in "${FILES[@]}"; do pdftotext "$f" /dev/null; done; }
run_x1() { "$X" --quiet "${FILES[@]}" >/dev/null; }
run_x2() { "$X" --quiet "${A[@]}" >/dev/null & "$X" --quiet "${B[@]}" >/dev/null; wait; }
export -f run_pdftotext run_x1 run_x2
export X

TOOLS=(pdftotext x1 x2)
for r in $(seq 1 "$RUNS"); do
    for k in 0 1 2; do
        t=${TOOLS[$(( (k + r) % 3 ))]}
        /usr/bin/time -f "%e %U %S %M" -o "$WORK/$t.$r" bash -c "
            $(declare -p FILES A B); $(declare -f run_pdftotext run_x1 run_x2)
            run_$t" 2>/dev/null
    done
done

python3 - "$WORK" "$RUNS" "$PAGES" "${#FILES[@]}" <<'EOF'
import statistics, sys
work, runs, pages, files = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
names = {"pdftotext": "pdftotext, one process per file",
         "x1": "diarium-extract, one worker",
         "x2": "diarium-extract, two workers at once"}
rows = {}
for t in names:
    walls, cpus, rss = [], [], []
    for r in range(1, runs + 1):
        e, u, s, m = open("%s/%s.%d" % (work, t, r)).read().split()[-4:]
        walls.append(float(e)); cpus.append(float(u) + float(s)); rss.append(int(m))
    rows[t] = (statistics.median(walls), statistics.median(cpus), max(rss), walls)
base = rows["pdftotext"][0]
print("%d PDFs, %d pages; median of %d runs, rotating order" % (files, pages, runs))
print()
print("| reader | wall s | runs s | CPU s | pages/s | ÷ pdftotext | peak RSS MB |")
print("|---|---|---|---|---|---|---|")
for t, label in names.items():
    w, c, m, ws = rows[t]
    print("| %s | %.2f | %s | %.2f | %.0f | %.2f× | %d |" % (
        label, w, " ".join("%.2f" % x for x in ws), c, pages / w, w / base,
        m // 1024))
EOF
