# e2e_hostile_paths.sh — a PATH spelled differently, and a sub-folder that
# cannot be read (issue 38, items 3 and 4).
#
# Records keep the PATH a document was found under. `docs`, `./docs/`,
# `$PWD/docs` and a symbolic link to it used to be different PATHs: a file
# withdrawn was never removed, a renamed one was listed twice. They are
# one PATH now (its canonical name). And a sub-folder that cannot be
# opened used to have its documents removed; they stay now (named on
# stderr, exit 1), as those of an unreadable file do.
. "$(dirname "$0")/lib_e2e.sh"

D=$WORK/docs
mkdir -p "$D/sub"
printf 'Beslut om kompensatoriska åtgärder i Alingsås.\n' >"$D/a.txt"
printf 'Tjänsteskrivelse om särskilt stöd i Borås.\n' >"$D/b.txt"
printf 'Uppföljning av trygghet och studiero i Eksjö.\n' >"$D/sub/c.txt"
printf 'Beslut om elevhälsa i Falun.\n' >"$D/sub/d.txt"
ln -s docs "$WORK/link"
DB=$WORK/db
cd "$WORK" || fail "cannot enter $WORK"

# counts KEY=N... — the last --json summary has these values.
counts() {
    expect_py "summary: $*" '
import json, sys
d = json.loads(sys.stdin.read())
want = dict(a.split("=") for a in sys.argv[1:])
bad = {k: (d.get(k), int(v)) for k, v in want.items() if d.get(k) != int(v)}
assert not bad, "got/want: %r" % bad
' "$@"
}
docs_for() {
    run "$QRY" --db "$DB" --format json --per-document --limit 100 "$1"
    [ "$RC" -eq 0 ] || fail "query '$1': exit $RC"
    get_docs
    # shellcheck disable=SC2046
    echo $(printf '%s\n' "$DOCS" | LC_ALL=C sort)
}

expect_status 0 "$IDX" --db "$DB" --json docs
counts added=4
for p in ./docs/ "$WORK/docs" "$WORK/docs//" link "$WORK/link/" docs/../docs; do
    expect_status 0 "$IDX" --db "$DB" --json "$p"
    counts added=0 updated=0 renamed=0 removed=0 unchanged=4
done
# The same folder twice in one run, spelled two ways: walked once.
expect_status 0 "$IDX" --db "$DB" --json docs "$WORK/link"
counts added=0 unchanged=4 failed=0

# Withdrawn under another spelling (a cron line with the absolute path
# after a first run by hand): removed.
rm "$D/a.txt"
expect_status 0 "$IDX" --db "$DB" --json "$WORK/docs/"
counts removed=1 unchanged=3 added=0
expect_eq "the withdrawn decision is no longer found" "" "$(docs_for alingsås)"
# Renamed, under yet another spelling: one rename, not an add.
mv "$D/b.txt" "$D/b2.txt"
expect_status 0 "$IDX" --db "$DB" --dry-run --json link
counts renamed=1 added=0 removed=0
expect_status 0 "$IDX" --db "$DB" --json ./docs
counts renamed=1 added=0 removed=0 unchanged=2
expect_eq "the renamed file is listed once" "b2.txt" "$(docs_for borås)"
expect_status 0 "$IDX" --db "$DB" --check

# --- an unreadable sub-folder keeps its documents -----------------------
if ! as_nobody; then
    echo "note: running as root without setpriv: chmod 000 does not stop root; unreadable sub-folder check skipped"
    e2e_done
fi
mkdir -m 777 "$WORK/nb" # shards and --full are built beside the database
DB=$WORK/nb/db
expect_status 0 "${AS[@]}" "$IDX" --db "$DB" --json "$D"
counts added=3
chmod 000 "$D/sub"
for j in 1 2; do
    expect_status 1 "${AS[@]}" "$IDX" --db "$DB" --jobs $j --json "$D"
    counts removed=0 unchanged=1
    expect_contains stderr "$D/sub"
    expect_icontains stderr "permission denied"
    expect_contains stderr "2 documents in folders that could not be read stay in the database"
    expect_eq "their documents are still found" "sub/c.txt" "$(docs_for eksjö)"
done
# A file withdrawn beside the unreadable folder still goes.
rm "$D/b2.txt"
printf 'Nytt beslut om betyg i Gävle.\n' >"$D/e.txt"
expect_status 1 "${AS[@]}" "$IDX" --db "$DB" --json "$D"
counts removed=1 added=1
chmod 755 "$D/sub"
expect_status 0 "${AS[@]}" "$IDX" --db "$DB" --json "$D"
counts removed=0 unchanged=3 added=0
expect_status 0 "${AS[@]}" "$IDX" --db "$DB" --check
e2e_done
