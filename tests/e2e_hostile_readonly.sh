# e2e_hostile_readonly.sh — no write access to the database (issue 38,
# item 7). On a read-only mount or as an account that may not write the
# folder, the indexer said "locked by another program", and --check said
# "NOT sound, rebuild with --full" about a sound database (Xapian opens the
# tables for writing to check them). Now a run says read-only / permission
# denied (exit 3), and --check works read-only.
#
# The permission part runs as nobody (needs root and setpriv), the read-only
# part on a read-only bind mount (needs root); each is skipped otherwise.
. "$(dirname "$0")/lib_e2e.sh"

D=$WORK/docs
cp -R "$CORPUS" "$D"
DB=$WORK/db
expect_status 0 "$IDX" --db "$DB" "$D"
printf 'Nytt beslut om särskilt stöd.\n' >"$D/new.txt"

# refused HOW REASON — the last run could not write: exit 3 naming REASON,
# not a lock.
refused() {
    [ "$RC" -eq 3 ] || fail "$1: expected exit 3, got $RC"
    grep -q "cannot write to the database folder" "$ERR" || fail "$1: stderr should say it cannot write the folder"
    grep -q "$2" "$ERR" || fail "$1: stderr should say '$2'"
    grep -qi "locked" "$ERR" && fail "$1: stderr should not speak of a lock"
    ok "$1: exit 3, '$2'"
}

# sound — --check finds the database sound, and says so.
sound() {
    expect_status 0 "${AS[@]}" "$IDX" --db "$1" --check
    expect_contains stdout ": sound: 15 documents"
}

did=0
if [ "$(id -u)" -ne 0 ]; then
    echo "note: not root: the database is this account's, permissions untested"
elif as_nobody; then
    chmod -R go+rX "$WORK"
    sound "$DB"
    for args in "" "--jobs 1" "--full" "--full --jobs 1"; do
        # shellcheck disable=SC2086
        run "${AS[@]}" "$IDX" --db "$DB" $args "$D"
        refused "as another account, $args" "Permission denied"
    done
    expect_status 0 "${AS[@]}" "$IDX" --db "$DB" --dry-run "$D"
    expect_summary stdout 1 added
    did=$((did + 1))
else
    echo "note: cannot run as nobody: permissions untested"
fi

AS=()
M=$WORK/ro
mkdir "$M"
if [ "$(id -u)" -eq 0 ] && mount --bind "$DB" "$M" 2>/dev/null; then
    trap 'umount "$M" 2>/dev/null; e2e_cleanup' EXIT
    if mount -o remount,bind,ro "$M" 2>/dev/null; then
        sound "$M"
        for args in "" "--full"; do
            # shellcheck disable=SC2086
            run "$IDX" --db "$M" $args "$D"
            refused "on a read-only mount, $args" "Read-only file system"
        done
        # Without a lock file (a folder copied from a backup).
        umount "$M"
        rm "$DB/diarium.lock"
        mount --bind "$DB" "$M" && mount -o remount,bind,ro "$M" || fail "cannot remount $M"
        sound "$M"
        run "$IDX" --db "$M" "$D"
        refused "on a read-only mount without a lock file" "Read-only file system"
        # A damaged database, read-only: NOT sound, not "cannot check".
        umount "$M"
        python3 "$E2E_PY" flip "$DB/postlist.glass" 3 || fail "cannot flip bytes"
        mount --bind "$DB" "$M" && mount -o remount,bind,ro "$M" || fail "cannot remount $M"
        expect_status 3 "$IDX" --db "$M" --check
        expect_contains stdout "NOT sound"
        expect_not_contains stdout "could not be checked"
        did=$((did + 1))
    fi
    umount "$M" 2>/dev/null
else
    echo "note: cannot bind-mount read-only here: read-only mount untested"
fi
[ "$did" -gt 0 ] || skip "needs root (setpriv or mount) to take write access away"
e2e_done
