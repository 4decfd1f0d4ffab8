# e2e_hostile_encoding.sh — UTF-8 files with a few invalid bytes (issue 38,
# item 2). One stray byte, or a file cut inside a character (a truncated
# extraction), used to make the whole file Windows-1252: "åtgärder" became
# "Ã¥tgÃ¤rder" and no query found it, without a word on stderr. Now only
# the invalid sequences are replaced, the file is named on stderr with the
# line and byte of the first one, and a file that really is Latin-1 /
# Windows-1252 is still read as such (without a warning).
. "$(dirname "$0")/lib_e2e.sh"

D=$WORK/docs
mkdir -p "$D"
{ printf 'Kommunen har vidtagit åtgärder.\n\nSlut'; printf '\xc3'; } >"$D/cut.txt"
printf 'Skolan i Göteborg har vidtagit åtgärder.\nRektorn i G\xf6teborg svarar.\n' >"$D/stray.txt"
printf 'Beslut i G\xf6teborg om \xe5tg\xe4rder f\xf6r eleverna \x96 s\xe4rskilt st\xf6d.\n' >"$D/latin1.txt"
printf 'Huvudmannen har vidtagit åtgärder för särskilt stöd.\n' >"$D/clean.txt"

# texts DB — "doc: text" of every passage that 'åtgärder' finds.
texts() {
    run "$QRY" --db "$1" --format json --limit 100 "åtgärder"
    [ "$RC" -eq 0 ] || fail "query: exit $RC"
    py 'import json, sys
for o in sorted(map(json.loads, sys.stdin), key=lambda o: o["doc"]):
    print("%s: %s" % (o["doc"], o["text"].replace("\n", " ")))'
}

for j in 1 2; do
    DB=$WORK/db$j
    expect_status 0 "$IDX" --db "$DB" --jobs $j --json "$D"
    expect_contains stderr "warning: $D/cut.txt: invalid UTF-8 from line 3 (byte 39): 1 character cut short replaced by U+FFFD"
    expect_contains stderr "warning: $D/stray.txt: invalid UTF-8 from line 2 (byte 55): 1 stray byte read as Windows-1252"
    expect_not_contains stderr "latin1.txt"
    expect_not_contains stderr "clean.txt"
    expect_py "--jobs $j: JSON lists the two warnings, no failure" '
import json, sys
d = json.load(sys.stdin)
assert d["failed"] == 0 and d["failures"] == [], d
assert sorted(w["path"].rsplit("/", 1)[1] for w in d["warnings"]) == ["cut.txt", "stray.txt"], d
'
    expect_eq "--jobs $j: every file is read right, only the bad bytes replaced" \
"clean.txt: Huvudmannen har vidtagit åtgärder för särskilt stöd.
cut.txt: Kommunen har vidtagit åtgärder.  Slut�
latin1.txt: Beslut i Göteborg om åtgärder för eleverna – särskilt stöd.
stray.txt: Skolan i Göteborg har vidtagit åtgärder. Rektorn i Göteborg svarar." \
        "$(texts "$DB")"
    for q in atgarder "vidtagit åtgärder" göteborg; do
        run "$QRY" --db "$DB" --format json --per-document "$q"
        get_docs
        case $q in
            göteborg) want="latin1.txt stray.txt" ;;
            *) want="cut.txt latin1.txt stray.txt clean.txt" ;;
        esac
        [ "$q" = "vidtagit åtgärder" ] && want="cut.txt stray.txt clean.txt"
        expect_eq "--jobs $j: '$q' finds them" "$(printf '%s\n' $want | sort)" \
            "$(printf '%s\n' "$DOCS" | sort)"
    done
done

# A nightly run that re-reads a changed file says it again; --quiet too.
printf 'Rektorn i G\xf6teborg har vidtagit \xc3\xa5tg\xc3\xa4rder.\n' >"$D/stray.txt"
expect_status 0 "$IDX" --db "$WORK/db1" --quiet "$D"
expect_contains stderr "warning: $D/stray.txt: invalid UTF-8 from line 1 (byte 11)"
expect_lines stderr 1
expect_lines stdout 0
expect_status 0 "$IDX" --db "$WORK/db1" --check
e2e_done
