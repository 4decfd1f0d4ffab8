# e2e_hostile_dryrun.sh — --dry-run while a nightly run writes (issue 38,
# item 9). A dry run reads the database without the lock; when the writer
# committed under it, Xapian discarded the revision it was reading and the
# dry run exited 3 with "DatabaseModifiedError: ... call
# Xapian::Database::reopen()". Now it reopens the database and reads again.
. "$(dirname "$0")/lib_e2e.sh"

D=$WORK/docs
gen_docs "$D" 1500 --seed 9 --name "d{i:05d}.txt" --paras 1 --newline --words \
    "skolan eleverna huvudmannen kommunen beslutet åtgärder undervisningen
     betygen tryggheten studieron rektorn"
DB=$WORK/db
expect_status 0 "$IDX" --db "$DB" "$D"
for f in "$D"/*.txt; do echo "ändrad" >>"$f"; done

# The writer commits every 2 files; dry runs follow one another meanwhile.
"$IDX" --db "$DB" --quiet --batch 2 "$D" >"$WORK/writer.out" 2>&1 &
WPID=$!
n=0 during=0
while :; do
    alive=0
    kill -0 "$WPID" 2>/dev/null && alive=1
    run "$IDX" --db "$DB" --dry-run "$D"
    e2e_signal_check
    [ "$RC" -eq 0 ] || fail "a dry run during a nightly run exited $RC"
    grep -q "reopen" "$ERR" && fail "a dry run said to reopen the database"
    n=$((n + 1))
    [ "$alive" -eq 1 ] && kill -0 "$WPID" 2>/dev/null && during=$((during + 1))
    [ "$alive" -eq 1 ] || break
    [ "$n" -lt 200 ] || break
done
wait "$WPID" || fail "the nightly run failed: $(cat "$WORK/writer.out")"
ok "$n dry runs exited 0, $during of them from start to end during the nightly run"
[ "$during" -ge 2 ] || skip "the nightly run was too quick to overlap a dry run (machine too fast for this test)"
run "$IDX" --db "$DB" --dry-run "$D"
expect_summary stdout 1500 unchanged
e2e_done
