#!/usr/bin/env bash
# Quality benchmark (not a test): ranking quality on the 15 sample documents
# in corpus/, with hand-judged queries.
#
#   bench/corpus-queries.tsv  qid<TAB>query (first line a header), 20 queries
#                             a researcher might type: single words, pairs,
#                             phrases, with and without å/ä/ö
#   bench/corpus-qrels.tsv    TREC qrels "qid 0 docid grade": 2 = the document
#                             is centrally about it, 1 = it mentions it
#                             substantively; documents not listed are 0.
#                             Judged by reading the documents (corpus/README
#                             gives their topics and flavours), before looking
#                             at diarium's output. Passing mentions (a plan
#                             "granskats", "det kompensatoriska uppdraget"
#                             without åtgärder) are judged 0.
#
# Indexes corpus/ into a temporary database, runs each query with
#   diarium-query --per-document --limit 20 --format json
# and prints, per query and overall (mean over queries): precision@5
# (grade >= 1), recall@10, MRR (first document with grade >= 1) and nDCG@10
# (gain 2^grade - 1, log2 discount); then the same with --exact (no OCR /
# diacritic tolerance) for comparison.
#
# Usage: bench/corpus-judged.sh [--quiet]   (--quiet: overall figures only)
# Environment: DIARIUM_BIN_DIR (default build/bin). Needs python3. Uses
# nothing outside the repository.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${DIARIUM_BIN_DIR:-$root/build/bin}
queries=$root/bench/corpus-queries.tsv
qrels=$root/bench/corpus-qrels.tsv
quiet=0
[ "${1:-}" = "--quiet" ] && quiet=1

for p in "$bin/diarium-index" "$bin/diarium-query"; do
    [ -x "$p" ] || { echo "corpus-judged: $p not found (build first, or set DIARIUM_BIN_DIR)" >&2; exit 1; }
done
command -v python3 >/dev/null || { echo "corpus-judged: python3 is needed" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db=$work/db
"$bin/diarium-index" --quiet --db "$db" "$root/corpus"

# run NAME [query options...]: one TREC run line per result document.
run() {
    local name=$1
    shift
    tail -n +2 "$queries" | while IFS=$'\t' read -r qid query; do
        [ -n "$qid" ] || continue
        "$bin/diarium-query" --db "$db" --per-document --limit 20 \
            --format json "$@" -- "$query" |
        QID=$qid NAME=$name python3 -c '
import json, os, sys
qid, tag = os.environ["QID"], os.environ["NAME"]
rank = 0
for line in sys.stdin:
    o = json.loads(line)
    if "doc" not in o:          # explain / suggestion objects
        continue
    rank += 1
    print("%s Q0 %s %d %.6f %s" % (qid, o["doc"], rank, o["score"], tag))
'
    done >"$work/$name.run"
}

run diarium
run exact --exact

python3 - "$queries" "$qrels" "$quiet" "$work/diarium.run" "$work/exact.run" <<'PY'
import math, sys

queries_path, qrels_path, quiet = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
runs = sys.argv[4:]

queries = []
with open(queries_path, encoding="utf-8") as f:
    next(f)
    for line in f:
        line = line.rstrip("\n")
        if line.strip():
            qid, q = line.split("\t", 1)
            queries.append((qid, q))

qrels = {}
with open(qrels_path, encoding="utf-8") as f:
    for line in f:
        if line.strip():
            qid, _, doc, grade = line.split()
            qrels.setdefault(qid, {})[doc] = int(grade)

def load(path):
    r = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            qid, _, doc, rank, score, tag = line.split()
            r.setdefault(qid, []).append(doc)
    return r

def metrics(ranked, rel):
    relevant = {d for d, g in rel.items() if g > 0}
    p5 = sum(1 for d in ranked[:5] if d in relevant) / 5.0
    r10 = sum(1 for d in ranked[:10] if d in relevant) / len(relevant)
    rr = 0.0
    for i, d in enumerate(ranked, 1):
        if d in relevant:
            rr = 1.0 / i
            break
    gain = lambda g: 2 ** g - 1
    dcg = sum(gain(rel.get(d, 0)) / math.log2(i + 1) for i, d in enumerate(ranked[:10], 1))
    ideal = sorted(rel.values(), reverse=True)[:10]
    idcg = sum(gain(g) / math.log2(i + 1) for i, g in enumerate(ideal, 1))
    return p5, r10, rr, dcg / idcg

names = ("P@5", "R@10", "MRR", "nDCG@10")
for path in runs:
    tag = "diarium" if path.endswith("diarium.run") else "diarium --exact"
    run = load(path)
    print("== %s (--per-document --limit 20), %d queries" % (tag, len(queries)))
    if not quiet:
        print("%-4s %-36s %3s %3s  %5s %5s %5s %7s" % ("qid", "query", "rel", "ret", *names))
    tot = [0.0] * 4
    for qid, q in queries:
        ranked = run.get(qid, [])
        rel = qrels.get(qid, {})
        m = metrics(ranked, rel)
        tot = [a + b for a, b in zip(tot, m)]
        if not quiet:
            nrel = sum(1 for g in rel.values() if g > 0)
            print("%-4s %-36s %3d %3d  %5.3f %5.3f %5.3f %7.3f" % (qid, q[:36], nrel, len(ranked), *m))
    n = len(queries)
    print("%-4s %-36s %3s %3s  %5.3f %5.3f %5.3f %7.3f" % ("all", "(mean)", "", "", *(t / n for t in tot)))
    # Most queries have fewer than 5 relevant documents, so P@5 cannot reach 1.
    best = sum(min(5, sum(1 for g in qrels.get(qid, {}).values() if g > 0)) / 5.0 for qid, _ in queries) / n
    print("     (the highest P@5 these judgements allow: %.3f)" % best)
    print()
PY
