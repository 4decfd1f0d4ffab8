# e2e_nightly.sh — diarium-index as an unattended nightly job (issue 6):
# add / modify / touch / delete / rename cycles with exact --json counts and
# query results equal to a clean build after each; --dry-run; --check;
# a changed analysis version; two concurrent indexers; --quiet; the
# progress bar (terminal only); exit statuses.
. "$(dirname "$0")/lib_e2e.sh"

C=$WORK/corpus
DB=$WORK/db
cp -R "$CORPUS" "$C" || fail "cannot copy $CORPUS"
rm -f "$C/README"

QUERIES=("kompensatoriska åtgärder" "särskilt stöd" "trygghet OR studiero"
         "elevhälsa" "betyg bedömning" "nyanlända" "zyxordet" "qwertyklang")

# snapshot DB — every result of every query in QUERIES, as sorted
# "query | doc | passage | score" lines (ties between equal scores may come
# in another order in two databases; the set must be the same).
snapshot() {
    local db=$1 q
    for q in "${QUERIES[@]}"; do
        run "$QRY" --db "$db" --format json --limit 1000 "$q"
        [ "$RC" -eq 0 ] || fail "query '$q' on $db: exit $RC: $(cat "$ERR")"
        py '
import json, sys
for line in sys.stdin:
    o = json.loads(line)
    if "doc" in o:
        print("%s | %s | %d | %.4f" % (sys.argv[1], o["doc"], o["passage"], o["score"]))
' "$q"
    done | LC_ALL=C sort
}

# same_as_clean LABEL — the database answers every query exactly as a
# database built from scratch from the same folder does.
same_as_clean() {
    rm -rf "$WORK/clean"
    run "$IDX" --db "$WORK/clean" "$C"
    [ "$RC" -le 1 ] || fail "clean build failed: $(cat "$ERR")"
    expect_eq "$1: query results equal a clean build's" \
        "$(snapshot "$WORK/clean")" "$(snapshot "$DB")"
}

# counts KEY=N... — the JSON summary on the last stdout has these values.
counts() {
    expect_check "summary: $*" ni-summary "$@"
}

docs_for() { # docs_for QUERY — the documents the query finds, sorted
    run "$QRY" --db "$DB" --format json --per-document --limit 1000 "$1"
    [ "$RC" -eq 0 ] || fail "query '$1': exit $RC"
    get_docs
    printf '%s\n' "$DOCS" | LC_ALL=C sort
}

MOD=2022-03-14_beslut_kvalitetsgranskning_vaxjo.txt
DEL=2020-09-30_beslut_kvalitetsgranskning_betyg_lund.txt
REN=2019-06-17_tjansteskrivelse_sarskilt_stod_habo.txt
TOUCH=2021-11-08_tillsynsbeslut_trygghet_studiero_gavle.txt
GZ=2022-02-15_protokollsutdrag_utbildningsnamnden_trygghet_gavle.txt.gz

# --- 1. first run ----------------------------------------------------------
expect_status 0 "$IDX" --db "$DB" --json "$C"
expect_lines stdout 1
counts added=15 updated=0 renamed=0 removed=0 unchanged=0 failed=0
same_as_clean "first run"

expect_status 0 "$IDX" --db "$DB" --json "$C"
counts added=0 updated=0 renamed=0 removed=0 unchanged=15 failed=0 passages=0 bytes=0

# --- 2. one of each --------------------------------------------------------
printf '\nTillägg: zyxordet nämns här.\n' >>"$C/$MOD"
rm "$C/$DEL"
mkdir -p "$C/arkiv/2019"
mv "$C/$REN" "$C/arkiv/2019/habo.txt"
touch -d '2030-01-01 00:00' "$C/$TOUCH"
printf 'Ny tjänsteskrivelse om qwertyklang i skolan.\n' >"$C/ny.txt"

# The dry run lists exactly that, and changes nothing.
BEFORE=$(snapshot "$DB")
expect_status 0 "$IDX" --db "$DB" --dry-run "$C"
expect_contains stdout "add     ny.txt"
expect_contains stdout "update  $MOD"
expect_contains stdout "rename  arkiv/2019/habo.txt (was $REN)"
expect_contains stdout "remove  $DEL"
expect_summary stdout 1 added
expect_not_contains stdout "$TOUCH"
expect_status 0 "$IDX" --db "$DB" --dry-run --json "$C"
counts added=1 updated=1 renamed=1 removed=1 unchanged=12 failed=0
expect_check "dry run JSON lists the changes" ni-dry-run-json-lists-the "$MOD" "$REN" "$DEL"
expect_eq "the dry run changed nothing" "$BEFORE" "$(snapshot "$DB")"

expect_status 0 "$IDX" --db "$DB" --json "$C"
counts added=1 updated=1 renamed=1 removed=1 unchanged=12 failed=0
expect_eq "zyxordet: only the modified document" "$MOD" "$(docs_for zyxordet)"
expect_eq "qwertyklang: only the new document" "ny.txt" "$(docs_for qwertyklang)"
expect_eq "särskilt stöd: the renamed document under its new id" \
    "arkiv/2019/habo.txt" "$(docs_for "särskilt stöd" | grep -E 'habo' || true)"
run "$QRY" --db "$DB" --format json --limit 1000 "doc:$DEL"
[ -s "$OUT" ] && fail "the deleted document is still found"
ok "the deleted document is gone"
same_as_clean "after add/modify/touch/delete/rename"

# Nothing changed since: nothing read.
expect_status 0 "$IDX" --db "$DB" --json "$C"
counts added=0 updated=0 renamed=0 removed=0 unchanged=15 failed=0 bytes=0

# --- 3. a folder renamed, a .gz recompressed, a file renamed back ----------
mv "$C/arkiv" "$C/gamla"
gzip -dc "$C/$GZ" | gzip -9 >"$C/x.gz.tmp" && mv "$C/x.gz.tmp" "$C/$GZ"
mv "$C/ny.txt" "$C/ny-igen.txt"
expect_status 0 "$IDX" --db "$DB" --json "$C"
# habo moved again, ny.txt renamed; the .gz has new bytes on disk but the
# same text: unchanged.
counts added=0 updated=0 renamed=2 removed=0 unchanged=13 failed=0 passages=0
same_as_clean "after a folder rename and a recompressed .gz"

# --- 4. a file that cannot be read keeps its passages ----------------------
printf '\037\213garbage' >"$C/trasig.txt.gz"
cp "$C/$MOD" "$WORK/mod.bak"
printf 'binary\0data' >"$C/$MOD"
expect_status 1 "$IDX" --db "$DB" --json "$C"
counts added=0 updated=0 failed=2
expect_contains stderr "trasig.txt.gz"
expect_contains stderr "$MOD"
expect_check "failures are listed in the JSON with their reasons" ni-failures-are-listed-in-the "$MOD"
expect_eq "the unreadable document keeps its passages" "$MOD" "$(docs_for zyxordet)"
rm "$C/trasig.txt.gz"
mv "$WORK/mod.bak" "$C/$MOD"
expect_status 0 "$IDX" --db "$DB" --json "$C"
counts failed=0
same_as_clean "after a failure and its repair"

# --- 5. --quiet --------------------------------------------------------------
printf '\nÄnnu ett tillägg.\n' >>"$C/$MOD"
expect_status 0 "$IDX" --db "$DB" --quiet "$C"
[ -s "$OUT" ] && fail "--quiet printed on stdout"
[ -s "$ERR" ] && fail "--quiet printed on stderr"
ok "--quiet: nothing printed when all is well"
printf 'binary\0data' >"$C/bad.txt"
expect_status 1 "$IDX" --db "$DB" --quiet "$C"
[ -s "$OUT" ] && fail "--quiet printed on stdout"
expect_contains stderr "bad.txt"
expect_lines stderr 1
rm "$C/bad.txt"

# --- 6. --check ---------------------------------------------------------------
expect_status 0 "$IDX" --db "$DB" --check
expect_contains stdout "sound"
expect_status 0 "$IDX" --db "$DB" --check --json
expect_check "--check --json: sound, with counts" ni-check-json-sound-with-counts
expect_status 2 "$IDX" --db "$DB" --check "$C"
expect_status 3 "$IDX" --db "$WORK/no-such-db" --check
expect_contains stdout "NOT sound"
cp -R "$DB" "$WORK/damaged"
if command -v xapian-metadata >/dev/null 2>&1; then
    xapian-metadata set "$WORK/damaged" "diarium.doc:$MOD" "" ||
        fail "xapian-metadata set failed"
    expect_status 3 "$IDX" --db "$WORK/damaged" --check
    expect_contains stdout "NOT sound"
    expect_contains stdout "no record"
fi
truncate -s 100 "$WORK/damaged/postlist.glass"
expect_status 3 "$IDX" --db "$WORK/damaged" --check
expect_contains stdout "NOT sound"

# --- 7. a changed analysis version ----------------------------------------
if command -v xapian-metadata >/dev/null 2>&1; then
    xapian-metadata set "$DB" diarium.analysis other ||
        fail "xapian-metadata set failed"
    expect_status 3 "$IDX" --db "$DB" "$C"
    expect_contains stderr "different analysis"
    expect_contains stderr "--full"
    [ -s "$OUT" ] && fail "nothing expected on stdout"
    expect_status 3 "$QRY" --db "$DB" betyg
    expect_contains stderr "--full"
    expect_status 3 "$IDX" --db "$DB" --check
    expect_contains stdout "another analysis"
    # No silent mix: the refused run wrote nothing.
    expect_eq "the refused run left the fingerprint as it was" "other" \
        "$(xapian-metadata get "$DB" diarium.analysis)"
    expect_status 0 "$IDX" --db "$DB" --full --json "$C"
    counts added=15 failed=0
    expect_status 0 "$IDX" --db "$DB" --check
    same_as_clean "after --full over another analysis"
    ls -d "$WORK"/db.full-* >/dev/null 2>&1 && fail "--full left a sibling folder behind"
    ok "--full left no sibling folder"
else
    echo "note: xapian-metadata (Debian's xapian-tools) not installed: analysis-change checks skipped here (test_index covers them)"
fi

# --- 8. two indexers at once ------------------------------------------------
# A long indexing run holds the write lock; a second diarium-index on the
# same database meanwhile must give up at once with exit 3, saying that it
# is locked and by which pid; the first must still succeed. If they do not
# overlap (the first finished before the second started), the folder
# grows and it is tried again; if the second took the lock first, again.
make_files() { # make_files DIR FROM TO: files f<FROM>.txt .. f<TO-1>.txt
    gen_docs "$1" $(($3 - $2)) --first "$2"
}
L=$WORK/big
make_files "$L" 0 3000
overlapped=0
for attempt in 1 2 3; do
    rm -rf "$WORK/lockdb"
    "$IDX" --db "$WORK/lockdb" "$L" >"$WORK/first.out" 2>"$WORK/first.err" &
    first=$!
    # The first run writes its pid into the lock file once it holds it.
    for _ in $(seq 1 1000); do
        [ "$(cut -d' ' -f1 "$WORK/lockdb/diarium.lock" 2>/dev/null)" = "$first" ] && break
        kill -0 "$first" 2>/dev/null || break
        sleep 0.005
    done
    run "$IDX" --db "$WORK/lockdb" "$L"
    e2e_signal_check
    second=$RC
    wait "$first"
    first_rc=$?
    if [ "$second" -eq 3 ]; then
        overlapped=1
        break
    fi
    if [ "$second" -eq 0 ] && [ "$first_rc" -eq 3 ]; then
        echo "note: attempt $attempt: the second run took the lock first; again"
        continue
    fi
    [ "$second" -eq 0 ] && [ "$first_rc" -eq 0 ] ||
        fail "two diarium-index runs at once: expected the second to exit 3 (locked); second exited $second, first $first_rc ($(cat "$WORK/first.err"))"
    echo "note: attempt $attempt: the runs did not overlap; more files"
    n=$(ls "$L" | wc -l)
    make_files "$L" "$n" $((n * 3))
done
[ "$overlapped" -eq 1 ] || fail "could not make two indexing runs overlap"
ok "a second diarium-index on a locked database: exit 3"
expect_contains stderr "locked"
expect_contains stderr "pid $first"
[ "$first_rc" -eq 0 ] || fail "the first run should succeed, it exited $first_rc: $(cat "$WORK/first.err")"
ok "the first run finished with exit 0"
# Its lock file (with its pid) is still there, but blocks nobody.
expect_status 0 "$IDX" --db "$WORK/lockdb" --json "$L"
counts added=0 failed=0
expect_status 0 "$IDX" --db "$WORK/lockdb" --check

# --- 9. the progress bar: on a terminal only ---------------------------------
expect_status 0 "$IDX" --db "$WORK/bar1" "$L"
if grep -q "ETA" "$ERR" || grep -q $'\r' "$ERR"; then
    fail "a progress bar was drawn although stderr is not a terminal"
fi
ok "no progress bar when stderr is a file"
if command -v script >/dev/null 2>&1 && script -qec true /dev/null >/dev/null 2>&1; then
    # The bar first shows after half a second of indexing: on a fast
    # machine the run is made longer (more files) until it lasts that long.
    B=$WORK/barfiles
    make_files "$B" 0 3000
    for attempt in 1 2 3 4 5; do
        rm -rf "$WORK/bar2"
        script -qec "$(printf '%q ' "$IDX" --db "$WORK/bar2" "$B")" /dev/null \
            >"$WORK/tty.out" 2>&1 </dev/null
        grep -q "ETA" "$WORK/tty.out" && break
        secs=$(sed -n 's/.* passages in \([0-9.]*\) s .*/\1/p' "$WORK/tty.out")
        case "$secs" in
        0.[0-9]*) ;; # shorter than a second: too quick to draw, so grow
        *) break ;; # long enough: the bar should have shown
        esac
        [ "$attempt" -lt 5 ] || break
        echo "note: attempt $attempt: indexing took ${secs}s, too quick for the bar; more files"
        n=$(ls "$B" | wc -l)
        make_files "$B" "$n" $((n * 2))
    done
    grep -q "ETA" "$WORK/tty.out" || fail "no progress bar on a terminal: $(head -c 300 "$WORK/tty.out" | cat -v)"
    grep -q "files" "$WORK/tty.out" || fail "the progress bar shows no file count"
    ok "a progress bar with rate and ETA on a terminal"
    script -qec "$(printf '%q ' "$IDX" --db "$WORK/bar3" --quiet "$L")" /dev/null \
        >"$WORK/tty.out" 2>&1 </dev/null
    [ -s "$WORK/tty.out" ] && fail "--quiet drew something on a terminal: $(head -c 200 "$WORK/tty.out" | cat -v)"
    ok "--quiet: no progress bar on a terminal either"
else
    echo "note: script(1) not available: terminal progress bar not checked"
fi

# --- 10. usage errors ---------------------------------------------------------
expect_status 2 "$IDX" --db "$DB" --batch 0 "$C"
expect_contains stderr "--batch"
expect_status 2 "$IDX" --db "$DB" --check --full

e2e_done
