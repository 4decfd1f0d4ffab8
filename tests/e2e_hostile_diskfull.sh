# e2e_hostile_diskfull.sh — a nearly full disk at every stage of a run
# (issue 38, item 5). One-thread builds, nightly runs and --full used to
# abort (SIGABRT, "terminate called after throwing an instance of
# 'Xapian::DatabaseError'") at some free-space levels, inside Xapian's
# commit_transaction, leaving DIR.full-tmp.<pid> behind. Now each commit is
# guarded as the parallel build's are (it needs room for what it writes),
# and what Xapian cannot recover from itself ends in exit 3 with the cause,
# the half-built folders removed. Whatever the level: exit 3 saying the
# disk is full, never a signal; the database sound as of its last commit;
# nothing left beside it; and with room again, the next run equals a clean
# build.
#
# Needs root (a tmpfs of a few MB, mounted in the test's folder); skipped
# otherwise.
. "$(dirname "$0")/lib_e2e.sh"

[ "$(id -u)" -eq 0 ] || skip "needs root to mount a small tmpfs"
M=$WORK/small
mkdir -p "$M"
mount -t tmpfs -o size=200m tmpfs "$M" 2>/dev/null || skip "cannot mount a tmpfs here"
trap 'umount "$M" 2>/dev/null; e2e_cleanup' EXIT

G=$WORK/docs
gen_docs "$G" 1200 --seed 38 --name "b{i:05d}.txt" --newline --words \
    "skolan eleverna huvudmannen kommunen beslutet åtgärder undervisningen
     betygen tryggheten studieron rektorn elevhälsan analysen resurserna
     kompensatoriska särskilt stöd"
cp -R "$G" "$WORK/docs.orig"
DB=$M/db

# How big the database of these documents is (the sizes below are around
# it: room for a part of it, for it alone, for it and a --full copy).
expect_status 0 "$IDX" --db "$DB" --jobs 1 "$G"
KB=$(du -sk "$DB" | cut -f1)
rm -rf "$DB"
ok "the database takes $KB KB"

resize() { mount -o remount,size="$1"k "$M" || fail "cannot resize the tmpfs to $1 KB"; }
fresh_docs() { rm -rf "$G" && cp -R "$WORK/docs.orig" "$G"; }

# after_full LABEL — the run that hit the full disk said so, left nothing
# beside the database, and the database is sound.
after_full() {
    [ "$RC" -lt 128 ] || fail "$1: killed by signal $((RC - 128))"
    [ "$RC" -eq 3 ] || fail "$1: expected exit 3 on a full disk, got $RC"
    grep -q "the disk is full" "$ERR" || fail "$1: stderr should say the disk is full"
    ok "$1: exit 3, the disk is full"
    ls -d "$DB".* >/dev/null 2>&1 && fail "$1: left beside the database: $(ls -d "$DB".*)"
    resize 204800
    expect_status 0 "$IDX" --db "$DB" --check
}

for pct in 30 70; do
    # A first build in one thread.
    fresh_docs
    rm -rf "$DB"
    resize $((KB * pct / 100 + 256))
    run "$IDX" --db "$DB" --jobs 1 --batch 50 "$G"
    after_full "first build, room for ${pct}% of the database"

    # A nightly run that changes a third of the files.
    rm -rf "$DB"
    expect_status 0 "$IDX" --db "$DB" --jobs 1 "$G"
    for f in "$G"/b00[0-3]*.txt; do echo "tillägg om åtgärder" >>"$f"; done
    resize $((KB + KB * pct / 300 + 64))
    run "$IDX" --db "$DB" --batch 20 "$G"
    after_full "nightly run, room for ${pct}% of a third of the database"

    # A nightly run that removes most documents.
    fresh_docs
    rm -rf "$DB"
    expect_status 0 "$IDX" --db "$DB" --jobs 1 "$G"
    rm "$G"/b00[0-8]*.txt
    resize $((KB + KB * pct / 1000 + 16))
    run "$IDX" --db "$DB" "$G"
    after_full "nightly run removing 900 documents, room for ${pct}% of a tenth"

    # --full in one and in two threads beside the old database.
    fresh_docs
    for j in 1 2; do
        rm -rf "$DB"
        expect_status 0 "$IDX" --db "$DB" --jobs 1 "$G"
        resize $((KB + KB * pct / 100 + 64))
        run "$IDX" --db "$DB" --full --jobs $j --batch 50 "$G"
        after_full "--full --jobs $j, room for ${pct}% of a copy"
    done
done

# Room again: the next run finishes the job and equals a clean build.
fresh_docs
expect_status 0 "$IDX" --db "$DB" "$G"
expect_status 0 "$IDX" --db "$WORK/clean" "$G"
for q in "kompensatoriska åtgärder" "tryggheten"; do
    run "$QRY" --db "$WORK/clean" --format json --limit 100000 "$q"
    want=$(py 'import json,sys; print(sorted((o["doc"], o["passage"], round(o["score"], 4)) for o in map(json.loads, sys.stdin)))')
    run "$QRY" --db "$DB" --format json --limit 100000 "$q"
    got=$(py 'import json,sys; print(sorted((o["doc"], o["passage"], round(o["score"], 4)) for o in map(json.loads, sys.stdin)))')
    expect_eq "'$q' after the full-disk runs equals a clean build" "$want" "$got"
done
e2e_done
