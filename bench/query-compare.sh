#!/usr/bin/env bash
# Benchmark (not a test): the latency of two diarium-query builds on the same
# query set and index, warm, alternating build by build in each round so
# that the load of a shared machine falls on both alike.
#
# Usage: bench/query-compare.sh DB BIN_DIR_A BIN_DIR_B [ROUNDS] [QUERIES]
#   ROUNDS   rounds (default 10; one more first, to warm the caches, is not
#            counted); each round runs the whole set with --queries in one
#            process per build and per mode (default, --exact,
#            --per-document)
#   QUERIES  the query file (default bench/queries.txt)
# Prints, per mode, the sum over the queries of each query's median time
# for A and B and their ratio B/A, and the median of the per-query ratios.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
db=${1:?usage: bench/query-compare.sh DB BIN_DIR_A BIN_DIR_B [ROUNDS] [QUERIES]}
a=${2:?BIN_DIR_A}
b=${3:?BIN_DIR_B}
rounds=${4:-10}
queries=${5:-$root/bench/queries.txt}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for r in $(seq 0 "$rounds"); do
    for mode in default exact perdoc; do
        case $mode in
            default) opts=() ;;
            exact) opts=(--exact) ;;
            perdoc) opts=(--per-document) ;;
        esac
        for side in a b; do
            bin=$a
            [ "$side" = b ] && bin=$b
            "$bin/diarium-query" --db "$db" --format json --timing \
                ${opts[@]+"${opts[@]}"} --queries "$queries" \
                2>"$work/$mode.$side.$r" >/dev/null || true
        done
    done
done
python3 - "$work" "$rounds" <<'PY'
import json, os, statistics, sys
work, rounds = sys.argv[1], int(sys.argv[2])
def times(mode, side):
    per = {}
    for r in range(1, rounds + 1):
        for line in open(os.path.join(work, "%s.%s.%d" % (mode, side, r))):
            if line.startswith('{"timing"'):
                o = json.loads(line)
                per.setdefault(o["timing"], []).append(o["microseconds"])
    return {q: statistics.median(v) for q, v in per.items()}
print("%-8s %10s %10s %8s %14s" % ("mode", "A ms", "B ms", "B/A",
                                    "median ratio"))
for mode in ("default", "exact", "perdoc"):
    ta, tb = times(mode, "a"), times(mode, "b")
    qs = sorted(set(ta) & set(tb))
    sa = sum(ta[q] for q in qs) / 1000
    sb = sum(tb[q] for q in qs) / 1000
    ratios = [tb[q] / ta[q] for q in qs if ta[q] > 0]
    print("%-8s %10.1f %10.1f %7.3fx %13.3fx" % (
        mode, sa, sb, sb / sa, statistics.median(ratios)))
PY
