# e2e_query_hostile.sh — what a careless or hostile hand puts before
# diarium-query (issue 38, item 9): document ids (file names) with an ESC
# byte, a C1 control, a newline or bytes that are not UTF-8 never reach the
# terminal raw in text and CSV output (\xHH instead) and never make a JSON
# line invalid (U+FFFD instead); a --queries file that cannot be read is an
# error (exit 3, its name and the reason), a NUL in one of its lines a
# syntax error of that line; a field filter whose value no document has
# says so on stderr (with the nearest value the index has). Lean: three
# one-line documents.
. "$(dirname "$0")/lib_e2e.sh"

DB=$WORK/db
DOCS=$WORK/docs
mkdir -p "$DOCS" || fail "cannot create $DOCS"
ESC_NAME=$(printf 'a\033[31mred\033[0m.txt')
BAD_NAME=$(printf 'b\377\376.txt')
C1_NAME=$(printf 'c\302\233x\nline.txt')
printf 'Skolan har vidtagit kompensatoriska åtgärder i Lund.\n' >"$DOCS/$ESC_NAME" &&
    printf 'Skolan har vidtagit kompensatoriska åtgärder igen.\n' >"$DOCS/$BAD_NAME" &&
    printf 'Skolan har vidtagit kompensatoriska åtgärder tre gånger.\n' >"$DOCS/$C1_NAME" ||
    skip "this file system does not take such file names"
expect_status 0 "$IDX" --db "$DB" "$DOCS"
expect_summary stdout 3 added

# no_raw_controls WHERE — the file holds no ESC, no C1 control (as UTF-8)
# and only valid UTF-8.
no_raw_controls() {
    local f
    f=$(e2e_where "$1")
    python3 -c '
import sys
b = open(sys.argv[1], "rb").read()
assert b"\x1b" not in b, "a raw ESC byte"
assert b"\xc2\x9b" not in b, "a raw C1 control (CSI)"
b.decode("utf-8")
' "$f" 2>&1 || fail "$1 of $E2E_LAST_CMD has raw control bytes or invalid UTF-8"
    ok "$1 has no raw control byte and is valid UTF-8"
}

# --- text and CSV: \xHH ----------------------------------------------------------
expect_status 0 "$QRY" --db "$DB" --limit 10 åtgärder
no_raw_controls stdout
expect_contains stdout 'a\x1B[31mred\x1B[0m.txt'
expect_contains stdout 'b\xFF\xFE.txt'
expect_contains stdout 'c\xC2\x9Bx\x0Aline.txt'
expect_status 0 "$QRY" --db "$DB" --limit 10 --color always åtgärder
expect_contains stdout 'a\x1B[31mred'
expect_status 0 "$QRY" --db "$DB" --limit 10 --format csv åtgärder
no_raw_controls stdout
expect_contains stdout '"a\x1B[31mred\x1B[0m.txt"'
expect_contains stdout '"b\xFF\xFE.txt"'
# a newline in a quoted CSV field is RFC 4180; the C1 control is escaped
expect_check "CSV: four rows of eight fields, ids as escaped" qh-csv-four-rows-of-eight

# --- JSON: valid, U+FFFD for bytes that are not UTF-8 ----------------------------
expect_status 0 "$QRY" --db "$DB" --limit 10 --format json åtgärder
no_raw_controls stdout
expect_check "JSON: every line valid, ids exact but for U+FFFD" qh-json-every-line-valid-ids

# --- the query itself: echoed escaped, caret where it was ------------------------
printf 'åtgärder\n\033[31m åtgärder\n\033[31m (\n' >"$WORK/esc.txt"
expect_status 2 "$QRY" --db "$DB" --queries "$WORK/esc.txt" --limit 1
no_raw_controls stdout
no_raw_controls stderr
expect_contains stdout '== \x1B[31m åtgärder'
expect_contains stderr "esc.txt:3:"
expect_contains stderr '  \x1B[31m ('
expect_contains stderr "$(printf '  %*s^' 9 '')"
expect_status 2 "$QRY" --db "$DB" --count --format csv --queries "$WORK/esc.txt"
expect_contains stdout '"åtgärder",3,3'
printf 'a "quoted" word\n' >"$WORK/quote.txt"
expect_status 0 "$QRY" --db "$DB" --count --format csv --queries "$WORK/quote.txt"
expect_contains stdout '"a ""quoted"" word",0,0'

# --- --queries FILE that cannot be read: exit 3, never a silent 0 ------------------
expect_status 3 "$QRY" --db "$DB" --queries "$DOCS"
expect_contains stderr "cannot read $DOCS"
expect_contains stderr "Is a directory"
expect_status 3 "$QRY" --db "$DB" --queries "$WORK/no-such-file"
expect_contains stderr "cannot open $WORK/no-such-file"
printf 'åtgärder\n\0skolan\nsko\0lan\n' >"$WORK/nul.txt"
expect_status 2 "$QRY" --db "$DB" --count --queries "$WORK/nul.txt"
expect_contains stdout "åtgärder: 3 passages"
expect_contains stderr "nul.txt:2: query syntax: the query contains a NUL character"
expect_contains stderr "nul.txt:3: query syntax: the query contains a NUL character"

# --- a filter value no document has: said so, nearest value suggested -------------
expect_status 0 "$QRY" --db "$DB" "doc:no-such.txt åtgärder"
expect_contains stderr "note: doc:no-such.txt matches nothing: the index has no document with that id"
expect_contains stdout "No passage matches."

e2e_done
