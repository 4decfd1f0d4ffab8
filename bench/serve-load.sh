#!/usr/bin/env bash
# Benchmark (not a test): diarium-serve under a bounded load on loopback
# while diarium-index updates the database (issue 35).
#
# Usage: bench/serve-load.sh [--clients N] [--requests N] [--no-write]
#
# On the g0vse corpus (../shared/corpus; without it the repository's
# corpus/ replicated 200 times): 80 % of the files are indexed, then
# diarium-serve (--threads = nproc) is started and loaded by CLIENTS
# threads x REQUESTS requests (default 8 x 250) of /api/search?q=…&limit=10
# over bench/queries.txt (bench/serve_load.py) in these phases:
#   single       one client, REQUESTS requests, nothing else runs (the
#                cost of HTTP beside the query itself)
#   quiet        nothing else runs
#   incremental  diarium-index --batch 500 adds the other 20 % and
#                re-indexes 5 % modified files (many commits under the
#                readers); the load goes on while it runs (at most 20x)
#   full         diarium-index --full rebuilds aside and swaps it in
# Every answer must be 200 with results (errors are counted and listed).
# Against it: the same queries in process, diarium-query --queries
# --timing on the same database (one warm-up pass, then 10 passes).
# Prints p50/p99 per phase and writes them to bench/RESULTS.md (the
# section after "<!-- serve-load -->"; --no-write only prints). Work
# folder: DIARIUM_BENCH_WORK (default /tmp/diarium-serve-load), removed at
# the end.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${DIARIUM_BIN_DIR:-$root/build/bin}
shared=${DIARIUM_SHARED_DIR:-$root/../shared}
work=${DIARIUM_BENCH_WORK:-/tmp/diarium-serve-load}
clients=8 requests=250 write=1
while [ $# -gt 0 ]; do
    case $1 in
        --clients) clients=$2; shift 2 ;;
        --requests) requests=$2; shift 2 ;;
        --no-write) write=0; shift ;;
        *) echo "usage: bench/serve-load.sh [--clients N] [--requests N] [--no-write]" >&2; exit 2 ;;
    esac
done
queries=$root/bench/queries.txt
rm -rf "$work"
mkdir -p "$work/src" "$work/docs"
srv_pid=""
cleanup() {
    [ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

# ------------------------------------------------------------ corpus
if [ -f "$shared/corpus/g0vse-md.tar.gz" ]; then
    tar xzf "$shared/corpus/g0vse-md.tar.gz" -C "$work/src"
    corpus_name="g0vse (../shared)"
else
    for i in $(seq 1 200); do
        mkdir -p "$work/src/c$i"
        cp "$root/corpus/"* "$work/src/c$i/"
    done
    corpus_name="corpus/ x 200"
fi
(cd "$work/src" && find . -type f \( -name '*.md' -o -name '*.txt' -o -name '*.gz' \) | sort) >"$work/all"
nfiles=$(wc -l <"$work/all")
# 80 % now (every file whose line number is not a multiple of 5).
awk 'NR % 5 != 0' "$work/all" >"$work/first"
awk 'NR % 5 == 0' "$work/all" >"$work/rest"
tar -C "$work/src" -cf - -T "$work/first" | tar -C "$work/docs" -xf -
"$bin/diarium-index" --quiet --db "$work/db" "$work/docs"
echo "indexed $(wc -l <"$work/first") of $nfiles files ($corpus_name)"

# ------------------------------------------------------------ in process
for i in $(seq 0 10); do
    "$bin/diarium-query" --db "$work/db" --format json --timing \
        --queries "$queries" 2>"$work/inproc.$i" >/dev/null
done
rm -f "$work/inproc.0" # the warm-up pass

# ------------------------------------------------------------ server
threads=$(nproc)
"$bin/diarium-serve" --db "$work/db" --listen 127.0.0.1:0 \
    --threads "$threads" 2>"$work/serve.log" &
srv_pid=$!
port=""
for _ in $(seq 1 100); do
    port=$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\)\/$/\1/p' "$work/serve.log")
    [ -n "$port" ] && break
    sleep 0.1
done
[ -n "$port" ] || { echo "diarium-serve did not start: $(cat "$work/serve.log")" >&2; exit 1; }

load() { # PHASE CLIENTS [WHILE_FILE]
    python3 "$root/bench/serve_load.py" "$port" "$queries" "$2" \
        "$requests" "$work/load.$1.json" ${3:+"$3"} | sed "s/^/$1: /"
}

load single 1
load quiet "$clients"

# Incremental: the other 20 % and 5 % of the first files modified.
tar -C "$work/src" -cf - -T "$work/rest" | tar -C "$work/docs" -xf -
awk 'NR % 20 == 1' "$work/first" | while read -r f; do
    case $f in
        *.gz) ;;
        *) printf '\nTillägg: kompletterande uppgifter om uppföljningen.\n' >>"$work/docs/$f" ;;
    esac
done
touch "$work/indexing"
( t0=$(date +%s.%N); rc=0
  "$bin/diarium-index" --quiet --batch 500 --db "$work/db" "$work/docs" || rc=$?
  echo "$rc $t0 $(date +%s.%N)" >"$work/index.incremental"
  rm -f "$work/indexing" ) &
idx=$!
load incremental "$clients" "$work/indexing"
wait "$idx"

touch "$work/indexing"
( t0=$(date +%s.%N); rc=0
  "$bin/diarium-index" --quiet --full --db "$work/db" "$work/docs" || rc=$?
  echo "$rc $t0 $(date +%s.%N)" >"$work/index.full"
  rm -f "$work/indexing" ) &
idx=$!
load full "$clients" "$work/indexing"
wait "$idx"

kill -TERM "$srv_pid"
srv_rc=0
wait "$srv_pid" || srv_rc=$?
srv_pid=""

# ------------------------------------------------------------ report
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
build=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$bin/../CMakeCache.txt" 2>/dev/null || echo "?")
python3 - "$work" "$root/bench/RESULTS.md" "$write" "$commit" "$build" \
    "$corpus_name" "$nfiles" "$clients" "$requests" "$threads" "$srv_rc" <<'PY'
import json, os, statistics, sys, time
work, out, write, commit, build, corpus, nfiles, clients, requests, threads, srv_rc = sys.argv[1:12]

def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]

inproc = []
for f in sorted(os.listdir(work)):
    if f.startswith("inproc."):
        for line in open(os.path.join(work, f)):
            if line.startswith("{"):
                inproc.append(json.loads(line)["microseconds"] / 1000)
rows = []
ip50, ip99 = pct(inproc, 50), pct(inproc, 99)
rows.append("| diarium-query in process (one query at a time) | %d | – | %.2f | %.2f | – | – |"
            % (len(inproc), ip50, ip99))
total_err = 0
for phase, what in (("single", "one client, nothing else running"),
                    ("quiet", "%s clients, nothing else running" % clients),
                    ("incremental", "diarium-index --batch 500 adding 20 % and re-indexing 5 %"),
                    ("full", "diarium-index --full (rebuild aside, swap)")):
    d = json.load(open(os.path.join(work, "load.%s.json" % phase)))
    lat = d["latencies_ms"]
    total_err += len(d["errors"])
    idx = ""
    f = os.path.join(work, "index." + phase)
    if os.path.exists(f):
        rc, t0, t1 = open(f).read().split()
        idx = "exit %s, %.1f s" % (rc, float(t1) - float(t0))
    rows.append("| HTTP, %s | %d | %d | %.2f | %.2f | %.0f | %s |" % (
        what, d["requests"], len(d["errors"]), pct(lat, 50), pct(lat, 99),
        d["requests"] / d["seconds"], idx or "–"))
    for e in d["errors"][:5]:
        print("  error (%s): %s" % (phase, e))
la = open("/proc/loadavg").read().split()[:3]
md = """
<!-- serve-load -->
## diarium-serve under load (bench/serve-load.sh)

Produced by `bench/serve-load.sh --clients %s --requests %s` on %s at
diarium %s (%s build), %s, %s files (80 %% indexed first). diarium-serve
with --threads %s on loopback; %s client threads, each with a keep-alive
connection, sending /api/search?q=…&limit=10 over bench/queries.txt
(Python http.client, timed from sending to the last byte); during the
indexing phases the clients go on until the run ends. An error is an
answer other than 200 with results. Load average at the end: %s.
diarium-serve exited %s on SIGTERM.

| what | requests | errors | p50 ms | p99 ms | requests/s | indexing |
|---|---|---|---|---|---|---|
%s
""" % (clients, requests, time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
       commit, build, corpus, nfiles, threads, clients, " ".join(la), srv_rc,
       "\n".join(rows))
print(md)
if write == "1":
    old = open(out, encoding="utf-8").read() if os.path.exists(out) else ""
    # Replace this section only: from its marker to the next section's
    # ("<!-- name -->", bench/extract.sh) or the end.
    at = old.find("\n<!-- serve-load -->")
    rest = ""
    if at >= 0:
        nxt = old.find("\n<!-- ", at + 1)
        rest = old[nxt:] if nxt >= 0 else ""
        old = old[:at]
    open(out, "w", encoding="utf-8").write(
        old.rstrip("\n") + "\n" + md.rstrip("\n") + "\n" + rest.lstrip("\n"))
    print("written to", out)
sys.exit(1 if total_err or srv_rc != "0" else 0)
PY
