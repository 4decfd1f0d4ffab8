# e2e_serve_nightly.sh — diarium-serve keeps answering while diarium-index
# re-indexes (issue 35): four clients query the API and the page during an
# incremental run that commits many small batches (the server's read
# handles must follow each commit) and during a --full rebuild that is
# swapped in at the end. Every answer must be 200 with results.
. "$(dirname "$0")/lib_e2e.sh"

G=$WORK/docs
if ldd "$SRV" 2>/dev/null | grep -q libasan; then NFILES=300; else NFILES=800; fi
gen_docs "$G" "$NFILES" --seed 35 --name "b{i:04d}.txt" --paras 3 --newline \
    --words "skolan eleverna huvudmannen kommunen beslutet åtgärder
     undervisningen betygen tryggheten studieron rektorn elevhälsan
     kompensatoriska särskilt stöd uppföljning likvärdig"
# Half indexed first; the incremental run adds the other half.
mkdir -p "$WORK/later"
for f in "$G"/b*[13579].txt; do mv "$f" "$WORK/later/"; done
expect_status 0 "$IDX" --quiet --db "$WORK/db" "$G"
serve_start "$WORK/db" --threads 2

during() { # LABEL INDEX-ARGS...
    local label=$1
    shift
    touch "$WORK/indexing"
    rm -f "$WORK/ready"
    python3 "$DIARIUM_SOURCE_DIR/tests/serve_check.py" --load "$SRV_PORT" \
        "$WORK/indexing" "$WORK/ready" "kompensatoriska åtgärder" "särskilt stöd" \
        "tryggheten OR studieron" likvärdig elevhälsan \
        >"$WORK/load.out" 2>&1 &
    local loader=$! i
    for i in $(seq 1 600); do # the clients are running before the run
        [ -e "$WORK/ready" ] && break
        kill -0 "$loader" 2>/dev/null || break
        sleep 0.05
    done
    run "$IDX" --quiet "$@"
    rm -f "$WORK/indexing"
    local lrc=0
    wait "$loader" || lrc=$?
    [ "$RC" -eq 0 ] || fail "$label: diarium-index exited $RC"
    [ "$lrc" -eq 0 ] || fail "$label: $(grep -v '^ok' "$WORK/load.out" | head -10)"
    ok "$label: $(grep 'every answer' "$WORK/load.out")"
}

mv "$WORK/later/"* "$G/"
during "incremental run, batches of 20" --batch 20 --db "$WORK/db" "$G"
during "--full rebuild and swap" --full --db "$WORK/db" "$G"
kill -0 "$SRV_PID" 2>/dev/null || fail "diarium-serve died: $(head -c 500 "$SRV_LOG")"
[ -s "$SRV_LOG" ] && grep -q "error" "$SRV_LOG" && fail "diarium-serve logged errors: $(grep error "$SRV_LOG" | head -5)"
ok "diarium-serve logged no error"
serve_stop
e2e_done
