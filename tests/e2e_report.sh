# e2e_report.sh — topic reports (issue 5): diarium-query --report html|md|csv
# -o FILE QUERY.
#
# HTML: parsed with python3's html.parser into a tree whose every tag must
# be closed in order (void elements aside); nothing executable or loaded
# from elsewhere (no <script>, <img>, <link>, on* attributes, src, url(),
# @import, no href but #anchors); totals and the bars of both SVG charts
# equal the facet counts of `diarium-query --per-document --facets kommun,år
# --format json`; every document in the table has its section, with its
# passages; text from a document with <script> and <img onerror> in it
# comes out escaped, highlight intact. Markdown: the same totals and ids,
# nothing raw. CSV: BOM, ';', CRLF, one row per document, decimal comma.
# With ../shared/seeds: "kvalitetsgranskning" names Trelleborg, Borlänge,
# Landskrona and Perstorp and draws its charts. Errors: exit 2 for usage,
# 3 (naming the file) for a report that cannot be written.
. "$(dirname "$0")/lib_e2e.sh"

DB=$WORK/db
Q="kompensatoriska åtgärder"
expect_status 0 "$IDX" --db "$DB" --quiet "$CORPUS"

# check LABEL MODE REPORT [REFERENCE]: the report check MODE of
# tests/e2e_lib.py (report-html, report-md, ...).
check() {
    local label=$1 mode=$2 msg
    shift 2
    msg=$(python3 "$E2E_PY" check "report-$mode" "$@" </dev/null 2>&1) || fail "$label:
$(printf '%s\n' "$msg" | tail -n 15 | sed 's/^/    /')"
    ok "$label"
}

# The reference: what --per-document --facets says for the same query (the
# report's 500 documents with up to 3 passages each: --limit counts passages).
expect_status 0 "$QRY" --db "$DB" --per-document --passages 3 --limit 1500 \
    --facets kommun,år --format json "$Q"
cp "$OUT" "$WORK/ref.jsonl"

# HTML.
expect_status 0 "$QRY" --db "$DB" --report html -o "$WORK/r.html" "$Q"
expect_lines stdout 0
check "HTML report: well-formed, self-contained, numbers equal the facets" \
    html "$WORK/r.html" "$WORK/ref.jsonl"
expect_contains "$WORK/r.html" "Rapport: kompensatoriska åtgärder"
expect_contains "$WORK/r.html" "$DB"

# The same through standard output.
expect_status 0 "$QRY" --db "$DB" --report html -o - "$Q"
expect_match stdout '^<!DOCTYPE html>'
cmp -s <(sed -E 's/<time[^>]*>[^<]*<\/time>//' "$OUT") \
       <(sed -E 's/<time[^>]*>[^<]*<\/time>//' "$WORK/r.html") ||
    fail "-o - and -o FILE differ (beyond the time of the run)"
ok "-o - writes the same report to standard output"

# Markdown.
expect_status 0 "$QRY" --db "$DB" --report md --output "$WORK/r.md" "$Q"
check "Markdown report: totals, kommun bars, document ids, block quotes" \
    md "$WORK/r.md" "$WORK/ref.jsonl"

# CSV for a Swedish spreadsheet program.
expect_status 0 "$QRY" --db "$DB" --report csv -o "$WORK/r.csv" "$Q"
check "CSV report: BOM, ';', CRLF, one row per document, decimal comma" \
    csv "$WORK/r.csv" "$WORK/ref.jsonl"

# A query nothing matches still gives a valid report.
expect_status 0 "$QRY" --db "$DB" --report html -o "$WORK/empty.html" \
    xyzzyqwv
check "a report with no matches is valid HTML without charts" \
    empty "$WORK/empty.html"

# Injection: a document (and a file name) with markup in it.
mkdir -p "$WORK/inj" || fail "mkdir"
cat >"$WORK/inj/inj<b>&amp;.txt" <<'EOF'
Beslut
2023-05-04
Dnr 2023:99
Trelleborgs kommun

Kompensatoriska åtgärder <script>alert(1)</script> och
<img src=x onerror=alert(1)> "citat" 'apostrof' Bröd & smör.

**fet** _kursiv_ [länk](javascript:alert(1)) | rör ` kod
# inte en rubrik
EOF
cat >"$WORK/inj/promemoria.txt" <<'EOF'
Promemoria

Om kompensatoriska åtgärder i allmänhet, utan ort och utan datum.
EOF
expect_status 0 "$IDX" --db "$WORK/injdb" --quiet "$WORK/inj"
expect_status 0 "$QRY" --db "$WORK/injdb" --per-document --passages 3 \
    --limit 1500 --facets kommun,år --format json "kompensatoriska åtgärder"
cp "$OUT" "$WORK/injref.jsonl"
expect_py "the injection folder has a document without kommun and date" '
import json, sys
f = [json.loads(l) for l in sys.stdin if "facets" in l][0]["facets"]
assert {"value": "", "count": 1} in f["kommun"] and {"value": "", "count": 1} in f["år"], f
'
expect_status 0 "$QRY" --db "$WORK/injdb" --report html -o "$WORK/inj.html" \
    "kompensatoriska åtgärder"
check "HTML report: markup in a document and its id is escaped, highlight kept" \
    inject "$WORK/inj.html"
check "HTML report with a document without kommun and date: numbers, captions" \
    html "$WORK/inj.html" "$WORK/injref.jsonl"
expect_status 0 "$QRY" --db "$WORK/injdb" --report md -o "$WORK/inj.md" \
    "kompensatoriska åtgärder"
check "Markdown report: markup and Markdown syntax in a document escaped" \
    md-inject "$WORK/inj.md"
expect_status 0 "$QRY" --db "$WORK/injdb" --report csv -o "$WORK/inj.csv" \
    "kompensatoriska åtgärder"
expect_contains "$WORK/inj.csv" '"citat""'

# Usage and write errors.
expect_status 2 "$QRY" --db "$DB" --report html "$Q"
expect_contains stderr "-o"
expect_status 2 "$QRY" --db "$DB" --report xml -o "$WORK/x" "$Q"
expect_contains stderr "xml"
expect_status 2 "$QRY" --db "$DB" -o "$WORK/x" "$Q"
expect_status 2 "$QRY" --db "$DB" --report html -o "$WORK/x" '"unbalanced'
expect_status 3 "$QRY" --db "$DB" --report html -o "$WORK/missing/r.html" "$Q"
expect_contains stderr "$WORK/missing/r.html"
[ ! -e "$WORK/x" ] || fail "a report was written after a usage error"
ok "no report file after usage errors"
if [ -w /dev/full ]; then
    expect_status 3 "$QRY" --db "$DB" --report html -o /dev/full "$Q"
    expect_contains stderr "/dev/full"
fi

# The acceptance check on the real documents.
SEEDS=$DIARIUM_SHARED_DIR/seeds
if [ -d "$SEEDS" ]; then
    expect_status 0 "$IDX" --db "$WORK/seedsdb" --quiet "$SEEDS"
    expect_status 0 "$QRY" --db "$WORK/seedsdb" --report html \
        -o "$WORK/seeds.html" kvalitetsgranskning
    check "seeds: kvalitetsgranskning names Trelleborg, Borlänge, Landskrona, Perstorp; charts" \
        seeds "$WORK/seeds.html"
else
    echo "skipped check: ../shared/seeds not found (kvalitetsgranskning report)"
fi

e2e_done
