# e2e_nightly_queries.sh — diarium-query keeps answering while
# diarium-index re-indexes (issue 6): one-shot queries in a loop, and one
# long-lived query process (--queries -) fed a query every few ms, both
# during an incremental run that commits many small batches (so the
# database moves on under the long-lived reader, which must reopen by
# itself), and during a --full rebuild that is swapped in at the end.
# Not one query may fail.
. "$(dirname "$0")/lib_e2e.sh"

G=$WORK/docs
DB=$WORK/db
# Sanitizer builds run several times slower: fewer files there.
if ldd "$IDX" 2>/dev/null | grep -q libasan; then NFILES=1000; else NFILES=3000; fi
gen_docs "$G" "$NFILES" --seed 11 --name "beslut_{i:05d}.txt" --newline \
    --paras 2-5 --para-words 30-90 --words \
    "skolan eleverna huvudmannen kommunen beslutet åtgärder undervisningen
     betygen tryggheten studieron rektorn elevhälsan analysen resurserna
     kompensatoriska särskilt stöd nyanlända uppföljning granskningen
     likvärdig utbildning ansvar"
expect_status 0 "$IDX" --db "$DB" "$G"

QUERIES=("kompensatoriska åtgärder" "särskilt stöd" "tryggheten OR studieron"
         "elevhälsan -betygen" '"likvärdig utbildning"' "rektorn NEAR ansvar")

# A long-lived reader: one diarium-query process that reads a query per
# line from a pipe, fed every 20 ms until $WORK/stop exists (or $WORK is
# gone: a failed check exits and cleans up without stopping it, and the
# test would hang).
start_reader() {
    rm -f "$WORK/stop"
    (
        i=0
        while [ -d "$WORK" ] && [ ! -e "$WORK/stop" ]; do
            printf '%s\n' "${QUERIES[$((i % ${#QUERIES[@]}))]}"
            i=$((i + 1))
            sleep 0.02
        done
    ) | "$QRY" --db "$DB" --queries - --format json --limit 5 \
        >"$WORK/reader.out" 2>"$WORK/reader.err" &
    READER=$!
}

stop_reader() { # LABEL
    touch "$WORK/stop"
    wait "$READER"
    local rc=$?
    [ "$rc" -eq 0 ] || fail "$1: the long-lived query process exited $rc: $(head -c 500 "$WORK/reader.err")"
    [ -s "$WORK/reader.err" ] && fail "$1: the long-lived query process complained: $(head -c 500 "$WORK/reader.err")"
    local n
    n=$(wc -l <"$WORK/reader.out")
    [ "$n" -gt 0 ] || fail "$1: the long-lived query process answered nothing"
    ok "$1: a long-lived query process answered throughout ($n result lines), no error"
}

# query_loop LABEL PID — one-shot queries until process PID ends; every one
# must succeed. Sets NQ to the number run.
query_loop() {
    local label=$1 pid=$2 i=0
    NQ=0
    while kill -0 "$pid" 2>/dev/null; do
        local q=${QUERIES[$((i % ${#QUERIES[@]}))]}
        i=$((i + 1))
        run "$QRY" --db "$DB" --format json --limit 5 "$q"
        [ "$RC" -eq 0 ] || fail "$label: query '$q' failed during the re-index (exit $RC): $(head -c 500 "$ERR")"
        [ -s "$ERR" ] && fail "$label: query '$q' wrote to stderr during the re-index: $(head -c 500 "$ERR")"
        [ -s "$OUT" ] || fail "$label: query '$q' found nothing during the re-index"
        NQ=$((NQ + 1))
    done
    return 0
}

# --- an incremental run with many commits ----------------------------------
python3 - "$G" <<'EOF' || fail "cannot change the documents"
import os, sys
d = sys.argv[1]
for i, f in enumerate(sorted(os.listdir(d))):
    if i % 5 < 3:  # 60 %
        with open(os.path.join(d, f), "a", encoding="utf-8") as fh:
            fh.write("\nTillägg %d om kompensatoriska åtgärder.\n" % i)
EOF
start_reader
"$IDX" --db "$DB" --batch 40 "$G" >"$WORK/idx.out" 2>"$WORK/idx.err" &
IDXPID=$!
query_loop "incremental" "$IDXPID"
wait "$IDXPID" || fail "the re-index failed: $(cat "$WORK/idx.err")"
stop_reader "incremental"
[ "$NQ" -ge 3 ] || fail "only $NQ queries ran during the re-index (too fast to test?)"
ok "incremental: $NQ one-shot queries during the re-index, none failed"
expect_summary "$WORK/idx.out" $((NFILES * 3 / 5)) updated

# --- a --full rebuild, swapped in at the end ---------------------------------
start_reader
"$IDX" --db "$DB" --full "$G" >"$WORK/idx.out" 2>"$WORK/idx.err" &
IDXPID=$!
query_loop "--full" "$IDXPID"
wait "$IDXPID" || fail "--full failed: $(cat "$WORK/idx.err")"
# Queries after the swap see the new database.
for q in "${QUERIES[@]}"; do
    run "$QRY" --db "$DB" --format json --limit 5 "$q"
    [ "$RC" -eq 0 ] || fail "query '$q' after --full: exit $RC: $(cat "$ERR")"
done
stop_reader "--full"
[ "$NQ" -ge 3 ] || fail "only $NQ queries ran during --full"
ok "--full: $NQ one-shot queries during the rebuild, none failed"
expect_summary "$WORK/idx.out" "$NFILES" added
expect_status 0 "$IDX" --db "$DB" --check

e2e_done
