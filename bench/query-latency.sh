#!/usr/bin/env bash
# Benchmark (not a test): query latency with OCR/diacritic expansion on
# (the default) and off (--exact), on one index, warm, in one process per
# mode (--queries), over bench/queries.txt.
#
# Usage: bench/query-latency.sh DB [RUNS]
#   DB    a database built by diarium-index (e.g. from ../shared/corpus:
#         tar xzf ../shared/corpus/g0vse-md.tar.gz -C /tmp &&
#         build/bin/diarium-index --db /tmp/g0.db /tmp/g0vse)
#   RUNS  repetitions of the query set per mode (default 5); the first run
#         of each mode warms the caches and is not counted.
# Prints p50/p95/p99 per mode (over all queries of all counted runs) and the
# ratio default/--exact.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${DIARIUM_BIN_DIR:-$root/build/bin}
db=${1:?usage: bench/query-latency.sh DB [RUNS]}
runs=${2:-5}
queries=$root/bench/queries.txt
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

measure() { # mode-name [options...]
    local name=$1
    shift
    for i in $(seq 0 "$runs"); do
        "$bin/diarium-query" --db "$db" --format json --timing "$@" \
            --queries "$queries" 2>"$work/$name.$i" >/dev/null || true
    done
}
measure expanded
measure exact --exact
measure expanded-perdoc --per-document
python3 - "$work" "$runs" <<'PY'
import json, os, sys
work, runs = sys.argv[1], int(sys.argv[2])
def lat(name):
    xs = []
    for i in range(1, runs + 1):
        for line in open(os.path.join(work, "%s.%d" % (name, i))):
            if line.startswith('{"timing"'):
                xs.append(json.loads(line)["microseconds"] / 1000.0)
    xs.sort()
    pick = lambda p: xs[min(len(xs) - 1, int(p * len(xs)))]
    return pick(0.50), pick(0.95), pick(0.99), len(xs)
res = {n: lat(n) for n in ("exact", "expanded", "expanded-perdoc")}
print("%-18s %9s %9s %9s %6s" % ("mode", "p50 ms", "p95 ms", "p99 ms", "n"))
for n, (a, b, c, k) in res.items():
    print("%-18s %9.2f %9.2f %9.2f %6d" % (n, a, b, c, k))
e, x = res["exact"], res["expanded"]
print("expanded/exact: p50 %.2fx  p99 %.2fx" % (x[0] / e[0], x[2] / e[2]))
PY
