#!/usr/bin/env bash
# Quality benchmark (not a test): the learned OCR damage model (issue 37)
# cross-validated on ../shared/eval-dev.
#
# The 72 OCR documents are split in two halves A and B (their ids sorted,
# odd and even places). First a model learned by tools/ocrmodel/train.py
# from the generated pages alone (--pairs DIR, made by
# tools/ocrmodel/make_pairs.py from ../shared/corpus) is measured on each
# half. Then for each half H a model learned from the pages and the OTHER
# half is measured on H. Each model is compiled into a diarium-query of
# its own (build dir build-cv/, -DDIARIUM_OCR_MODEL_TABLE) and run with
# DIARIUM_OCR_MODEL=1. Measured: the 40 queries (score.py on H's OCR
# documents, the other half set aside as another flavour; and the stripped
# and clean ones) and eval_words.py --only-ocr H. The same for the
# hand-set rules (the default), which were tuned on all of eval-dev: their
# figures here are not held-out ones.
#
# Usage: bench/eval-cv.sh --pairs DIR [--pairs DIR]...
# Environment: DIARIUM_SHARED_DIR (default ../shared), DIARIUM_BIN_DIR
# (default build/bin: the indexer). Skips (exit 0) without the set.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${DIARIUM_SHARED_DIR:-$root/../shared}
evalset=$shared/eval-dev
bin=${DIARIUM_BIN_DIR:-$root/build/bin}
pairs=()
while [ $# -ge 2 ] && [ "$1" = "--pairs" ]; do
    [ -d "$2/observed" ] || { echo "eval-cv: $2/observed: no such directory" >&2; exit 2; }
    pairs+=(--pairs "$2")
    shift 2
done
if [ ${#pairs[@]} = 0 ] || [ $# != 0 ]; then
    echo "usage: bench/eval-cv.sh --pairs DIR [--pairs DIR]... (see tools/ocrmodel/make_pairs.py)" >&2
    exit 2
fi
if [ ! -f "$evalset/score.py" ]; then
    echo "eval-cv: skipped: $evalset not found"
    exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cv=$root/build-cv

awk -F'\t' '$3 == "ocr" { print $1 }' "$evalset/docs.tsv" | sort > "$work/ocr"
awk 'NR % 2 == 1' "$work/ocr" > "$work/A"
awk 'NR % 2 == 0' "$work/ocr" > "$work/B"
"$bin/diarium-index" --quiet --db "$work/obs.db" "$evalset/dev/observed"

# runq QBIN NAME: the 40 queries, a TREC run in $work/NAME.run
runq() {
    local qbin=$1 name=$2
    tail -n +2 "$evalset/queries.tsv" | while IFS=$'\t' read -r qid query; do
        "$qbin" --db "$work/obs.db" --per-document --limit 100 \
            --format json -- "$query" |
        QID=$qid NAME=$name python3 -c '
import json, os, sys
rank = 0
for line in sys.stdin:
    o = json.loads(line)
    if "doc" not in o:
        continue
    rank += 1
    doc = o["doc"].rsplit("/", 1)[-1].split(".")[0]
    print("%s Q0 %s %d %.6f %s" % (os.environ["QID"], doc, rank, o["score"],
                                   os.environ["NAME"]))
'
    done > "$work/$name.run"
}

# measure QBIN NAME HALF: figures on the OCR documents of HALF (and on the
# stripped and clean ones)
measure() {
    local qbin=$1 name=$2 half=$3
    runq "$qbin" "$name"
    awk -F'\t' -v OFS='\t' 'NR == FNR { keep[$1] = 1; next }
        FNR > 1 && $3 == "ocr" && !($1 in keep) { $3 = "learned" } 1' \
        "$work/$half" "$evalset/docs.tsv" > "$work/docs-$half.tsv"
    for f in ocr stripped clean; do
        printf '%-24s %-9s' "$name" "$f"
        python3 "$evalset/score.py" "$evalset/dev" "$work/$name.run" -q \
            --flavour "$f" --docs "$work/docs-$half.tsv"
    done
    python3 "$root/bench/eval_words.py" "$evalset" "$work/obs.db" "$qbin" \
        --words 5000 --only-ocr "$work/$half" | sed "s/^/$name /"
}

mkdir -p "$cv"
# model ARGS...: learns a table (train.py ARGS) and builds build-cv with it
model() {
    python3 "$root/tools/ocrmodel/train.py" "$@" --out "$cv/sv_ocrmodel_tab.c"
    if [ ! -f "$cv/CMakeCache.txt" ]; then
        cmake -S "$root" -B "$cv" -DCMAKE_BUILD_TYPE=Release \
            -DDIARIUM_TESTS=OFF \
            -DDIARIUM_OCR_MODEL_TABLE="$cv/sv_ocrmodel_tab.c" >/dev/null
    fi
    cmake --build "$cv" --target diarium-query -j 2 >/dev/null
}

echo "== learned from the pages alone: every OCR document of eval-dev held out"
model "${pairs[@]}"
for half in A B; do
    DIARIUM_OCR_MODEL=1 measure "$cv/bin/diarium-query" "pages-$half" "$half"
done
for half in A B; do
    other=B
    [ "$half" = B ] && other=A
    echo "== held out: half $half ($(wc -l < "$work/$half") OCR documents); learned: pages + half $other"
    model "${pairs[@]}" --evaldev "$evalset" --docs "$work/$other"
    DIARIUM_OCR_MODEL=1 measure "$cv/bin/diarium-query" "model-$half" "$half"
    measure "$cv/bin/diarium-query" "rules-$half" "$half"
done
