# e2e_hostile_names.sh — file names that are not plain text (issue 38,
# item 9). An ESC byte in a file name reached the terminal raw (a name can
# recolour or retitle the terminal of whoever reads the cron mail), and a
# name that is not UTF-8 made diarium-index's JSON invalid. Now its text
# output writes control characters and bytes that are not UTF-8 as \xHH,
# and its JSON writes them as \u00XX and U+FFFD: always valid.
. "$(dirname "$0")/lib_e2e.sh"

D=$WORK/docs
mkdir "$D"
ESC=$'\033' BEL=$'\007' FF=$'\377'
printf 'Beslut om skolan och eleverna.\n' >"$D/a${ESC}[31mred.txt"
printf 'Beslut om huvudmannen.\n' >"$D/b${FF}x.txt"
printf 'Beslut om särskilt stöd.\n' >"$D/c åäö.txt"
printf '\000\001\002 binary' >"$D/d${ESC}]0;pwned${BEL}.txt"
printf '\000\001\002 binary' >"$D/e${FF}.txt"
DB=$WORK/db

# raw WHERE — no control byte (but newlines) and no byte that is not
# UTF-8 in WHERE.
raw() {
    local f
    f=$(e2e_where "$1")
    if LC_ALL=C grep -qP '[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]' "$f"; then
        fail "$1 has raw control bytes: $(LC_ALL=C grep -P '[\x00-\x09\x0b-\x1f\x7f]' "$f" | head -3 | cat -v)"
    fi
    iconv -f UTF-8 -t UTF-8 "$f" >/dev/null 2>&1 || fail "$1 is not valid UTF-8: $(cat -v "$f" | head -5)"
    ok "$1: no raw control bytes, valid UTF-8"
}

# Text: a dry run lists the names, a run names the files it skips.
expect_status 1 "$IDX" --db "$DB" --dry-run "$D"
raw stdout
raw stderr
expect_contains stdout 'a\x1B[31mred.txt'
expect_contains stdout 'b\xFFx.txt'
expect_contains stdout 'c åäö.txt'
expect_contains stderr 'd\x1B]0;pwned\x07.txt: binary data'
expect_contains stderr 'e\xFF.txt: binary data'
expect_status 1 "$IDX" --db "$DB" "$D"
expect_summary stdout 3 added
raw stdout
raw stderr
expect_contains stderr 'd\x1B]0;pwned\x07.txt'

# JSON: one valid object, the names as near to them as JSON allows.
json_ok() {
    expect_py "$1: valid JSON, the names as given" '
import json, sys
raw = sys.stdin.buffer.read()
o = json.loads(raw.decode("utf-8"))
names = sorted(f["path"].rsplit("/", 1)[-1] for f in o["failures"])
assert names == ["d\x1b]0;pwned\x07.txt", "e\ufffd.txt"], names
docs = sorted(c["doc"] for c in o.get("changes", []))
want = sys.argv[1].split(",") if sys.argv[1] else []
assert docs == sorted(w.replace("ESC", "\x1b").replace("FFFD", "\ufffd") for w in want), docs
' "$2"
}
rm -rf "$DB"
expect_status 1 "$IDX" --db "$DB" --dry-run --json "$D"
json_ok "--dry-run --json" "aESC[31mred.txt,bFFFDx.txt,c åäö.txt"
expect_status 1 "$IDX" --db "$DB" --json "$D"
json_ok "--json" ""
e2e_done
