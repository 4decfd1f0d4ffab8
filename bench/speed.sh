#!/usr/bin/env bash
# Benchmark (not a test): indexing and query speed of diarium side by side
# with the tools a user would pick instead (issues 7 and 32), all from
# Debian, each configured as its users would configure it for a fresh build:
#   scriptindex-file  stock Xapian scriptindex, Swedish stemmer, positional,
#                     one document per file
#   scriptindex-para  the same, one document per paragraph (blank-line
#                     separated), paragraph text stored, document id in
#                     value slot 0 (queries collapse on it: one result per
#                     file, as diarium --per-document gives)
#   fts5              SQLite FTS5, unicode61 remove_diacritics 2, one row
#                     per file, loaded with the sqlite3 CLI (fsdir())
# The scriptindex scripts have no `unique=`: a fresh build replaces nothing,
# and `unique=` makes scriptindex look every record up first.
#
# In one invocation it builds diarium in Release mode (build-bench/;
# with --rev, the snapshot and its build in build-bench-<commit>/),
# prepares the corpus as 1x and 10x, indexes it with every tool in
# alternating order (run 1: ABCD, run 2: BCDA, run 3: CDAB ...), runs two
# query sets in-process and warm against each index, and prints the
# tables (also written to bench/RESULTS.md).
#
# Query sets: bench/queries.txt (25 queries picked by hand) and a set
# nobody picked: bench/queries-g0vse.txt for the g0vse corpus, made by
# bench/speed_queries.py from a fixed seed (100 mid-frequency words, 100
# pairs of words that occur together in a file, 25 phrases); for the
# fallback corpus the same program makes one from it. Latency is taken in
# rounds (--qrounds, default 5): each round runs every tool on each set in
# rotating order, one process per tool and set, one untimed warm-up pass,
# then DIARIUM_BENCH_QPASSES timed passes (default 2). A query's time is
# the median of its timed runs; the report gives mean, p50 and p99 of
# those per query shape (word, pair, phrase, other) and the ratios to
# scriptindex per paragraph, all from this one invocation.
#
# Usage: bench/speed.sh [--quick] [--runs N] [--qrounds N] [--no-10x]
#                       [--cold] [--rev REV]
#   --quick     1x only, one indexing run per tool, one query round (smoke)
#   --runs N    indexing runs per tool at 1x (default 3; the median counts)
#   --qrounds N query rounds (default 5)
#   --no-10x    skip the 10x corpus
#   --cold      empty the page cache before every indexing run (root only:
#               writes /proc/sys/vm/drop_caches), as for a nightly job whose
#               files nobody has read since they were written; without it
#               the corpus is usually in the cache (warm)
#   --rev REV   build and measure commit REV (a `git archive` snapshot)
#               instead of the working tree
# Environment:
#   DIARIUM_SHARED_DIR  default ../shared (corpus: corpus/g0vse-md.tar.gz)
#   DIARIUM_BENCH_WORK  work folder (default /tmp/diarium-speed): prepared
#                       corpora are kept there and reused; indexes are
#                       deleted at the end. Needs ~15 GB with 10x.
#   DIARIUM_BENCH_QPASSES timed passes per query round (default 2)
#   DIARIUM_BENCH_CMAKE_ARGS  extra cmake options for the Release build
#
# Corpus. 1x is ../shared/corpus/g0vse-md.tar.gz (about 44,000 documents,
# 45 MB); 10x is it ten times: the original and nine copies under distinct
# paths with ~3 % of the longer words changed (bench/speed_prep.py, which is
# deterministic). Without ../shared the fallback is the repository's corpus/
# (15 documents) replicated 200 times the same way as 1x (2,000 times as
# 10x): it makes the script run, but the numbers mean little.
#
# Not timed: corpus preparation and writing the scriptindex input (dump
# files; the per-file dump only names the files, scriptindex `load`s them).
#
# Needs cmake, a C compiler, python3, and from Debian xapian-omega (which
# ships scriptindex), sqlite3 and time; missing packages are installed with
# apt-get (sudo unless root).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${DIARIUM_SHARED_DIR:-$root/../shared}
work=${DIARIUM_BENCH_WORK:-/tmp/diarium-speed}
qpasses=${DIARIUM_BENCH_QPASSES:-2}
qrounds=5 runs=3 tenx=1 quick=0 cold=0 rev= args="$*"
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
    case $1 in
    --quick) quick=1 runs=1 tenx=0 qrounds=1 ;;
    --runs) runs=${2:?--runs needs a number}; shift ;;
    --qrounds) qrounds=${2:?--qrounds needs a number}; shift ;;
    --no-10x) tenx=0 ;;
    --cold) cold=1 ;;
    --rev) rev=${2:?--rev needs a revision}; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "speed.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
    esac
    shift
done
case $runs in '' | *[!0-9]* | 0) echo "speed.sh: bad --runs" >&2; exit 2 ;; esac
case $qrounds in '' | *[!0-9]* | 0) echo "speed.sh: bad --qrounds" >&2; exit 2 ;; esac
case $qpasses in '' | *[!0-9]* | 0)
    echo "speed.sh: bad DIARIUM_BENCH_QPASSES" >&2; exit 2 ;; esac
if [ "$cold" = 1 ] && ! [ -w /proc/sys/vm/drop_caches ]; then
    echo "speed.sh: --cold needs root (it writes /proc/sys/vm/drop_caches)" >&2
    exit 2
fi
log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# ------------------------------------------------------------ tools needed
need=()
command -v scriptindex >/dev/null || need+=(xapian-omega)
command -v sqlite3 >/dev/null || need+=(sqlite3)
[ -x /usr/bin/time ] || need+=(time)
if [ ${#need[@]} -gt 0 ]; then
    log "installing ${need[*]}"
    sudo=; [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
        --no-install-recommends "${need[@]}" >/dev/null
fi
python3 -c "import sqlite3; sqlite3.connect(':memory:').execute(
    'create virtual table t using fts5(x)')" ||
    { echo "speed.sh: python3's sqlite3 has no FTS5" >&2; exit 3; }

# ------------------------------------------------------------ build
src=$root build=$root/build-bench
if [ -n "$rev" ]; then
    commit=$(git -C "$root" rev-parse --short "$rev")
    src=$root/build-bench-$commit/src build=$root/build-bench-$commit/build
    if [ ! -d "$src" ]; then
        mkdir -p "$src"
        git -C "$root" archive "$commit" | tar -x -C "$src"
    fi
else
    commit=$(git -C "$root" describe --always --dirty 2>/dev/null || echo unknown)
fi
log "building diarium $commit (Release) in $build"
# shellcheck disable=SC2086 # DIARIUM_BENCH_CMAKE_ARGS is a word list
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DDIARIUM_TESTS=OFF \
    ${DIARIUM_BENCH_CMAKE_ARGS:-} >/dev/null
if ! cmake --build "$build" -j"$(nproc)" --target diarium-index diarium-query \
    >"$build/bench-build.log" 2>&1; then
    grep -E 'error|Error' "$build/bench-build.log" | head -20 >&2
    echo "speed.sh: the Release build failed (full log: $build/bench-build.log)." >&2
    echo "  A warning that only -O3 shows is an error under -Werror; to measure" >&2
    echo "  anyway: DIARIUM_BENCH_CMAKE_ARGS='-DCMAKE_C_FLAGS=-Wno-error=NAME'" >&2
    exit 3
fi
bin=$build/bin
# The stock-Xapian query program links only our shim and libstemmer.
${CC:-cc} -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra \
    -I"$src/xapian-c" "$root/bench/xapian_bench.c" \
    "$build/xapian-c/libdiarium_xc.a" $(pkg-config --libs xapian-core) \
    -lstemmer -lstdc++ -o "$bin/xapian-bench"

# ------------------------------------------------------------ corpus
mkdir -p "$work"
# The allocator diarium-index reaches (mimalloc unless built without it).
"$bin/diarium-index" --version | sed -n 's/^allocator: //p' > "$work/allocator"
tarball=$shared/corpus/g0vse-md.tar.gz
if [ -f "$tarball" ]; then
    source=$tarball base=1 corpus_name="g0vse (../shared)"
else
    source=$root/corpus base=200 corpus_name="fallback: corpus/ x200"
    log "no $tarball: using the fallback corpus (repository corpus/ x$base)"
fi
# prepare NAME COPIES: $work/NAME (text files) and $work/NAME.{file,para}.dump
prepare() {
    local name=$1 copies=$2
    local key="$source $(stat -c %s.%Y "$source") $copies $(md5sum < "$root/bench/speed_prep.py")"
    if [ -f "$work/$name.json" ] && [ "$(cat "$work/$name.key" 2>/dev/null)" = "$key" ]; then
        return
    fi
    log "preparing the $name corpus ($copies copies)"
    rm -rf "${work:?}/$name" "$work/$name".*
    python3 "$root/bench/speed_prep.py" corpus "$source" "$work/$name" "$copies" \
        > "$work/$name.json"
    python3 "$root/bench/speed_prep.py" dumps "$work/$name" "$work/$name" \
        > "$work/$name.dumps.json"
    printf '%s\n' "$key" > "$work/$name.key"
}
corpora=(1x)
prepare 1x "$base"
if [ "$tenx" = 1 ]; then
    prepare 10x $((base * 10))
    corpora+=(10x)
fi

# The query sets: queries.txt, and the generated one (see the top).
if [ "$base" = 1 ]; then
    qgen=$root/bench/queries-g0vse.txt
else
    qgen=$work/queries-gen.txt
    python3 "$root/bench/speed_queries.py" "$work/1x" > "$qgen"
fi
qsets=(fixed gen)
qfile() { if [ "$1" = fixed ]; then echo "$root/bench/queries.txt"; else echo "$qgen"; fi; }

cat > "$work/file.script" <<'EOF'
id : field=id hash boolean=Q
file : load index
EOF
cat > "$work/para.script" <<'EOF'
id : field=id value=0
key : hash boolean=Q
text : field=text index
EOF
cat > "$work/fts5.sql" <<'EOF'
CREATE VIRTUAL TABLE docs USING fts5(path UNINDEXED, body, tokenize='unicode61 remove_diacritics 2');
BEGIN;
INSERT INTO docs(path, body)
  SELECT substr(name, 3), CAST(data AS TEXT) FROM fsdir('.')
  WHERE name LIKE '%.md' OR name LIKE '%.txt';
COMMIT;
EOF

# ------------------------------------------------------------ indexing
tools=(diarium scriptindex-file scriptindex-para fts5)
cut -d' ' -f1-3 /proc/loadavg > "$work/loadavg"
date '+%Y-%m-%d %H:%M %Z' > "$work/date"
results=$work/results.jsonl
: > "$results"
: > "$work/commands.txt"
mkdir -p "$work/idx"

# index TOOL CORPUS RUN: one timed indexing run from an empty index
index() {
    local tool=$1 c=$2 run=$3 db=$work/idx/$1-$2 dir=$work/$2
    rm -rf "$db"
    local cmd cwd=$work stdin=/dev/null
    case $tool in
    diarium) cmd=("$bin/diarium-index" --quiet --db "$db" "$dir") ;;
    scriptindex-file) cmd=(scriptindex -s swedish --overwrite "$db"
        "$work/file.script" "$work/$c.file.dump") ;;
    scriptindex-para) cmd=(scriptindex -s swedish --overwrite "$db"
        "$work/para.script" "$work/$c.para.dump") ;;
    fts5) mkdir -p "$db"; cwd=$dir stdin=$work/fts5.sql
        cmd=(sqlite3 "$db/fts5.sqlite") ;;
    esac
    if [ "$run" = 1 ]; then
        if [ "$tool" = fts5 ]; then
            echo "$tool $c: cd $cwd && ${cmd[*]} < $stdin"
        else
            echo "$tool $c: ${cmd[*]}"
        fi >> "$work/commands.txt"
    fi
    sync
    [ "$cold" = 1 ] && echo 3 > /proc/sys/vm/drop_caches
    local t0 t1 rc=0
    t0=$(date +%s%N)
    (cd "$cwd" && /usr/bin/time -v -o "$work/time.txt" "${cmd[@]}" \
        < "$stdin" > "$work/index.out" 2>&1) || rc=$?
    t1=$(date +%s%N)
    if [ "$rc" != 0 ] && ! { [ "$tool" = diarium ] && [ "$rc" = 1 ]; }; then
        echo "speed.sh: $tool failed on $c (exit $rc):" >&2
        tail -5 "$work/index.out" >&2
        exit 3
    fi
    local rss kb
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time.txt")
    kb=$(du -sk "$db" | cut -f1)
    printf '{"tool":"%s","corpus":"%s","run":%s,"seconds":%s,"rss_kb":%s,"size_kb":%s}\n' \
        "$tool" "$c" "$run" "$(awk "BEGIN{printf \"%.3f\", ($t1 - $t0) / 1e9}")" \
        "$rss" "$kb" >> "$results"
    log "$c run $run $tool: $(awk "BEGIN{printf \"%.1f\", ($t1 - $t0) / 1e9}") s, $((kb / 1024)) MB"
}

# latency TOOL CORPUS SET: one process over the query set SET, one untimed
# warm-up pass and qpasses timed passes, appended to q-TOOL-CORPUS-SET.jsonl
latency() {
    local tool=$1 c=$2 set=$3 db=$work/idx/${1%-perdoc}-$2
    local out=$work/q-$1-$2-$3.jsonl q nq got
    q=$(qfile "$set")
    nq=$(grep -cv '^[[:space:]]*\(#\|$\)' "$q")
    case $tool in
    diarium | diarium-perdoc)
        # diarium-query runs a file once: give it the set qpasses+1 times and
        # drop the first (warm-up) pass.
        local n opt=()
        for n in $(seq 0 "$qpasses"); do cat "$q"; done > "$work/queries.rep"
        [ "$tool" = diarium-perdoc ] && opt=(--per-document)
        "$bin/diarium-query" --db "$db" --format json --timing "${opt[@]}" \
            --queries "$work/queries.rep" 2>&1 >/dev/null |
            grep '^{"timing"' | tail -n +$((nq + 1)) > "$work/q.part" ;;
    scriptindex-file) "$bin/xapian-bench" "$db" "$q" --runs "$qpasses" \
        > "$work/q.part" ;;
    scriptindex-para) "$bin/xapian-bench" "$db" "$q" --runs "$qpasses" \
        --collapse 0 > "$work/q.part" ;;
    fts5) python3 "$root/bench/fts5_bench.py" "$db/fts5.sqlite" "$q" \
        "$qpasses" > "$work/q.part" ;;
    esac
    got=$(wc -l < "$work/q.part")
    if [ "$got" != $((nq * qpasses)) ]; then
        echo "speed.sh: $tool on $c ($set): $got query timings," \
            "expected $((nq * qpasses))" >&2
        exit 3
    fi
    cat "$work/q.part" >> "$out"
}

for c in "${corpora[@]}"; do
    nrun=$runs
    [ "$c" = 10x ] && nrun=1
    for run in $(seq 1 "$nrun"); do
        k=$(((run - 1) % ${#tools[@]}))
        order=("${tools[@]:$k}" "${tools[@]:0:$k}")
        for t in "${order[@]}"; do index "$t" "$c" "$run"; done
    done
    log "$c: query latency ($qrounds rounds of $qpasses warm passes)"
    qtools=(diarium diarium-perdoc scriptindex-file scriptindex-para fts5)
    for t in "${qtools[@]}"; do
        for set in "${qsets[@]}"; do rm -f "$work/q-$t-$c-$set.jsonl"; done
    done
    for round in $(seq 1 "$qrounds"); do
        k=$(((round - 1) % ${#qtools[@]}))
        order=("${qtools[@]:$k}" "${qtools[@]:0:$k}")
        for set in "${qsets[@]}"; do
            for t in "${order[@]}"; do latency "$t" "$c" "$set"; done
        done
    done
    if [ "$c" = 1x ]; then
        cat >> "$work/commands.txt" <<EOF
diarium query: $bin/diarium-query --db DB --format json --timing [--per-document] --queries SET (the set $((qpasses + 1)) times; first pass dropped)
scriptindex query: $bin/xapian-bench DB SET --runs $qpasses [--collapse 0]
fts5 query: python3 bench/fts5_bench.py DB/fts5.sqlite SET $qpasses
(each $qrounds times per set and corpus, tools in rotating order; SET: bench/queries.txt, ${qgen#"$root"/})
EOF
    fi
    rm -rf "${work:?}/idx/"*"-$c"
done

# ------------------------------------------------------------ report
cut -d' ' -f1-3 /proc/loadavg >> "$work/loadavg"
python3 "$root/bench/speed_report.py" "$work" "$root/bench/RESULTS.md" \
    "$commit" "$corpus_name" "$runs" "$qrounds" "$qpasses" "$args" \
    "$root/bench/queries.txt" "$qgen"
