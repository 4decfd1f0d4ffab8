#!/usr/bin/env bash
# End-to-end: documents whose words are spread over their passages, found
# through the document-level postings (issue 32; dx_format.h, D terms;
# dq_search.c, spread_doclevel). DIARIUM_DOCLEVEL=0 makes diarium-query
# find them the other way (the best documents for the rarest word, then
# the other words within them), whose results must be the same but where
# that way stops short.
# shellcheck source=lib_e2e.sh
. "$(dirname "$0")/lib_e2e.sh"

# ranking — the last stdout's JSON results as "query doc passage complete
# score" lines.
ranking() {
    py 'import json,sys
for l in sys.stdin:
    o = json.loads(l)
    if "doc" in o:
        print(o.get("query"), o["doc"], o["passage"], o["complete"], "%.6f" % o["score"])'
}

# 1. corpus/: every query gives the same results both ways, with and
#    without --per-document, --exact and an excluded word; a phrase as a
#    part is left to the other way. Some of them are spread matches.
expect_status 0 "$IDX" --db "$WORK/db" "$CORPUS"
printf '%s\n' "kompensatoriska åtgärder" "skolan elever" "huvudmannen studiero" \
    "rektor elevhälsa" "betyg bedömning -skolan" "atgarder kompensatoriska" \
    "kommun:borlänge undervisningen" "elever \"särskilt stöd\"" \
    "undervisningen år:2021" "förskola åtgärder utredning" \
    "likvärdig utbildning" "trygghet studiero" > "$WORK/q.txt"
spread=0
for opts in "" "--per-document" "--exact" "--per-document --limit 3"; do
    # shellcheck disable=SC2086 # opts is a word list
    expect_status 0 "$QRY" --db "$WORK/db" --format json $opts --queries "$WORK/q.txt"
    A=$(ranking)
    spread=$((spread + $(printf '%s\n' "$A" | grep -c ' False ')))
    # shellcheck disable=SC2086
    expect_status 0 env DIARIUM_DOCLEVEL=0 "$QRY" --db "$WORK/db" \
        --format json $opts --queries "$WORK/q.txt"
    B=$(ranking)
    expect_eq "$opts: document-level spread matches as the other way" "$B" "$A"
done
[ "$spread" -gt 0 ] || fail "no spread match among the results: the check above proves nothing"
ok "$spread spread matches among them"

# 2. Two words that each stand in 260 documents, most often in those; one
#    more document holds each once, in passages of its own. It ranks below
#    the 200 best documents for either word, where the other way looks:
#    only the document-level postings find it.
mkdir -p "$WORK/spread" || fail "mkdir"
python3 - "$WORK/spread" <<'PY' || fail "cannot write the documents"
import sys
d = sys.argv[1]
fill = " ".join(["och undervisningen i varje klass följs upp av rektor"] * 26)
for i in range(260):
    open("%s/alfa%03d.txt" % (d, i), "w").write(
        "Kvartsfältet kvartsfältet kvartsfältet %d. %s\n" % (i, fill[:300 + i]))
    open("%s/beta%03d.txt" % (d, i), "w").write(
        "Myrstacken myrstacken myrstacken %d. %s\n" % (i, fill[:300 + i]))
open(d + "/spridd.txt", "w").write(
    "Om kvartsfältet. %s.\n\nEtt annat stycke. %s, och om myrstacken.\n"
    % (fill, fill))
PY
expect_status 0 "$IDX" --db "$WORK/sdb" "$WORK/spread"
expect_status 0 "$QRY" --db "$WORK/sdb" --format json --per-document -- "kvartsfältet myrstacken"
expect_py "the spread document is found, as an incomplete match" '
import json, sys
rs = [json.loads(l) for l in sys.stdin]
assert [o["doc"] for o in rs] == ["spridd.txt"], [o["doc"] for o in rs]
assert rs[0]["complete"] is False, rs[0]
'
expect_status 0 env DIARIUM_DOCLEVEL=0 "$QRY" --db "$WORK/sdb" --format json --per-document -- "kvartsfältet myrstacken"
expect_lines stdout 0
# Re-indexed with the second word gone: not found any more.
sed -i 's/och om myrstacken/och om annat/' "$WORK/spread/spridd.txt" || fail "sed"
touch -d '2001-01-01' "$WORK/spread/spridd.txt"
expect_status 0 "$IDX" --db "$WORK/sdb" "$WORK/spread"
expect_status 0 "$QRY" --db "$WORK/sdb" --format json --per-document -- "kvartsfältet myrstacken"
expect_lines stdout 0

e2e_done
