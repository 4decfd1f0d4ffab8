#!/usr/bin/env bash
# Benchmark (not a test): what Xapian's own zlib compression costs a
# first build. Indexes one corpus with diarium-index as is (Xapian's
# default, zlib level 6, for termlists; since index format 7 the document
# data is empty, the passages are in a value slot, LZ4-compressed by
# diarium, and no docdata table is written), with the level
# forced to 1 and to 0 (no compression), in rotating order, through the
# preloaded probe bench/zlevel_probe.c, and prints per setting the median
# wall clock, user and system CPU, and each table's size on disk.
# The builds run in one thread (--jobs 1): a parallel build stores the
# termlists uncompressed since ebb76a5 (xapian-c/xc_termlist.c), so there
# the three settings come out alike; JOBS=0 for one thread per core.
#
# Usage: [JOBS=N] bench/compression-cost.sh [CORPUS_DIR] [RUNS]
#   CORPUS_DIR  default: the 1x g0vse copy speed.sh prepares
#               ($DIARIUM_BENCH_WORK/1x, default /tmp/diarium-speed/1x),
#               else the repository's corpus/
#   RUNS        rounds of the three settings (default 3)
# Uses the Release build in build-bench/ (DIARIUM_BIN_DIR to override);
# builds it when missing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${DIARIUM_BIN_DIR:-$root/build-bench/bin}
work_default=${DIARIUM_BENCH_WORK:-/tmp/diarium-speed}/1x
corpus=${1:-}
if [ -z "$corpus" ]; then
    if [ -d "$work_default" ]; then corpus=$work_default; else corpus=$root/corpus; fi
fi
runs=${2:-3}
jobs=${JOBS:-1}
[ -d "$corpus" ] || { echo "compression-cost.sh: no such folder: $corpus" >&2; exit 2; }
case $runs in ''|*[!0-9]*|0) echo "compression-cost.sh: RUNS must be a positive number" >&2; exit 2;; esac
case $jobs in ''|*[!0-9]*) echo "compression-cost.sh: JOBS must be a number" >&2; exit 2;; esac
jobarg=(--jobs "$jobs")
[ "$jobs" = 0 ] && jobarg=()
if [ ! -x "$bin/diarium-index" ]; then
    cmake -S "$root" -B "$root/build-bench" -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$root/build-bench" -j "$(nproc)" --target diarium-index >/dev/null
fi
command -v /usr/bin/time >/dev/null || { echo "compression-cost.sh: needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cc -std=c11 -O2 -Wall -Wextra -Werror -shared -fPIC \
    -o "$work/zlevel_probe.so" "$root/bench/zlevel_probe.c" -ldl

settings="default level1 level0"
for r in $(seq 1 "$runs"); do
    # Round r starts with setting r (mod 3), so each one takes each turn.
    order=$(echo $settings $settings | cut -d' ' -f$(( (r - 1) % 3 + 1 ))-$(( (r - 1) % 3 + 3 )))
    for s in $order; do
        db=$work/db-$s
        rm -rf "$db"
        case $s in
            default) env=();;
            level1) env=(LD_PRELOAD="$work/zlevel_probe.so" DIARIUM_PROBE_ZLEVEL=1);;
            level0) env=(LD_PRELOAD="$work/zlevel_probe.so" DIARIUM_PROBE_ZLEVEL=0);;
        esac
        env "${env[@]}" /usr/bin/time -f "%e %U %S" -o "$work/time" \
            "$bin/diarium-index" --quiet "${jobarg[@]}" --db "$db" "$corpus" ||
            { rc=$?; [ "$rc" = 1 ] || exit "$rc"; } # 1: some files skipped (named)
        echo "$s $(cat "$work/time")" >> "$work/times"
        if [ "$r" = "$runs" ]; then
            for t in docdata termlist postlist position; do
                kb=$(du -sk "$db/$t.glass" 2>/dev/null | cut -f1 || true)
                echo "$s $t ${kb:-0}" >> "$work/sizes"
            done
            echo "$s total $(du -sk "$db" | cut -f1)" >> "$work/sizes"
        fi
    done
done

echo "corpus: $corpus ($(du -sk "$corpus" | cut -f1) KB), $runs rounds, $(nproc) cores, $(date -u '+%Y-%m-%d %H:%M UTC')"
python3 - "$work/times" "$work/sizes" "$settings" <<'PY'
import statistics, sys
times, sizes, settings = sys.argv[1], sys.argv[2], sys.argv[3].split()
t = {}
for line in open(times):
    s, *v = line.split()
    t.setdefault(s, []).append([float(x) for x in v])
z = {}
for line in open(sizes):
    s, table, kb = line.split()
    z[(s, table)] = int(kb) / 1024 if kb else float("nan")
base = statistics.median(r[0] for r in t["default"])
print(f"{'setting':8} {'wall s':>7} {'÷default':>8} {'user s':>7} {'sys s':>6}"
      f" {'docdata':>8} {'termlist':>8} {'postlist':>8} {'position':>8} {'total MB':>8}")
for s in settings:
    w = statistics.median(r[0] for r in t[s])
    u = statistics.median(r[1] for r in t[s])
    y = statistics.median(r[2] for r in t[s])
    mb = " ".join(f"{z[(s, k)]:8.1f}" for k in ("docdata", "termlist", "postlist", "position", "total"))
    print(f"{s:8} {w:7.2f} {w / base:8.2f} {u:7.2f} {y:6.2f} {mb}")
print("runs (wall s): " + "; ".join(s + " " + " ".join(f"{r[0]:.2f}" for r in t[s]) for s in settings))
PY
