# e2e_nightly_diskfull.sh — diarium-index on a full disk (issue 6): the run
# fails with exit 3 and says so, the database stays sound as of its last
# commit and answers queries, and once there is room again the next run
# finishes the job, equal to a clean build.
#
# Needs a small file system of its own: a 4 MiB tmpfs, mounted inside the
# test's folder. Skipped (exit 77) where that is not allowed (not root, or
# no mount in this sandbox).
. "$(dirname "$0")/lib_e2e.sh"

[ "$(id -u)" -eq 0 ] || skip "needs root to mount a small tmpfs"
SMALL=$WORK/small
mkdir -p "$SMALL"
mount -t tmpfs -o size=4m tmpfs "$SMALL" 2>/dev/null ||
    skip "cannot mount a tmpfs here"
trap 'umount "$SMALL" 2>/dev/null; e2e_cleanup' EXIT

G=$WORK/docs
# Sanitizer builds run several times slower: fewer files there.
if ldd "$IDX" 2>/dev/null | grep -q libasan; then NFILES=1500; else NFILES=3000; fi
gen_docs "$G" "$NFILES" --seed 5 --name "b{i:05d}.txt" --newline --words \
    "skolan eleverna huvudmannen kommunen beslutet åtgärder undervisningen
     betygen tryggheten studieron rektorn elevhälsan analysen resurserna
     kompensatoriska särskilt stöd"
DB=$SMALL/db
# A first build with two threads on a disk without room for its shards
# builds in one thread instead (Xapian 1.4 can abort in a commit that runs
# out of space while another writer is busy): it fails with a message, no
# abort, the database stays sound and answers, and no shard is left behind.
# Run several times: the abort depended on timing.
for i in 1 2 3 4 5; do
    rm -rf "$DB"
    expect_status 3 "$IDX" --db "$DB" --jobs 2 --batch 50 "$G"
    expect_icontains stderr "space"
done
expect_status 0 "$IDX" --db "$DB" --check --json
ls -d "$SMALL"/db.* >/dev/null 2>&1 &&
    fail "shards or build folders left behind on the full disk: $(ls "$SMALL")"
ok "no shard left behind"
expect_status 0 "$QRY" --db "$DB" --count "kompensatoriska åtgärder"
# One thread, small batches: some commits succeed before the disk is full.
rm -rf "$DB"
expect_status 3 "$IDX" --db "$DB" --jobs 1 --batch 50 "$G"
expect_icontains stderr "space"
expect_contains stderr "last commit"
expect_status 0 "$IDX" --db "$DB" --check --json
DONE=$(py 'import json,sys; print(json.load(sys.stdin)["documents"])')
[ "$DONE" -gt 0 ] && [ "$DONE" -lt "$NFILES" ] ||
    fail "expected some but not all documents committed before the disk filled up, got $DONE"
ok "the database is sound with the $DONE documents committed before the disk was full"
expect_status 0 "$QRY" --db "$DB" --count "kompensatoriska åtgärder"

# Room again: the next run finishes the job.
mount -o remount,size=200m "$SMALL" || fail "cannot grow the tmpfs"
expect_status 0 "$IDX" --db "$DB" --json "$G"
expect_check "the next run adds exactly what was missing" nd-the-next-run-adds-exactly "$DONE" "$NFILES"
expect_status 0 "$IDX" --db "$WORK/clean" "$G"
for q in "kompensatoriska åtgärder" "särskilt stöd" "tryggheten"; do
    run "$QRY" --db "$WORK/clean" --format json --limit 100000 "$q"
    want=$(py 'import json,sys; print(sorted((o["doc"], o["passage"], round(o["score"], 4)) for o in map(json.loads, sys.stdin)))')
    run "$QRY" --db "$DB" --format json --limit 100000 "$q"
    got=$(py 'import json,sys; print(sorted((o["doc"], o["passage"], round(o["score"], 4)) for o in map(json.loads, sys.stdin)))')
    expect_eq "'$q' after the disk-full run and its repair equals a clean build" "$want" "$got"
done
expect_status 0 "$IDX" --db "$DB" --check
e2e_done
