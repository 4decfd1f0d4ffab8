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
#   index          diarium-index --jobs 2 into a new database: the whole
#                  indexing run (extraction, cleanup, analysis, index), both
#                  cores (issue 30's target: at most 2x pdftotext);
#   re-run         diarium-index over the same, unchanged files and the
#                  database of a run made before the timing;
#   omindex        xapian-omega's omindex (Debian's defaults: it runs
#                  pdftotext per file) into a new database;
#   re-run 1,000   diarium-index over 1,000 small unchanged PDF and Word
#                  files (tests/make_docs.py's, copied; needs
#                  python3-reportlab), indexed before the timing;
# in rotating order, RUNS times (default 5), and prints per tool the median
# wall time, the median CPU time (user + system, children included),
# pages per second of wall time, the ratios to pdftotext and the peak
# resident memory (/usr/bin/time: the largest process of the run).
# All readers get copies of the files in one folder (what the indexers
# walk).
#
# Writes the table into bench/RESULTS.md, its section after
# "<!-- extract -->" (replaced, the rest of the file kept; --no-write only
# prints).
#
# Usage: bench/extract.sh [--runs N] [--no-write] [FOLDER...]
#   DIARIUM_BIN_DIR: where diarium-extract is (default: a Release build in
#   build-bench/, made here when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=5
WRITE=1
while [ $# -gt 0 ]; do
    case $1 in
        --runs) RUNS=$2; shift 2 ;;
        --no-write) WRITE=0; shift ;;
        --*) echo "usage: bench/extract.sh [--runs N] [--no-write] [FOLDER...]" >&2
             exit 2 ;;
        *) break ;;
    esac
done
FOLDERS="$*"
SHARED=${DIARIUM_SHARED_DIR:-../shared}
if [ $# -eq 0 ]; then
    set -- "$SHARED/realdocs-dev/pdf/riksbank" "$SHARED/realdocs-dev/pdf/regeringen"
fi
for d in "$@"; do
    [ -d "$d" ] || { echo "extract.sh: no folder $d" >&2; exit 1; }
done
command -v pdftotext >/dev/null || { echo "extract.sh: pdftotext missing (poppler-utils)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "extract.sh: /usr/bin/time missing (time)" >&2; exit 1; }

command -v omindex >/dev/null || { echo "extract.sh: omindex missing (xapian-omega)" >&2; exit 1; }

BIN=${DIARIUM_BIN_DIR:-build-bench/bin}
if [ ! -x "$BIN/diarium-extract" ] || [ ! -x "$BIN/diarium-index" ]; then
    echo "building diarium-index and diarium-extract (Release) in build-bench/ ..." >&2
    cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DDIARIUM_TESTS=OFF >/dev/null
    cmake --build build-bench -j "$(nproc)" --target diarium-extract diarium-index >/dev/null
    BIN=build-bench/bin
fi
X=$BIN/diarium-extract
IDX=$BIN/diarium-index

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

# One folder of copies, named after their folder and file (no clashes).
DOCS=$WORK/docs
mkdir -p "$DOCS"
for f in "${FILES[@]}"; do
    cp "$f" "$DOCS/$(basename "$(dirname "$f")")_$(basename "$f")"
done

run_pdftotext() { for f in "${FILES[@]}"; do pdftotext "$f" /dev/null; done; }
run_x1() { "$X" --quiet "${FILES[@]}" >/dev/null; }
run_x2() { "$X" --quiet "${A[@]}" >/dev/null & "$X" --quiet "${B[@]}" >/dev/null; wait; }
# Exit 1 (some file not read, named) still times the run; 2 or 3 stop it.
run_index() {
    rm -rf "$WORK/db"
    "$IDX" --quiet --jobs 2 --db "$WORK/db" "$DOCS" >/dev/null 2>"$WORK/index.err" \
        || [ $? -eq 1 ]
}
run_rerun() {
    "$IDX" --quiet --db "$WORK/db-rerun" "$DOCS" >/dev/null 2>"$WORK/rerun.err" \
        || [ $? -eq 1 ]
}
run_omindex() {
    rm -rf "$WORK/omdb"
    omindex --db "$WORK/omdb" --url / "$DOCS" >/dev/null 2>&1
}
run_rerun1k() {
    "$IDX" --quiet --db "$WORK/db-1k" "$WORK/docs-1k" >/dev/null 2>"$WORK/rerun1k.err" \
        || [ $? -eq 1 ]
}
export X IDX WORK DOCS

# 1,000 small documents for the re-run: ten kinds, a hundred copies each.
mkdir -p "$WORK/docs-1k"
/usr/bin/python3 tests/make_docs.py "$WORK/gen" >/dev/null 2>&1 \
    || { echo "extract.sh: tests/make_docs.py failed (python3-reportlab?)" >&2; exit 1; }
for i in $(seq 1 100); do
    for f in columns.pdf headers.pdf hyphens.pdf labels.pdf ligatures.pdf \
             nolabels.pdf plain.pdf restricted.pdf decision.docx decision.odt; do
        cp "$WORK/gen/$f" "$WORK/docs-1k/${i}_$f"
    done
done
"$IDX" --quiet --jobs 2 --db "$WORK/db-1k" "$WORK/docs-1k" >/dev/null 2>&1 || [ $? -eq 1 ] \
    || { echo "extract.sh: diarium-index failed on docs-1k" >&2; exit 1; }

run_index || { echo "extract.sh: diarium-index failed: $(tail -3 "$WORK/index.err")" >&2; exit 1; }
run_rerun || { echo "extract.sh: diarium-index failed: $(tail -3 "$WORK/rerun.err")" >&2; exit 1; }

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
TOOLS=(pdftotext x1 x2 index rerun omindex rerun1k)
NT=${#TOOLS[@]}
for r in $(seq 1 "$RUNS"); do
    for k in $(seq 0 $((NT - 1))); do
        t=${TOOLS[$(( (k + r) % NT ))]}
        /usr/bin/time -f "%e %U %S %M" -o "$WORK/$t.$r" bash -c "
            $(declare -p FILES A B)
            $(declare -f run_pdftotext run_x1 run_x2 run_index run_rerun run_omindex run_rerun1k)
            run_$t" 2>/dev/null || { echo "extract.sh: $t failed" >&2; exit 1; }
    done
done

python3 "$(dirname "$0")/extract_report.py" "$WORK" "$RUNS" "$PAGES" \
    "${#FILES[@]}" "$WRITE" "$LOAD0" \
    "$(git rev-parse --short HEAD 2>/dev/null || echo '?')" \
    "$(pdftotext -v 2>&1 | head -1)" "$FOLDERS"
