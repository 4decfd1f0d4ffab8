# e2e_bad_input.sh — bad input must be reported, never crash: files that
# cannot be indexed (binary, truncated gzip, unreadable, missing), query
# syntax errors with their position, and a fuzz of random queries.
. "$(dirname "$0")/lib_e2e.sh"

DB=$WORK/db
IN=$WORK/in
mkdir "$IN" || fail "mkdir $IN"

# --- the acceptance check: a folder with good and bad files ---------------
printf 'Rektorn har infört pingvinmetoden i alla klasser.\n\nDen utvärderas i juni.\n' >"$IN/good.txt"
# Latin-1: "Kommunen har vidtagit åtgärder för nyanlända elever."
printf 'Kommunen har vidtagit \xe5tg\xe4rder f\xf6r nyanl\xe4nda elever.\n' >"$IN/latin1.txt"
# Binary data under a .txt name.
printf 'PK\003\004\000\000\000\001binary\000data\377\376\000\n' >"$IN/x.txt"
# A gzip stream cut off in the middle.
seq 1 20000 | sed 's/^/rad nummer /' | gzip -c | head -c 4000 >"$IN/truncated.txt.gz"

expect_status 1 "$IDX" --db "$DB" "$IN"
grep -F "x.txt" "$ERR" | grep -qi "binary" ||
    fail "stderr should name x.txt with the reason (binary)"
ok "stderr names x.txt as binary: $(grep -F x.txt "$ERR")"
grep -F "truncated.txt.gz" "$ERR" | grep -qi "truncat" ||
    fail "stderr should name truncated.txt.gz with the reason (truncated)"
ok "stderr names truncated.txt.gz as truncated: $(grep -F truncated.txt.gz "$ERR")"
if grep -F -e good.txt -e latin1.txt "$ERR"; then
    fail "the good and the Latin-1 file should not be reported on stderr"
fi
ok "good.txt and latin1.txt not reported"
expect_summary stdout 2 added
expect_summary stdout 2 failed

expect_status 0 "$QRY" --db "$DB" --format json --per-document åtgärder
get_docs
expect_eq "'åtgärder' finds the Latin-1 document" "latin1.txt" "$DOCS"
expect_py "the Latin-1 text was transcoded to UTF-8" '
import json, sys
o = json.loads(sys.stdin.readline())
assert "vidtagit åtgärder för nyanlända" in o["text"], repr(o["text"])
'
expect_status 0 "$QRY" --db "$DB" --format json --per-document pingvinmetoden
get_docs
expect_eq "a word of the good file finds it" "good.txt" "$DOCS"
# Nothing from the files that were skipped.
expect_status 0 "$QRY" --db "$DB" --format json --limit 50 "doc:x.txt OR doc:truncated.txt.gz"
expect_lines stdout 0

# --- an unreadable file -----------------------------------------------------
# chmod 000 does not stop root, so as root the indexer is run as nobody
# (setpriv) on a folder it may write; without that the check is skipped.
U=$WORK/unreadable
mkdir "$U" && printf 'Ett hemligt ord: hemlighetsordet.\n' >"$U/secret.txt" &&
    printf 'Ett vanligt ord: vardagsordet.\n' >"$U/plain.txt" && chmod 000 "$U/secret.txt" ||
    fail "cannot prepare $U"
AS=()
if [ "$(id -u)" -eq 0 ]; then
    if command -v setpriv >/dev/null 2>&1 &&
        setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null; then
        AS=(setpriv --reuid=65534 --regid=65534 --clear-groups)
        chmod 755 "$WORK" && chmod 777 "$U" && chmod 644 "$U/plain.txt" ||
            fail "cannot open $U to nobody"
    else
        AS=(skip)
    fi
fi
if [ "${AS[0]:-}" = skip ]; then
    echo "note: running as root without setpriv: chmod 000 does not prevent reading; unreadable-file check skipped"
else
    expect_status 1 "${AS[@]}" "$IDX" --db "$U/db" "$U"
    grep -F "secret.txt" "$ERR" | grep -qiE "permission|denied|cannot|unreadable" ||
        fail "stderr should name secret.txt with the reason (permission denied)"
    ok "unreadable file reported: $(grep -F secret.txt "$ERR")"
    expect_summary stdout 1 added
    expect_status 0 "$QRY" --db "$U/db" --format json vardagsordet
    get_docs
    expect_eq "the readable neighbour is indexed" "plain.txt" "$DOCS"
    chmod 700 "$WORK"
fi

# --- a PATH that does not exist -------------------------------------------
G=$WORK/good
mkdir "$G" && cp "$IN/good.txt" "$G/" || fail "cannot prepare $G"
expect_status 1 "$IDX" --db "$WORK/db2" "$G" "$WORK/no-such-folder"
expect_contains stderr "$WORK/no-such-folder"
expect_summary stdout 1 added
expect_status 0 "$QRY" --db "$WORK/db2" --format json pingvinmetoden
get_docs
expect_eq "the existing PATH was indexed" "good.txt" "$DOCS"

# (Two writers at once: tests/e2e_nightly.sh, "two indexers at once".)

# --- query syntax errors: exit 2 with a message pointing at the problem ----
# diarium-query prints the query and a caret under the offending character
# (counted in characters). Each case: QUERY, and the 0-based character
# position the caret must point at.
expect_caret() {
    local query=$1 pos=$2
    expect_status 2 "$QRY" --db "$DB" "$query"
    [ -s "$OUT" ] && fail "nothing expected on stdout"
    E2E_CHECK_IN=stderr expect_check \
        "the caret points at character $pos of $(printf '%q' "$query")" \
        caret "$query" "$pos" ""
}
expect_caret '"unbalanced' 0
expect_icontains stderr 'quote'
expect_caret '(a b' 0
expect_contains stderr ')'
expect_caret 'a)' 1
expect_caret 'skola OR' 6
expect_contains stderr 'OR'
expect_caret 'NOT' 0
expect_caret 'a OR' 2
expect_caret 'å*' 0
expect_icontains stderr 'prefix'
expect_caret 'åtgärder ö)' 10
# Empty and blank queries.
for qq in '' '   '; do
    expect_status 2 "$QRY" --db "$DB" "$qq"
    expect_icontains stderr "empty"
done
# A 100 KB query.
BIG=$(python3 -c 'print(" ".join(["skola"] * 17000))')
[ ${#BIG} -ge 100000 ] || fail "could not build a 100 KB query"
expect_status 2 "$QRY" --db "$DB" "$BIG"
expect_icontains stderr "long"
# Shorter ones still work
expect_status 0 "$QRY" --db "$DB" --format json "$(python3 -c 'print(" ".join(["rektorn"] * 300))')"

# --- fuzz: random queries never crash --------------------------------------
# 500 queries of operator tokens, words and random characters — half of them
# also with random bytes (no NUL: argv cannot hold one); each must exit 0
# (ran) or 2 (rejected), nothing else.
python3 - "$WORK/fuzz" <<'EOF'
import os, random, sys
rnd = random.Random(20240219)
toks = ['"', '(', ')', '-', '*', 'OR', 'NOT', 'AND', 'NEAR', 'NEAR/3', 'NEAR/0',
        'NEAR/99999', 'doc:', 'doc:"', ':', '..', 'ELLER', 'INTE', 'OCH',
        'skola', 'åtgärder', 'atgirder', 'å', 'ä*', 'kompensatoriska', ' ', ' ',
        '\t', '\u00a0', 'ö', 'x' * 300, '((((((((', '))))', '\u0301', 'é',
        '\ufeff', 'e\u0301', 'sk*', 'b**', '-"', '"a b"', 'NEAR/', 'år:2019']
out = []
for i in range(500):
    parts = []
    for _ in range(rnd.randint(1, 12)):
        r = rnd.random()
        if i % 2 and r < 0.35:
            # random bytes: mostly invalid UTF-8
            parts.append(bytes(rnd.randint(1, 255) for _ in range(rnd.randint(1, 6))))
        elif r < 0.35:
            # random valid UTF-8: ASCII, Latin-1, combining marks, CJK, emoji
            parts.append("".join(chr(rnd.choice([rnd.randint(33, 126), rnd.randint(0xa0, 0x17f),
                                                 rnd.randint(0x300, 0x36f), rnd.randint(0x4e00, 0x4e80),
                                                 rnd.randint(0x1f600, 0x1f64f)]))
                                 for _ in range(rnd.randint(1, 6))).encode())
        else:
            parts.append(rnd.choice(toks).encode())
        if rnd.random() < 0.5:
            parts.append(b" ")
    out.append(b"".join(parts))
# a few deliberate ones: deep nesting, long words, invalid UTF-8
out[0] = b"(" * 200 + b"a" + b")" * 200
out[1] = b"NOT " * 100 + b"a"
out[2] = b"\xff\xfe\xc3"
out[3] = b"a NEAR " * 500 + b"b"
out[4] = b"\xc3\xa5" * 5000
out[5] = b'"' + b"a " * 3000 + b'"'
out[6] = b"s* " * 200
os.makedirs(sys.argv[1])
for i, q in enumerate(out):
    with open("%s/q%03d" % (sys.argv[1], i), "wb") as f:
        f.write(q)
EOF
# Against the sample corpus, so that words, prefixes and spellings expand.
expect_status 0 "$IDX" --db "$WORK/cdb" "$CORPUS"
nq=0
n0=0
for qf in "$WORK"/fuzz/q*; do
    nq=$((nq + 1))
    fq=$(cat "$qf"; printf x)
    fq=${fq%x}
    run "$QRY" --db "$WORK/cdb" --limit 3 "$fq"
    case $RC in
        0) n0=$((n0 + 1)) ;;
        2) [ -s "$ERR" ] || fail "random query $nq $(printf '%q' "$fq"): exit 2 without a message" ;;
        *) fail "random query $nq $(printf '%q' "$fq"): expected exit 0 or 2, got $RC" ;;
    esac
done
[ "$nq" -eq 500 ] || fail "expected 500 random queries, ran $nq"
ok "500 random queries: each exited 0 or 2 ($n0 ran, $((nq - n0)) rejected)"

e2e_done
