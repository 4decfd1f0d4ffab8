# e2e_cli.sh — the command-line contract of diarium-index and diarium-query
# (DESIGN.md, "Command-line contract"): --help, usage errors (exit 2 with a
# one-line error and a "Try ... --help" hint), a missing database (exit 3,
# saying how to create one), $DIARIUM_DB and the defaults ./diarium.db and
# ./corpus.
. "$(dirname "$0")/lib_e2e.sh"

# A usage error: exit 2, nothing on stdout, and on stderr exactly two lines:
# "PROG: error: ..." and "Try 'PROG --help' ...".
expect_usage_error() {
    local prog
    prog=$(basename "$1")
    expect_status 2 "$@"
    [ -s "$OUT" ] && fail "a usage error should print nothing on stdout"
    expect_lines stderr 2
    head -n1 "$ERR" | grep -q "^$prog: .*error" ||
        fail "the first stderr line should be the error, starting '$prog: ... error'"
    sed -n 2p "$ERR" | grep -q "^Try .*$prog --help" ||
        fail "the second stderr line should be \"Try '$prog --help' ...\""
    ok "one-line error and a --help hint"
}

# Indexes are needed by some checks: one database built once, in WORK.
expect_status 0 "$IDX" --db "$WORK/db" "$CORPUS"

# --- --help ---------------------------------------------------------------
for prog in "$IDX" "$QRY"; do
    name=$(basename "$prog")
    expect_status 0 "$prog" --help
    expect_contains stdout "Usage: $name"
    expect_contains stdout "--db"
    [ -s "$ERR" ] && fail "--help should print nothing on stderr"
    ok "$name --help: usage on stdout, nothing on stderr"
done
run "$QRY" --help
expect_contains stdout "--limit"
expect_contains stdout "--format"
expect_contains stdout "--per-document"

# --- --version: the version, and the allocator diarium-index reaches --------
# (indexer/CMakeLists.txt links it with mimalloc ahead of the C library;
# CMake tells this test which one the build chose.)
for prog in "$IDX" "$QRY"; do
    expect_status 0 "$prog" --version
    expect_match stdout "^$(basename "$prog") [0-9]+\\.[0-9]+\\.[0-9]+\$"
done
run "$IDX" --version
expect_lines stdout 2
want=${DIARIUM_INDEX_ALLOCATOR:-C library}
case $want in
    mimalloc) expect_match stdout '^allocator: mimalloc [0-9]+\.[0-9]+\.[0-9]+$' ;;
    *) expect_eq "allocator line" "allocator: C library" "$(sed -n 2p "$OUT")" ;;
esac

# --- usage errors ---------------------------------------------------------
expect_usage_error "$IDX" --no-such-option
expect_contains stderr "--no-such-option"
expect_usage_error "$QRY" --no-such-option kompensatoriska
expect_contains stderr "--no-such-option"
expect_usage_error "$QRY" --db "$WORK/db" --limit x kompensatoriska
expect_contains stderr "--limit"
expect_usage_error "$QRY" --db "$WORK/db" --limit -3 kompensatoriska
expect_usage_error "$QRY" --db "$WORK/db" --format xml kompensatoriska
expect_contains stderr "xml"
expect_usage_error "$QRY" --db "$WORK/db" --color sometimes kompensatoriska
# no QUERY at all
expect_usage_error "$QRY" --db "$WORK/db"
# An option missing its argument: the message names the option as written.
expect_usage_error "$QRY" --db
expect_contains stderr "--db"

# --- no database ----------------------------------------------------------
expect_status 3 "$QRY" --db "$WORK/no-such-db" kompensatoriska
[ -s "$OUT" ] && fail "nothing expected on stdout"
expect_contains stderr "$WORK/no-such-db"
expect_contains stderr "diarium-index"
[ -e "$WORK/no-such-db" ] && fail "diarium-query must not create a database"
ok "diarium-query did not create $WORK/no-such-db"

# --- $DIARIUM_DB ----------------------------------------------------------
mkdir "$WORK/env" && cd "$WORK/env" || fail "cannot cd to $WORK/env"
expect_status 0 env DIARIUM_DB="$WORK/env/envdb" "$IDX" "$CORPUS"
[ -d "$WORK/env/envdb" ] || fail "DIARIUM_DB=$WORK/env/envdb: no database created there"
[ -e "$WORK/env/diarium.db" ] && fail "with DIARIUM_DB set, ./diarium.db must not be created"
ok "diarium-index honours DIARIUM_DB"
expect_summary stdout 15 added
expect_status 0 env DIARIUM_DB="$WORK/env/envdb" "$QRY" --format json --per-document --limit 3 sambedömning
get_docs
expect_contains stdout "2020-09-30_beslut_kvalitetsgranskning_betyg_lund.txt"
ok "diarium-query honours DIARIUM_DB"
# --db wins over DIARIUM_DB
expect_status 3 env DIARIUM_DB="$WORK/env/envdb" "$QRY" --db "$WORK/env/other" sambedömning
expect_contains stderr "$WORK/env/other"
# Without DIARIUM_DB and --db, the default ./diarium.db does not exist here.
expect_status 3 env -u DIARIUM_DB "$QRY" sambedömning
expect_contains stderr "diarium.db"

# --- defaults: ./diarium.db from ./corpus ----------------------------------
mkdir "$WORK/dflt" && cp -R "$CORPUS" "$WORK/dflt/corpus" && cd "$WORK/dflt" ||
    fail "cannot copy the corpus to $WORK/dflt"
expect_status 0 env -u DIARIUM_DB "$IDX"
expect_summary stdout 15 added
[ -d "$WORK/dflt/diarium.db" ] || fail "no ./diarium.db created by diarium-index without arguments"
ok "diarium-index without arguments created ./diarium.db"
expect_status 0 env -u DIARIUM_DB "$QRY" --format json --per-document --limit 20 Språkporten
get_docs
expect_eq "default db: documents for 'Språkporten'" \
    "2023-10-12_tjansteskrivelse_nyanlanda_sodertalje_latin1.txt" "$DOCS"
# Run again from the same folder: nothing to do.
expect_status 0 env -u DIARIUM_DB "$IDX"
expect_summary stdout 0 added
expect_summary stdout 15 unchanged

# diarium-index names a long option that is missing its argument as typed
# (it once said "option '-d' needs an argument" for --db).
expect_usage_error "$IDX" --db
expect_contains stderr "--db"

# --- a database in another index format is refused, not half-read -----------
# (dx_format.h: the query tool reads only the layout it was built for)
if command -v xapian-metadata >/dev/null 2>&1; then
    xapian-metadata set "$WORK/dflt/diarium.db" diarium.format 2 ||
        fail "xapian-metadata could not set diarium.format"
    expect_status 3 env -u DIARIUM_DB "$QRY" skolan
    expect_contains stderr "rebuild it with"
    expect_contains stderr "--full"
else
    echo "note: xapian-metadata not installed: format-version check not run"
fi

e2e_done
