#!/usr/bin/env bash
# Benchmark (not a test): query latency over 1, 2 and 4 shards searched as
# one (diarium-query --db ... --db ..., issue 36), each shard a local
# folder or behind its own xapian-tcpsrv on 127.0.0.1, against one
# database of the same documents.
#
# Usage: bench/shards.sh DOCS [RUNS]
#   DOCS  a folder of documents (e.g. ../shared/corpus:
#         tar xzf ../shared/corpus/g0vse-md.tar.gz -C /tmp; DOCS=/tmp/g0vse),
#         or a folder of databases db1.0, db2.0, db2.1, db4.0 ... db4.3 that
#         an earlier run kept (SHARDS_KEEP=DIR keeps them there).
#   RUNS  passes over bench/queries.txt per configuration (default 5), in
#         one process each, after one untimed warm-up pass.
# The files are dealt round-robin (in sorted order) into the shards, as
# hard links, so that every document has the same id in every layout.
# Prints p50/p95/p99 per configuration (all queries of all counted passes)
# and each p50 and p99 as a ratio to the one local database's.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${DIARIUM_BIN_DIR:-$root/build/bin}
docs=${1:?usage: bench/shards.sh DOCS [RUNS]}
runs=${2:-5}
command -v xapian-tcpsrv >/dev/null || {
    echo "shards.sh: xapian-tcpsrv is missing (Debian xapian-tools)" >&2
    exit 1
}
work=$(mktemp -d)
servers=""
cleanup() {
    for pg in $servers; do kill -9 -- "-$pg" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

# The query passes: one warm-up, then RUNS counted.
for i in $(seq 0 "$runs"); do
    grep -v '^#' "$root/bench/queries.txt" | grep -v '^[[:space:]]*$'
done >"$work/queries"
nq=$(grep -v '^#' "$root/bench/queries.txt" | grep -cv '^[[:space:]]*$')

if [ -d "$docs/db4.3" ]; then # databases kept by an earlier run
    for d in db1.0 db2.0 db2.1 db4.0 db4.1 db4.2 db4.3; do
        ln -s "$(cd "$docs" && pwd)/$d" "$work/$d"
    done
else
    # Shards of n: $work/of$n/s$k/<path relative to DOCS>.
    python3 - "$docs" "$work" <<'PY'
import os, shutil, sys
docs, work = sys.argv[1], sys.argv[2]
files = sorted(os.path.relpath(os.path.join(d, f), docs)
               for d, _, fs in os.walk(docs) for f in fs)
for n in (1, 2, 4):
    for i, f in enumerate(files):
        to = os.path.join(work, "of%d" % n, "s%d" % (i % n), f)
        os.makedirs(os.path.dirname(to), exist_ok=True)
        try:
            os.link(os.path.join(docs, f), to)
        except OSError:
            shutil.copyfile(os.path.join(docs, f), to)
PY
    for n in 1 2 4; do
        for k in $(seq 0 $((n - 1))); do
            "$bin/diarium-index" --quiet --db "$work/db$n.$k" "$work/of$n/s$k" ||
                [ $? -eq 1 ]
        done
    done
    if [ -n "${SHARDS_KEEP:-}" ]; then
        mkdir -p "$SHARDS_KEEP"
        cp -al "$work"/db[124].[0-3] "$SHARDS_KEEP/"
    fi
fi

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
serve() { # DB -> SPEC=tcp:127.0.0.1:PORT (not in $(...): $servers is kept)
    local port log
    port=$(free_port)
    log=$work/tcpsrv.$port
    setsid xapian-tcpsrv --port "$port" --interface 127.0.0.1 "$1" \
        >"$log" 2>&1 </dev/null &
    servers="$servers $!"
    for _ in $(seq 200); do grep -qs Listening "$log" && break; sleep 0.05; done
    SPEC="tcp:127.0.0.1:$port"
}

measure() { # NAME --db ... : timings of the counted passes, one per line
    local name=$1
    shift
    "$bin/diarium-query" "$@" --format json --timing \
        --queries "$work/queries" 2>"$work/t.$name" >/dev/null
    grep '^{"timing"' "$work/t.$name" | tail -n +$((nq + 1)) >"$work/c.$name"
}

order=""
for n in 1 2 4; do
    args=() rargs=()
    for k in $(seq 0 $((n - 1))); do
        args+=(--db "$work/db$n.$k")
        serve "$work/db$n.$k"
        rargs+=(--db "$SPEC")
    done
    measure "local-$n" "${args[@]}"
    measure "remote-$n" "${rargs[@]}"
    order="$order local-$n remote-$n"
done

python3 - "$work" $order <<'PY'
import json, os, sys
work, names = sys.argv[1], sys.argv[2:]
def lat(name):
    xs = sorted(json.loads(l)["microseconds"] / 1000.0
                for l in open(os.path.join(work, "c." + name)))
    pick = lambda p: xs[min(len(xs) - 1, int(p * len(xs)))]
    return pick(0.50), pick(0.95), pick(0.99), len(xs)
res = {n: lat(n) for n in names}
base = res["local-1"]
print("%-10s %9s %9s %9s %6s %9s %9s" % ("shards", "p50 ms", "p95 ms",
                                       "p99 ms", "n", "p50 x", "p99 x"))
for n in names:
    a, b, c, k = res[n]
    print("%-10s %9.2f %9.2f %9.2f %6d %8.2fx %8.2fx" %
          (n, a, b, c, k, a / base[0], c / base[2]))
PY
