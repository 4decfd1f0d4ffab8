#!/usr/bin/env bash
# Quality benchmark (not a test): OCR-robust retrieval on ../shared/eval-dev.
#
# Indexes dev/observed/ (160 documents: clean, diacritics stripped, real OCR
# output), runs the 40 queries with
#   diarium-query --per-document --limit 100 --format json
# writes a TREC run and scores it with the set's score.py: overall, per
# flavour, and (for reference) the same run with --exact and on dev/clean/.
# Then eval_words.py: every word of the clean texts that also stands in an
# OCR document (one per stem, ~1,500) as a query of its own, scored by
# (word, document) pairs: recall and precision per flavour.
#
# Usage: bench/eval-dev.sh [--quick]   (--quick: observed, default mode only)
# Environment: DIARIUM_SHARED_DIR (default ../shared), DIARIUM_BIN_DIR
# (default build/bin). Skips (exit 0) when the evaluation set is absent.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${DIARIUM_SHARED_DIR:-$root/../shared}
evalset=$shared/eval-dev
bin=${DIARIUM_BIN_DIR:-$root/build/bin}
quick=0
[ "${1:-}" = "--quick" ] && quick=1

if [ ! -f "$evalset/score.py" ] || [ ! -d "$evalset/dev/observed" ]; then
    echo "eval-dev: skipped: $evalset not found"
    exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# run NAME DOCS_DIR [query options...]: index DOCS_DIR, write NAME.run
run() {
    local name=$1 docs=$2
    shift 2
    local db=$work/$(basename "$docs").db
    [ -d "$db" ] || "$bin/diarium-index" --quiet --db "$db" "$docs"
    tail -n +2 "$evalset/queries.tsv" | while IFS=$'\t' read -r qid query; do
        "$bin/diarium-query" --db "$db" --per-document --limit 100 \
            --format json "$@" -- "$query" |
        QID=$qid NAME=$name python3 -c '
import json, os, sys
qid, tag = os.environ["QID"], os.environ["NAME"]
rank = 0
for line in sys.stdin:
    o = json.loads(line)
    if "doc" not in o:
        continue
    rank += 1
    doc = o["doc"].rsplit("/", 1)[-1].split(".")[0]
    print("%s Q0 %s %d %.6f %s" % (qid, doc, rank, o["score"], tag))
'
    done > "$work/$name.run"
}

score() {
    local name=$1
    shift
    printf '%-30s' "$name${1:+ ($*)}"
    python3 "$evalset/score.py" "$evalset/dev" "$work/$name.run" -q "$@"
}

run diarium "$evalset/dev/observed"
echo "== eval-dev: dev/observed, diarium-query --per-document --limit 100"
score diarium
for f in ocr stripped clean; do score diarium --flavour "$f"; done
echo "== words: each word of the clean texts (one per stem, see eval_words.py)"
echo "   as a query; (word, document) pairs by the set's rule of relevance"
python3 "$root/bench/eval_words.py" "$evalset" "$work/observed.db" \
    "$bin/diarium-query" --words 5000
if [ "$quick" = 0 ]; then
    run exact "$evalset/dev/observed" --exact
    echo "== the same with --exact (no OCR/diacritic expansion)"
    score exact
    for f in ocr stripped clean; do score exact --flavour "$f"; done
    python3 "$root/bench/eval_words.py" "$evalset" "$work/observed.db" \
        "$bin/diarium-query" --words 5000 --exact
    run ceiling "$evalset/dev/clean"
    echo "== ceiling: dev/clean indexed instead of dev/observed"
    score ceiling
fi
