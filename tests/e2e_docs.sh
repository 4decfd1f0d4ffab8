# e2e_docs.sh — the users' documentation is true of the programs built:
# the README's synopses name exactly the options of each program's --help,
# its example command lines use only options the program has, and its
# sample result is what the quick start's query prints over corpus/; each
# program's man page (man/*.1) documents exactly the options of its --help,
# renders without warnings, and `cmake --install` installs the programs,
# the man pages and the systemd units (tests/check_docs.py compares).
. "$(dirname "$0")/lib_e2e.sh"

README=$DIARIUM_SOURCE_DIR/README.md
CHECK=$DIARIUM_SOURCE_DIR/tests/check_docs.py
for p in diarium-serve diarium-extract; do
    [ -x "$DIARIUM_BIN_DIR/$p" ] || fail "program not found: $DIARIUM_BIN_DIR/$p"
done

expect_status 0 python3 "$CHECK" readme "$README" "$DIARIUM_BIN_DIR"
ok "README synopses and options match each program's --help"

expect_status 0 python3 "$CHECK" man "$DIARIUM_SOURCE_DIR/man" "$DIARIUM_BIN_DIR"
ok "each man page documents exactly its program's --help options"

if command -v groff >/dev/null 2>&1; then
    for page in "$DIARIUM_SOURCE_DIR"/man/*.1; do
        expect_status 0 groff -k -man -ww -z "$page"
        [ -s "$ERR" ] && fail "groff warns about $(basename "$page")"
        ok "$(basename "$page") renders without warnings"
    done
else
    echo "note: groff not found; the man pages' rendering is not checked"
fi

# cmake --install of this build into a private prefix.
if command -v cmake >/dev/null 2>&1 &&
    [ -f "$DIARIUM_BIN_DIR/../cmake_install.cmake" ]; then
    expect_status 0 cmake --install "$DIARIUM_BIN_DIR/.." --prefix "$WORK/inst"
    for p in diarium-index diarium-query diarium-serve diarium-extract; do
        [ -x "$WORK/inst/bin/$p" ] || fail "not installed: bin/$p"
        cmp -s "$DIARIUM_SOURCE_DIR/man/$p.1" "$WORK/inst/share/man/man1/$p.1" ||
            fail "not installed: share/man/man1/$p.1"
    done
    ok "cmake --install: the programs and their man pages"
    for u in "$DIARIUM_SOURCE_DIR"/contrib/systemd/*; do
        cmp -s "$u" "$WORK/inst/share/doc/diarium/systemd/$(basename "$u")" ||
            fail "not installed: share/doc/diarium/systemd/$(basename "$u")"
    done
    ok "cmake --install: the systemd units"
else
    echo "note: no cmake or no build tree at $DIARIUM_BIN_DIR/..; install not checked"
fi

# The sample result: the quick start's query over the sample documents.
expect_status 0 "$IDX" --db "$WORK/db" "$CORPUS"
expect_status 0 env -u NO_COLOR "$QRY" --db "$WORK/db" --color never "kompensatoriska åtgärder"
cp "$OUT" "$WORK/sample.txt"
expect_status 0 python3 "$CHECK" sample "$README" "$WORK/sample.txt"
ok "README's sample result is the quick start query's output"

e2e_done
