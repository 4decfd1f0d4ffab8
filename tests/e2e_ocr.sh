#!/usr/bin/env bash
# e2e_ocr.sh — scanned pages through diarium-index and diarium-query
# (issue 31): a long scan's pages read on two readers, scanned PDFs and
# image files found by their Swedish words, passages marked as read by OCR
# (JSON, text, report), a page past its limits named while the rest is
# indexed, the OCR cache across a re-run, a rename, a --full rebuild and a
# removal (nothing read twice, entries of files gone dropped), --no-ocr,
# and --check.
#
# The documents are made here by tests/make_docs.py (Pillow draws Swedish
# text into page images, reportlab makes the PDFs); the test is skipped
# when they cannot be made or Tesseract's Swedish model is missing.
source "$(dirname "$0")/lib_e2e.sh"

PYR=""
for py in python3 /usr/bin/python3; do
    if "$py" -c 'import reportlab, PIL' 2>/dev/null; then PYR=$py; break; fi
done
[ -n "$PYR" ] || skip "python3-reportlab or python3-pil is not installed (scripts/setup.sh installs them)"
X=$DIARIUM_BIN_DIR/diarium-extract
[ -x "$X" ] || fail "diarium-extract not built in $DIARIUM_BIN_DIR"

G=$WORK/gen
"$PYR" "$DIARIUM_SOURCE_DIR/tests/make_docs.py" "$G" scans broken \
    >"$WORK/gen.log" 2>&1 \
    || skip "cannot make the test documents: $(tail -1 "$WORK/gen.log")"
run "$X" "$G/scan.png"
[ "$RC" -eq 0 ] && grep -q "read by OCR" "$OUT" \
    || skip "OCR does not run here: $(head -c 300 "$ERR")"

D=$WORK/docs
DB=$WORK/db
mkdir -p "$D"
cache_pages() { find "$DB/ocr-cache" -type f ! -name '.*' 2>/dev/null | wc -l; }
json_field() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1" <"$OUT"; }

# ------------------------------------------------- one scan, two readers
# One file: a one-thread run, whose two pages are read at once on two
# readers (--jobs 2).
cp "$G/scanonly.pdf" "$D/"
expect_status 0 "$IDX" --db "$DB" --jobs 2 --json "$D"
expect_eq "both pages read by OCR" 2 "$(json_field ocr_pages)"
expect_eq "both pages cached" 2 "$(cache_pages)"

# ---------------------------------------------------------- more documents
cp "$G/scanmixed.pdf" "$G/scan.png" "$G/scan2.tif" "$G/hugepage.pdf" \
   "$G/plain.pdf" "$D/"
expect_status 0 "$IDX" --db "$DB" "$D"
expect_summary stdout 5 added
# Four pages read, one failed (too large): five tried.
expect_contains stdout "5 scanned pages read by OCR"
expect_contains stderr "hugepage.pdf: page 1 not read by OCR: page too large for OCR"
expect_eq "read pages and the failed one cached" 7 "$(cache_pages)"

# Found by their Swedish words (å, ä, ö, §), marked as read by OCR.
run "$QRY" --db "$DB" --format json --exact Västerås åtgärder
expect_py "scans found, marked as read by OCR with a confidence" '
import json, sys
hits = [json.loads(l) for l in sys.stdin if l.strip()]
docs = {h["doc"] for h in hits}
assert {"scan.png", "scanmixed.pdf"} <= docs, docs
for h in hits:
    assert h.get("ocr") is True, h
    assert 50 <= h["ocr_confidence"] <= 100, h
    assert h["page"] >= 1, h
png = [h for h in hits if h["doc"] == "scan.png"][0]
assert "26 kap. 10 § skollagen" in png["text"], png["text"]
'
run "$QRY" --db "$DB" --format json --exact "stora sidan"
expect_py "the page after the one too large is indexed, not as OCR" '
import json, sys
hits = [json.loads(l) for l in sys.stdin if l.strip()]
assert [h["doc"] for h in hits] == ["hugepage.pdf"], hits
assert "ocr" not in hits[0] and hits[0]["page"] == 2, hits[0]
'
run "$QRY" --db "$DB" --exact huvudmannen
expect_contains stdout "scanonly.pdf, sida 1"
expect_contains stdout "(read by OCR, confidence"
run "$QRY" --db "$DB" --report md -o - --exact huvudmannen
expect_contains stdout "läst med OCR, säkerhet"

# ------------------------------------------------------------ the cache
# Nothing changed: nothing read.
expect_status 0 "$IDX" --db "$DB" --json "$D"
expect_eq "re-run: no page read by OCR" 0 "$(json_field ocr_pages)"
# A rename and a copy: the renamed file is moved, the copy's pages come
# from the cache.
mv "$D/scan.png" "$D/omdopt.png"
cp "$D/scan2.tif" "$D/kopia.tif"
expect_status 0 "$IDX" --db "$DB" --json "$D"
expect_eq "rename: renamed" 1 "$(json_field renamed)"
expect_eq "copy: added" 1 "$(json_field added)"
expect_eq "rename and copy: no page read by OCR" 0 "$(json_field ocr_pages)"
# A rebuild: every page from the cache, which survives it; the page that
# failed is not tried again, and still named.
expect_status 0 "$IDX" --db "$DB" --full --json "$D"
expect_eq "--full: no page read by OCR" 0 "$(json_field ocr_pages)"
expect_contains stdout "page 1 not read by OCR: page too large"
expect_eq "--full: the cache kept" 7 "$(cache_pages)"
run "$QRY" --db "$DB" --format json --exact förvaltningsdomstol
expect_py "--full: the scans are still found" '
import json, sys
docs = {json.loads(l)["doc"] for l in sys.stdin if l.strip()}
assert {"omdopt.png", "scanmixed.pdf"} <= docs, docs
'
# Removed files: their pages go (the copy keeps scan2.tif's).
rm "$D/scanmixed.pdf" "$D/hugepage.pdf"
expect_status 0 "$IDX" --db "$DB" "$D"
expect_summary stdout 2 removed
expect_eq "removed: their cached pages dropped" 5 "$(cache_pages)"

# --check knows the cache.
expect_status 0 "$IDX" --db "$DB" --check
expect_contains stdout "5 scanned pages read by OCR kept"

# ------------------------------------------------------------- --no-ocr
cp "$G/scan.jpg" "$D/"
expect_status 1 "$IDX" --db "$DB" --no-ocr "$D"
expect_contains stderr "scan.jpg: no text: scanned page 1 not read (--no-ocr)"
# Without it (and --retry-failed: the file was remembered as failed).
expect_status 0 "$IDX" --db "$DB" --retry-failed --json "$D"
expect_eq "scan.jpg read by OCR" 1 "$(json_field ocr_pages)"
run "$QRY" --db "$DB" --format json --exact --per-document Överklagandenämnden
get_docs
case $DOCS in *scan.jpg*) ok "scan.jpg found" ;;
    *) fail "scan.jpg not found: $DOCS" ;; esac

echo "$E2E_PASSED passed, 0 failed"
