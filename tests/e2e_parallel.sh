# e2e_parallel.sh — the parallel first build and --full (issue 7): with
# several threads the database is built in shards and merged, and must be
# the same as a one-thread build: the same documents, passages, passage
# numbers and scores for every query; problems named once each; no shard
# left behind; a later incremental run works on it as on any other.
. "$(dirname "$0")/lib_e2e.sh"
G=$WORK/docs
# Sizes from a few bytes to tens of kB, so that chunks differ.
gen_docs "$G" 400 --seed 11 --subdir "del{s}" --mod 7 --name "b{i:05d}.txt" \
    --head "Beslut ärende{i:05d}." --paras "1|2|4|8|30" --para-words 5-80 \
    --newline --words \
    "skolan eleverna huvudmannen kommunen beslutet åtgärder undervisningen
     betygen tryggheten studieron rektorn elevhälsan analysen resurserna
     kompensatoriska särskilt stöd atgärder likvärdig utbildning förskolan"
# Two that cannot be indexed: binary (every byte value, 8 times), and a
# truncated gzip file.
for _ in 1 2 3 4 5 6 7 8; do
    for b in $(seq 0 255); do printf "\\$(printf '%03o' "$b")"; done
done >"$G/del3/trasig.txt"
printf '\037\213\010\000\000\000\000\000\000\003\363H' >"$G/del5/avbruten.txt.gz"

QUERIES=("kompensatoriska åtgärder" "särskilt stöd" "\"likvärdig utbildning\""
         "tryggheten OR studieron" "ärende00042" "skola NEAR/3 elevhälsan"
         "atgarder")
snapshot() { # every result of QUERIES on $1, in ranking order, with scores
    local q
    for q in "${QUERIES[@]}"; do
        "$QRY" --db "$1" --format json --limit 100000 "$q" >"$WORK/snap" 2>"$ERR" ||
            fail "query '$q' on $1: exit $?: $(cat "$ERR")"
        python3 -c '
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    o = json.loads(line)
    if "doc" in o:
        print(sys.argv[2], o["doc"], o["passage"], "%.6f" % o["score"])
' "$WORK/snap" "$q"
    done
}
no_shards() { # LABEL
    ls -d "$WORK"/*.shard-tmp.* "$WORK"/*.full-tmp.* >/dev/null 2>&1 &&
        fail "$1: shard or build folders were left behind: $(ls "$WORK")"
    ok "$1: no shard or build folder left behind"
}

expect_status 1 "$IDX" --db "$WORK/one" --jobs 1 --json "$G"
ONE_SUMMARY=$(cat "$OUT")
expect_status 1 "$IDX" --db "$WORK/par" --jobs 3 --json "$G"
PAR_THREADS=$(py 'import json,sys; print(json.load(sys.stdin)["threads"])')
# With too little free disk for the shards the build is done in one thread
# (diarium-index's use_bulk): then there is nothing parallel to test here.
[ "$PAR_THREADS" -gt 1 ] || skip "not enough free space beside $WORK for a parallel build"
ok "the build ran in $PAR_THREADS threads"
expect_check "the parallel build adds what the one-thread build adds" par-the-parallel-build-adds-what "$ONE_SUMMARY" "$(cat "$OUT")"
expect_contains stderr "trasig.txt"
expect_contains stderr "avbruten.txt.gz"
[ "$(grep -c 'trasig.txt' "$ERR")" -eq 1 ] || fail "trasig.txt reported more than once: $(cat "$ERR")"
ok "each problem is reported once"
no_shards "parallel build"
expect_status 0 "$IDX" --db "$WORK/par" --check
expect_contains stdout "sound: 400 documents"
ONE=$(snapshot "$WORK/one")
[ -n "$ONE" ] || fail "the queries found nothing"
expect_eq "parallel build: every result, passage number and score equal the one-thread build's" \
    "$ONE" "$(snapshot "$WORK/par")"
# A parallel build stores Xapian's termlists uncompressed (it turns
# xc_termlist_compression off), a one-thread build lets Xapian compress
# them: the words of the passages can be read in the parallel build's
# termlist table, and hardly in the other (zlib leaves only tags too short
# to shrink as they are).
# (Not every time they occur: a termlist keeps of each term what follows the
# prefix it shares with the term before, so "Sstudieron" after "Sstudier..."
# is not there whole: at format 8 it stood whole 329 times in this test.)
raw_words() { grep -aoF studieron "$1/termlist.glass" | wc -l; }
RAW_PAR=$(raw_words "$WORK/par") RAW_ONE=$(raw_words "$WORK/one")
[ "$RAW_PAR" -gt 100 ] && [ "$RAW_PAR" -gt $((10 * RAW_ONE)) ] ||
    fail "termlists: 'studieron' readable $RAW_PAR times in the parallel build, $RAW_ONE in the one-thread build"
ok "termlists uncompressed in the parallel build ('studieron' $RAW_PAR times), compressed in one thread ($RAW_ONE)"

# Without --jobs: one thread per processor the process may use; pinned to
# one of them (taskset, util-linux: the first this test may use), one.
if command -v taskset >/dev/null 2>&1; then
    CPU=$(taskset -pc $$ | sed 's/.*: *//; s/[-,].*//')
    expect_status 1 taskset -c "$CPU" "$IDX" --db "$WORK/pinned" --json "$G"
    expect_check "pinned to one processor, the build runs in one thread" par-pinned-to-one-processor-the
fi

# As many threads as files, and more: tiny chunks.
mkdir -p "$WORK/few"
cp "$G"/del0/b0000*.txt "$WORK/few/"
NFEW=$(ls "$WORK/few" | wc -l)
expect_status 0 "$IDX" --db "$WORK/few1" --jobs 1 "$WORK/few"
expect_status 0 "$IDX" --db "$WORK/fewN" --jobs 64 "$WORK/few"
expect_summary stdout "$NFEW" added
expect_eq "64 threads on $NFEW files equal one thread" \
    "$(snapshot "$WORK/few1")" "$(snapshot "$WORK/fewN")"
no_shards "64 threads"

# --full with threads over the parallel build: the same again.
expect_status 1 "$IDX" --db "$WORK/par" --full --jobs 2 "$G"
expect_summary stdout 400 added
expect_eq "--full in parallel equals the one-thread build" \
    "$ONE" "$(snapshot "$WORK/par")"
no_shards "--full in parallel"

# Incremental runs work on a merged database: nothing to do, then changes.
expect_status 1 "$IDX" --db "$WORK/par" --json "$G"
expect_check "a re-run finds everything unchanged" par-a-re-run-finds-everything
python3 - "$G" <<'PYEOF' || fail "cannot change the documents"
import os, sys
d = sys.argv[1]
with open(os.path.join(d, "del1", "b00001.txt"), "a", encoding="utf-8") as f:
    f.write("\nTillägg: kompensatoriska åtgärder för nyanlända.\n")
os.remove(os.path.join(d, "del2", "b00002.txt"))
PYEOF
for db in one par; do
    expect_status 1 "$IDX" --db "$WORK/$db" --json "$G"
    expect_check "$db: one updated, one removed" par-one-updated-one-removed
done
expect_eq "after the same changes, both databases answer the same" \
    "$(snapshot "$WORK/one")" "$(snapshot "$WORK/par")"
# The update replaced passages whose termlists were stored uncompressed
# with compressed ones: both kinds read back.
expect_status 0 "$IDX" --db "$WORK/par" --check
expect_contains stdout "sound: 399 documents"

# A database that is not empty is never rebuilt in parallel: new files
# go in batch by batch (an interrupted run keeps what was committed).
mkdir -p "$G/nya"
for i in 1 2 3; do echo "Nytt beslut om kompensatoriska åtgärder $i." >"$G/nya/n$i.txt"; done
expect_status 1 "$IDX" --db "$WORK/par" --jobs 4 --json "$G"
expect_check "new files are added to the existing database" par-new-files-are-added-to

# --jobs: a number from 1 to 64.
for bad in 0 65 -1 x ""; do
    expect_status 2 "$IDX" --db "$WORK/x" --jobs "$bad" "$G"
    expect_contains stderr "--jobs needs a number from 1 to 64"
done
e2e_done
