# e2e_docs.sh — the users' documentation is true of the programs built:
# the README's synopses name exactly the options of each program's --help,
# its example command lines use only options the program has, and its
# sample result is what the quick start's query prints over corpus/
# (tests/check_docs.py does the comparing).
. "$(dirname "$0")/lib_e2e.sh"

README=$DIARIUM_SOURCE_DIR/README.md
CHECK=$DIARIUM_SOURCE_DIR/tests/check_docs.py
for p in diarium-serve diarium-extract; do
    [ -x "$DIARIUM_BIN_DIR/$p" ] || fail "program not found: $DIARIUM_BIN_DIR/$p"
done

expect_status 0 python3 "$CHECK" readme "$README" "$DIARIUM_BIN_DIR"
ok "README synopses and options match each program's --help"

# The sample result: the quick start's query over the sample documents.
expect_status 0 "$IDX" --db "$WORK/db" "$CORPUS"
expect_status 0 env -u NO_COLOR "$QRY" --db "$WORK/db" --color never "kompensatoriska åtgärder"
cp "$OUT" "$WORK/sample.txt"
expect_status 0 python3 "$CHECK" sample "$README" "$WORK/sample.txt"
ok "README's sample result is the quick start query's output"

e2e_done
