# e2e_seeds.sh — the acceptance criterion on the five real documents in
# ../shared/seeds: for "kompensatoriska åtgärder" the three documents about
# compensatory measures (000, 001 and 004) come first. Skipped when
# ../shared is absent (a fresh clone).
. "$(dirname "$0")/lib_e2e.sh"

SEEDS=$DIARIUM_SHARED_DIR/seeds
[ -d "$SEEDS" ] || skip "../shared/seeds not found"

cp -R "$SEEDS" "$WORK/seeds" || fail "cannot copy $SEEDS"
DB=$WORK/db
expect_status 0 "$IDX" --db "$DB" "$WORK/seeds"
NSEEDS=$(find "$WORK/seeds" -type f | wc -l)
expect_summary stdout "$NSEEDS" added

expect_status 0 "$QRY" --db "$DB" --per-document --format json "kompensatoriska åtgärder"
get_docs
TOP3=$(printf '%s\n' "$DOCS" | head -n 3 | sed -E 's/^([0-9]{3})_.*/\1/' | sort)
expect_eq "the top three documents for 'kompensatoriska åtgärder' (by number)" \
    "000
001
004" "$TOP3"

e2e_done
