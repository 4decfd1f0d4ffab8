# e2e_hostile_damaged.sh — damaged databases (issue 38, item 6). Flipped
# bits in termlist.glass made --check segfault inside Xapian's own check;
# flipped bits in postlist.glass made a nightly run overflow the heap inside
# Xapian, and a nightly run with nothing to do exited 0 on a damaged
# database. Now Xapian's check runs in a child process (a crash there is
# "NOT sound", exit 3) and a run verifies the tables before it writes: on a
# damaged database it refuses with exit 3, writing nothing, also when it
# has nothing to do. Damage is made by flipping bytes with fixed seeds.
. "$(dirname "$0")/lib_e2e.sh"

D=$WORK/docs
cp -R "$CORPUS" "$D"
CLEAN=$WORK/clean
expect_status 0 "$IDX" --db "$CLEAN" --jobs 1 "$D"

# damage SRC OUT SPEC... — for each SPEC "table:seed", a copy of the
# database SRC as OUT/table-seed with one bit flipped in each of 20 bytes of
# table.glass, chosen by the seed (one python3 for all: it starts slowly).
damage() {
    python3 "$E2E_PY" damage "$@" || fail "cannot make the damaged copies"
}

# tables DB — each table file of DB with its size and checksum.
tables() { (cd "$1" && cksum *.glass iamglass); }

SPECS=()
for table in termlist postlist; do
    for seed in $(seq 1 6); do SPECS+=("$table:$seed"); done
done
SPECS+=(termlist:1-json postlist:7-late)
damage "$CLEAN" "$WORK/dmg" "${SPECS[@]}"

crashed=0 damaged=0
for table in termlist postlist; do
    for seed in $(seq 1 6); do
        DB=$WORK/dmg/$table-$seed
        BEFORE=$(tables "$DB")

        run "$IDX" --db "$DB" --check
        e2e_signal_check
        case $RC in
        0) grep -q ": sound:" "$OUT" || fail "$table seed $seed: exit 0 without 'sound'" ;;
        3) grep -q "NOT sound" "$OUT" || fail "$table seed $seed: exit 3 without 'NOT sound'"
           grep -q "crashed" "$OUT" && crashed=$((crashed + 1))
           damaged=$((damaged + 1)) ;;
        *) fail "$table seed $seed: --check: expected exit 0 or 3" ;;
        esac
        check=$RC

        # A run with nothing to do, then one with a change and a removal:
        # the same verdict as --check; on a damaged database nothing written.
        for change in none some; do
            if [ $change = some ]; then
                printf 'Ny text om särskilt stöd %s.\n' "$seed" >"$D/extra.txt"
            fi
            run "$IDX" --db "$DB" --jobs 1 "$D"
            e2e_signal_check
            rm -f "$D/extra.txt"
            if [ "$check" -eq 3 ]; then
                [ "$RC" -eq 3 ] || fail "$table seed $seed, $change to do: a run on a damaged database must exit 3"
                grep -q "is damaged" "$ERR" || fail "$table seed $seed: stderr should say the database is damaged"
                grep -q -- "--full" "$ERR" || fail "$table seed $seed: stderr should say to rebuild with --full"
                expect_eq "$table seed $seed, $change to do: nothing written" "$BEFORE" "$(tables "$DB")"
            else
                [ "$RC" -eq 0 ] || fail "$table seed $seed: --check said sound, the run exited $RC"
            fi
        done
    done
done
ok "$damaged of 12 damaged databases found NOT sound ($crashed by a crash of Xapian's check)"
[ "$damaged" -ge 6 ] || fail "expected most of the 12 damaged databases to be found NOT sound"

# The way out the message gives: --full rebuilds it, and it is sound again.
expect_status 0 "$IDX" --db "$DB" --full "$D"
expect_status 0 "$IDX" --db "$DB" --check
expect_summary stdout 15 documents

# A byte flipped after a run that left the tables verified is still caught
# (the record of the verified state notices any write behind its back).
DB=$WORK/db
cp -R "$CLEAN" "$DB"
expect_status 0 "$IDX" --db "$DB" "$D"
cp "$WORK/dmg/postlist-7-late/postlist.glass" "$DB/postlist.glass"
expect_status 3 "$IDX" --db "$DB" "$D"
expect_contains stderr "is damaged"

# --json reports the crash as a problem, not as a crash of --check.
expect_status 3 "$IDX" --db "$WORK/dmg/termlist-1-json" --check --json
expect_py "--check --json: not sound, with the problem" '
import json, sys
o = json.load(sys.stdin)
assert o["sound"] is False and o["problems"], o'
e2e_done
