#!/usr/bin/env bash
# e2e_pdf.sh — PDF, Word and OpenDocument files through diarium-index and
# diarium-query (issue 30): the traps of layout cleanup as a searcher
# meets them, page fields in results and reports, bad files among good
# ones (named, remembered, the rest indexed), a nightly cycle with PDFs
# added, changed, renamed and removed, and a PDF past the reader's limits.
#
# The documents are made here by tests/make_docs.py (python3-reportlab,
# qpdf); the test is skipped when they cannot be made.
source "$(dirname "$0")/lib_e2e.sh"

PYR=""
for py in python3 /usr/bin/python3; do
    if "$py" -c 'import reportlab' 2>/dev/null; then PYR=$py; break; fi
done
[ -n "$PYR" ] || skip "python3-reportlab is not installed (scripts/setup.sh installs it)"
[ -x "$DIARIUM_BIN_DIR/diarium-extract" ] || fail "diarium-extract not built in $DIARIUM_BIN_DIR"

G=$WORK/gen
"$PYR" "$DIARIUM_SOURCE_DIR/tests/make_docs.py" "$G" >"$WORK/gen.log" 2>&1 \
    || skip "cannot make the test documents: $(tail -1 "$WORK/gen.log")"

D=$WORK/docs
DB=$WORK/db
mkdir -p "$D"
for f in headers hyphens ligatures columns labels nolabels scan plain \
         encrypted truncated; do
    cp "$G/$f.pdf" "$D/"
done
cp "$G/decision.docx" "$G/decision.odt" "$D/"
cp "$CORPUS/2020-02-03_beslut_kvalitetsgranskning_elevhalsa_kalmar.txt" "$D/"

# ---------------------------------------------------------------- first run
expect_status 1 "$IDX" --db "$DB" "$D"
expect_summary stdout 11 added
expect_summary stdout 2 failed
expect_contains stderr "encrypted.pdf: encrypted (password-protected)"
expect_contains stderr "truncated.pdf: truncated: the file ends without %%EOF"
# scan.pdf's image page (a black box) is read by OCR, which finds no
# words there: nothing to report (e2e_ocr tests scanned pages).
expect_not_contains stderr "scan.pdf"
expect_status 0 "$IDX" --db "$DB" --check --json
expect_py "--check: sound, two unreadable files remembered" '
import json, sys
o = json.load(sys.stdin)
assert o["sound"] is True, o
assert o["failed"] == 2, o
assert o["documents"] == 11, o
'

# ------------------------------------------------------------------- traps
# Each query must find the trap's document; the damaged forms must not be
# in the index at all.
q1() { run "$QRY" --db "$DB" --format json --exact --per-document "$@"; e2e_signal_check; }
for q in '"EU-regler"' '"barn- och utbildningsnämnden"' '"2022-2023"' \
         'åtgärder' 'e-post' 'kompensatoriska'; do
    q1 "$q"
    get_docs
    case $DOCS in *hyphens.pdf*) ok "$q finds hyphens.pdf" ;;
        *) fail "$q: hyphens.pdf not found: $DOCS" ;; esac
done
for q in euregler barnoch 20222023 kompen epost; do
    run "$QRY" --db "$DB" --count --exact "$q"
    expect_contains stdout "0 passages"
done
for q in finansiering officiella effekten; do
    q1 "$q"
    get_docs
    case $DOCS in *ligatures.pdf*) ok "$q finds ligatures.pdf" ;;
        *) fail "$q: ligatures.pdf not found: $DOCS" ;; esac
done
# Running headers and footers are gone from the passages.
q1 Skolinspektionen
get_docs
case $DOCS in *headers.pdf*) fail "the running header is in headers.pdf's passages" ;; esac
ok "no running header in the passages"
q1 '"Sida 2"'
expect_lines stdout 0
# Two columns: the left one's text, then the right one's.
q1 '"gymnasiet Nämnden"'
get_docs
case $DOCS in *columns.pdf*) ok "columns read one after the other" ;;
    *) fail "columns.pdf: the left column's end is not followed by the right one's start: $DOCS" ;; esac
q1 '"arbetat med Nämnden"'
expect_lines stdout 0

# --------------------------------------------------------------- page fields
q1 '"EU-regler"'
expect_py "a PDF result has page and page_end, no label without labels" '
import json, sys
for line in sys.stdin:
    o = json.loads(line)
    if o["doc"] == "hyphens.pdf":
        assert o["page"] == 1 and o["page_end"] == 1, o
        assert "page_label" not in o, o
        sys.exit(0)
sys.exit("hyphens.pdf not found")
'
q1 'rubriken bedömning'
expect_py "labels.pdf: page_label from /PageLabels" '
import json, sys
for line in sys.stdin:
    o = json.loads(line)
    if o["doc"] == "labels.pdf":
        assert o["page"] >= 1 and o["page_end"] >= o["page"], o
        assert o["page_label"] == ["i", "ii", "1", "2", "3"][o["page"] - 1], o
        sys.exit(0)
sys.exit("labels.pdf not found")
'
# plain.pdf: three pages of one line each, merged into one passage (short
# paragraphs are): it starts on page 1 and ends on page 3.
q1 'Skälen för beslutet'
expect_py "a passage over three pages: page 1, page_end 3" '
import json, sys
o = json.loads(sys.stdin.readline())
assert o["doc"] == "plain.pdf" and o["page"] == 1 and o["page_end"] == 3, o
'
q1 'Gävle'
expect_py "Word: no page fields" '
import json, sys
o = json.loads(sys.stdin.readline())
assert o["doc"] == "decision.docx", o
assert "page" not in o and "page_end" not in o and "page_label" not in o, o
'
q1 'Umeå'
expect_py "OpenDocument: no page fields" '
import json, sys
o = json.loads(sys.stdin.readline())
assert o["doc"] == "decision.odt" and "page" not in o, o
'
q1 kvalitetsgranskning
expect_py "plain text: no page fields" '
import json, sys
o = json.loads(sys.stdin.readline())
assert o["doc"].endswith(".txt") and "page" not in o, o
'
expect_status 0 "$QRY" --db "$DB" --color never '"EU-regler"'
expect_contains stdout "hyphens.pdf, sida 1  passage 0"
expect_status 0 "$QRY" --db "$DB" --color never 'rubriken bedömning'
expect_match stdout 'labels\.pdf, sida [0-9]'

# The reports cite the page and link the file at it.
expect_status 0 "$QRY" --db "$DB" --report html -o "$WORK/r.html" '"EU-regler"'
expect_contains "$WORK/r.html" "#page=1\">sida 1</a>"
expect_contains "$WORK/r.html" "hyphens.pdf#page=1"
expect_status 0 "$QRY" --db "$DB" --report md -o "$WORK/r.md" '"EU-regler"'
expect_contains "$WORK/r.md" "[sida 1](<"
expect_contains "$WORK/r.md" "hyphens.pdf#page=1>)"

# The search page cites the page, links the file at it, and serves the PDF.
if command -v curl >/dev/null; then
    serve_start "$DB" --threads 1
    curl -sS -o "$WORK/page.html" "$SRV_URL?q=%22EU-regler%22" \
        || fail "GET / failed"
    expect_contains "$WORK/page.html" "/fil?doc=hyphens.pdf#page=1\">"
    expect_contains "$WORK/page.html" "hyphens.pdf</a>, sida 1"
    curl -sS -o "$WORK/api.json" "${SRV_URL}api/search?q=%22EU-regler%22" \
        || fail "GET /api/search failed"
    expect_contains "$WORK/api.json" '"page":1,"page_end":1'
    curl -sS -D "$WORK/fil.hdr" -o "$WORK/fil.pdf" \
        "${SRV_URL}fil?doc=hyphens.pdf" || fail "GET /fil failed"
    expect_match "$WORK/fil.hdr" '^HTTP/1\.[01] 200'
    expect_match "$WORK/fil.hdr" '^[Cc]ontent-[Tt]ype: application/pdf'
    cmp -s "$WORK/fil.pdf" "$D/hyphens.pdf" || fail "/fil did not serve hyphens.pdf as it is"
    ok "/fil serves the PDF"
    serve_stop
else
    echo "note: curl missing, the search page's page links not checked" >&2
fi

# ------------------------------------------------------------ nightly cycle
# Nothing changed: the two bad files are named again, not read again.
expect_status 1 "$IDX" --db "$DB" "$D"
expect_summary stdout 0 added
expect_summary stdout 11 unchanged
expect_contains stderr "encrypted.pdf: encrypted (password-protected) (failed before; not read again"
expect_contains stderr "truncated.pdf: truncated"
expect_not_contains stderr "scan.pdf"
expect_status 1 "$IDX" --db "$DB" --json "$D"
expect_py "--json lists the remembered failures" '
import json, sys
o = json.load(sys.stdin)
paths = sorted(f["path"].rsplit("/", 1)[-1] for f in o["failures"])
assert paths == ["encrypted.pdf", "truncated.pdf"], paths
assert o["failed"] == 2, o
'
# --retry-failed reads them again.
expect_status 1 "$IDX" --db "$DB" --retry-failed "$D"
expect_contains stderr "truncated.pdf: truncated: the file ends"
expect_not_contains stderr "failed before"

# The truncated file is replaced by a whole one: read, indexed, forgotten
# as a failure.
cp "$G/restricted.pdf" "$D/truncated.pdf"
# A PDF's content changes; one is renamed; one is removed; one added.
cp "$G/ligatures.pdf" "$D/hyphens.pdf"
mv "$D/columns.pdf" "$D/kolumner.pdf"
rm "$D/labels.pdf"
cp "$G/plain.pdf" "$D/nytt.pdf"
touch -d '2020-01-01' "$D/nolabels.pdf" # touched only: the same content
expect_status 1 "$IDX" --db "$DB" "$D"
expect_summary stdout 2 added
expect_summary stdout 1 updated
expect_summary stdout 1 renamed
expect_summary stdout 1 removed
expect_summary stdout 1 failed
expect_not_contains stderr "truncated.pdf"
q1 '"EU-regler"'
expect_lines stdout 0
q1 finansiering
get_docs
case $DOCS in *hyphens.pdf*) ok "the changed PDF is re-read" ;;
    *) fail "hyphens.pdf's new content not indexed: $DOCS" ;; esac
q1 '"gymnasiet Nämnden"'
expect_py "the renamed PDF keeps its passages and pages" '
import json, sys
o = json.loads(sys.stdin.readline())
assert o["doc"] == "kolumner.pdf" and o["page"] == 1, o
'
q1 'rubriken bedömning'
get_docs
case $DOCS in *labels.pdf*) fail "the removed PDF is still found" ;; esac
ok "the removed PDF is gone"
rm "$D/encrypted.pdf"
expect_status 0 "$IDX" --db "$DB" "$D"
expect_status 0 "$IDX" --db "$DB" --check --json
expect_py "--check: sound, no failure remembered once the files are gone or good" '
import json, sys
o = json.load(sys.stdin)
assert o["sound"] is True and o["failed"] == 0, o
'

# ------------------------------------------------------------------ limits
# A PDF that costs more CPU time than allowed is named with the limit; the
# run goes on, and the next runs do not try it again.
cp "$G/heavy.pdf" "$D/"
expect_status 1 "$IDX" --db "$DB" --extract-cpu 1 "$D"
expect_contains stderr "heavy.pdf: CPU time limit (1 s) exceeded"
expect_summary stdout 0 added
expect_status 1 "$IDX" --db "$DB" "$D"
expect_contains stderr "heavy.pdf: CPU time limit (1 s) exceeded (failed before"
expect_status 0 "$IDX" --db "$DB" --check
# A bad limit is a usage error.
expect_status 2 "$IDX" --db "$DB" --extract-cpu 0 "$D"
expect_contains stderr "--extract-cpu needs a number"

e2e_done
