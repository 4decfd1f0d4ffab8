# e2e_index_query.sh — index the sample corpus and query it: incremental
# indexing, finding all three flavours (clean, diacritics stripped, OCR),
# --exact, the JSON / CSV / text output formats, colour, the query language
# (doc:, OR, NOT, -word, "phrases"), --passages, updates and removals, and
# the Latin-1, .gz and .md documents.
. "$(dirname "$0")/lib_e2e.sh"

C=$WORK/corpus
DB=$WORK/db
cp -R "$CORPUS" "$C" || fail "cannot copy $CORPUS"
rm -f "$C/README"

# The five documents centrally about kompensatoriska åtgärder (from reading
# the corpus and corpus/README: each has the compensatory measures as a main
# topic and mentions "kompensatorisk*" 6-10 times together with åtgärder in
# some spelling). They cover all three flavours:
#   Växjö 2022-03-14 beslut                         clean
#   Kalmar 2024-02-19 protokollsutdrag              clean
#   Umeå 2022-12-06 uppföljningsbeslut              diacritics stripped
#   Östersund 2023-09-11 tjänsteskrivelse           OCR-like
#   Örebro 2024-11-20 uppföljningsbeslut            OCR-like
# Håbo 2019 and Södertälje 2023 only mention "det kompensatoriska uppdraget"
# in passing, without åtgärder; no other document mentions the topic.
KOMP="2022-03-14_beslut_kvalitetsgranskning_vaxjo.txt
2022-12-06_uppfoljningsbeslut_kompensatoriskt_arbete_umea.txt
2023-09-11_tjansteskrivelse_kompensatoriskt_arbete_ostersund.txt
2024-02-19_protokollsutdrag_barn_och_ungdomsnamnden_kalmar.txt
2024-11-20_uppfoljningsbeslut_kvalitetsgranskning_orebro.txt"
# The clean-flavour documents (corpus/README, "flavour" column).
CLEAN="2020-09-30_beslut_kvalitetsgranskning_betyg_lund.txt
2021-11-08_tillsynsbeslut_trygghet_studiero_gavle.txt
2022-03-14_beslut_kvalitetsgranskning_vaxjo.txt
2023-05-22_tjansteskrivelse_elevhalsa_orebro.md
2023-10-12_tjansteskrivelse_nyanlanda_sodertalje_latin1.txt
2024-02-19_protokollsutdrag_barn_och_ungdomsnamnden_kalmar.txt
2025-04-07_tjansteskrivelse_betyg_och_bedomning_karlstad.txt"
LATIN1=2023-10-12_tjansteskrivelse_nyanlanda_sodertalje_latin1.txt

q() { expect_status 0 "$QRY" --db "$DB" "$@"; }
sorted() { printf '%s\n' "$1" | sort; }

# --- indexing, then incremental re-indexing ------------------------------
expect_status 0 "$IDX" --db "$DB" "$C"
expect_summary stdout 15 added
expect_summary stdout 0 failed
expect_status 0 "$IDX" --db "$DB" "$C"
expect_summary stdout 0 added
expect_summary stdout 0 updated
expect_summary stdout 0 removed
expect_summary stdout 15 unchanged

# --- the heart: kompensatoriska åtgärder in every flavour -----------------
q --per-document "kompensatoriska åtgärder"
TOP5=$(grep -E '^[0-9]+\. ' "$OUT" | head -n 5 | sed -E 's/^[0-9]+\. +([^ ]+).*/\1/')
expect_eq "text output: the first 5 documents for 'kompensatoriska åtgärder'" \
    "$KOMP" "$(sorted "$TOP5")"

q --per-document --format json --limit 5 "kompensatoriska åtgärder"
get_docs
expect_eq "json: the top 5 documents for 'kompensatoriska åtgärder'" \
    "$KOMP" "$(sorted "$DOCS")"

q --per-document --format json --limit 5 "kompensatoriska atgarder"
get_docs
expect_eq "json: the top 5 documents for 'kompensatoriska atgarder' (typed without diacritics)" \
    "$KOMP" "$(sorted "$DOCS")"

# --- --exact --------------------------------------------------------------
# dq_plan.h: exact != 0 turns the OCR/diacritic expansion off, so a word
# matches only its exact stem. "åtgärder" must then find only documents that
# spell it correctly — clean ones — and "atgarder" only the stripped/OCR
# spelling. Without --exact, "åtgärder" reaches the other flavours too.
q --per-document --format json --limit 100 --exact "åtgärder"
get_docs
EXACT_DOCS=$DOCS
[ -n "$EXACT_DOCS" ] || fail "--exact åtgärder found nothing"
for d in $EXACT_DOCS; do
    printf '%s\n' "$CLEAN" | grep -qxF "$d" ||
        fail "--exact 'åtgärder' returned '$d', which is not a clean-flavour document"
done
ok "--exact 'åtgärder' returns only clean documents: $(echo $EXACT_DOCS)"
expect_check "--exact: every highlight is spelled åtgärd*" iq-exact-every-highlight-is-spelled
q --per-document --format json --limit 100 "åtgärder"
get_docs
NONEXACT=$DOCS
for d in 2022-12-06_uppfoljningsbeslut_kompensatoriskt_arbete_umea.txt \
    2023-09-11_tjansteskrivelse_kompensatoriskt_arbete_ostersund.txt \
    2024-11-20_uppfoljningsbeslut_kvalitetsgranskning_orebro.txt; do
    printf '%s\n' "$NONEXACT" | grep -qxF "$d" ||
        fail "'åtgärder' (not exact) should find the stripped/OCR document $d; got: $(echo $NONEXACT)"
    printf '%s\n' "$EXACT_DOCS" | grep -qxF "$d" &&
        fail "--exact 'åtgärder' should not find the stripped/OCR document $d"
done
ok "without --exact, 'åtgärder' also finds stripped and OCR documents"
q --per-document --format json --limit 100 --exact "atgarder"
get_docs
[ -n "$DOCS" ] || fail "--exact atgarder found nothing"
for d in $DOCS; do
    printf '%s\n' "$CLEAN" | grep -qxF "$d" &&
        fail "--exact 'atgarder' returned the clean document $d"
done
ok "--exact 'atgarder' returns no clean document"

# --- JSON output ----------------------------------------------------------
q --format json --limit 50 "kompensatoriska åtgärder"
expect_check "JSON lines: fields, types, score order, highlights, text from the document" iq-json-lines-fields-types-score "$C"
# The same with --per-document.
q --format json --per-document --limit 50 "kompensatoriska åtgärder"
expect_check "per-document JSON: one line per document, scores descending" iq-per-document-json-one-line
# --limit
q --format json --limit 3 "kompensatoriska åtgärder"
expect_lines stdout 3

# --- CSV output -----------------------------------------------------------
q --format json --limit 20 "kompensatoriska åtgärder"
cp "$OUT" "$WORK/k.json"
q --format csv --limit 20 "kompensatoriska åtgärder"
expect_check "CSV: header, same rows as JSON" iq-csv-header-same-rows-as "$WORK/k.json"
q --format csv zzqxyordetfinnsinte
expect_check "CSV with no match: just the header" iq-csv-with-no-match-just

# --- colour ---------------------------------------------------------------
ESC=$(printf '\033')
q --limit 3 "kompensatoriska åtgärder"
expect_not_contains stdout "$ESC"
q --limit 3 --color always "kompensatoriska åtgärder"
expect_contains stdout "$ESC"
expect_status 0 env NO_COLOR=1 "$QRY" --db "$DB" --limit 3 --color auto "kompensatoriska åtgärder"
expect_not_contains stdout "$ESC"
q --limit 3 --color never "kompensatoriska åtgärder"
expect_not_contains stdout "$ESC"
# On a terminal (script(1) gives one): colour by default, none with NO_COLOR.
if command -v script >/dev/null 2>&1 && script -qc true /dev/null >/dev/null 2>&1; then
    qs=$(printf '%q ' "$QRY" --db "$DB" --limit 3 "kompensatoriska åtgärder")
    run script -qc "$qs" /dev/null
    e2e_signal_check
    expect_contains stdout "$ESC"
    run script -qc "NO_COLOR=1 $qs" /dev/null
    e2e_signal_check
    expect_not_contains stdout "$ESC"
else
    echo "note: script(1) not usable; colour on a terminal not checked"
fi

# --- no match -------------------------------------------------------------
q --format json zzqxyordetfinnsinte
expect_lines stdout 0

# --- doc: filter ----------------------------------------------------------
VAXJO=2022-03-14_beslut_kvalitetsgranskning_vaxjo.txt
q --format json --limit 50 "doc:$VAXJO kompensatoriska"
get_docs
[ -n "$DOCS" ] || fail "doc:$VAXJO kompensatoriska found nothing"
expect_eq "doc: restricts to that document" "$VAXJO" "$(printf '%s\n' "$DOCS" | sort -u)"
q --format json --limit 50 "doc:no-such-document.txt kompensatoriska"
expect_lines stdout 0

# --- OR -------------------------------------------------------------------
# "sambedömning" is only in the Lund and the Karlstad betyg documents (both
# clean), "skolbibliotek" only in the Umeå tillsyn of a fristående skola.
q --format json --per-document --limit 50 sambedömning
get_docs
A=$DOCS
expect_eq "sambedömning" "2020-09-30_beslut_kvalitetsgranskning_betyg_lund.txt
2025-04-07_tjansteskrivelse_betyg_och_bedomning_karlstad.txt" "$(sorted "$A")"
q --format json --per-document --limit 50 skolbibliotek
get_docs
B=$DOCS
expect_eq "skolbibliotek" "2022-05-16_tillsynsbeslut_fristaende_skola_umea.txt" "$(sorted "$B")"
q --format json --per-document --limit 50 "sambedömning OR skolbibliotek"
get_docs
expect_eq "a OR b finds the union" "$(printf '%s\n%s\n' "$A" "$B" | sort -u)" "$(sorted "$DOCS")"
q --format json --per-document --limit 50 "sambedömning skolbibliotek"
expect_lines stdout 0

# --- NOT and -word --------------------------------------------------------
q --format json --limit 200 betyg
cp "$OUT" "$WORK/betyg.json"
q --format json --limit 200 "betyg NOT sambedömning"
cp "$OUT" "$WORK/not.json"
q --format json --limit 200 "betyg -sambedömning"
cp "$OUT" "$WORK/minus.json"
expect_check "NOT: passages of betyg without sambedömning; -word means the same" iq-not-passages-of-betyg-without "$WORK/betyg.json" "$WORK/not.json" "$WORK/minus.json"

# --- phrases --------------------------------------------------------------
q --format json --limit 50 '"särskilt stöd"'
expect_check "phrase: each passage has the two words next to each other" iq-phrase-each-passage-has-the
q --format json --limit 50 '"stöd särskilt"'
expect_lines stdout 0
q --format json --limit 50 'stöd särskilt'
expect_check "the same words without quotes match" iq-the-same-words-without-quotes

# --- --per-document --passages 2 ------------------------------------------
q --format json --per-document --passages 2 --limit 50 "kompensatoriska åtgärder"
expect_check "--passages 2: at most 2 per document, and some document has 2" iq-passages-2-at-most-2

# --- Latin-1, .gz and .md documents ----------------------------------------
# The Södertälje memo is Windows-1252/Latin-1; "Språkporten" (the name of its
# reception unit) and "modersmålet" are in it; it is the only document with
# Språkporten, and the one that ranks first for modersmålet (the Östersund
# memo has it once, OCR-damaged).
for w in Språkporten modersmålet; do
    q --format json --per-document --limit 50 "$w"
    get_docs
    [ "$w" = Språkporten ] || DOCS=$(printf '%s
' "$DOCS" | head -n1)
    expect_eq "the Latin-1 document is found first by '$w'" "$LATIN1" "$DOCS"
    expect_check "the Latin-1 document text is proper UTF-8 with '$w'" iq-the-latin-1-document-text "$w"
done
q --format json --per-document --limit 50 Furubackens
get_docs
printf '%s\n' "$DOCS" | grep -qxF 2022-02-15_protokollsutdrag_utbildningsnamnden_trygghet_gavle.txt.gz ||
    fail "the .txt.gz document is not found by 'Furubackens': $(echo $DOCS)"
ok "the .txt.gz document is found"
q --format json --per-document --limit 50 skolpsykologer
get_docs
printf '%s\n' "$DOCS" | grep -qxF 2023-05-22_tjansteskrivelse_elevhalsa_orebro.md ||
    fail "the .md document is not found by 'skolpsykologer': $(echo $DOCS)"
ok "the .md document is found"

# --- an updated file ------------------------------------------------------
q --format json zyxordet
expect_lines stdout 0
printf '\nDetta stycke lades till i efterhand och innehåller zyxordet.\n' >>"$C/$VAXJO"
touch -d '+1 minute' "$C/$VAXJO" 2>/dev/null || touch "$C/$VAXJO"
expect_status 0 "$IDX" --db "$DB" "$C"
expect_summary stdout 1 updated
expect_summary stdout 0 added
expect_summary stdout 14 unchanged
q --format json zyxordet
get_docs
expect_eq "the new word is found in the updated document" "$VAXJO" "$DOCS"
q --format json --per-document --limit 5 "kompensatoriska åtgärder"
get_docs
expect_eq "the update did not disturb the top 5" "$KOMP" "$(sorted "$DOCS")"

# --- a removed file -------------------------------------------------------
GONE=2025-04-07_tjansteskrivelse_betyg_och_bedomning_karlstad.txt
rm "$C/$GONE"
expect_status 0 "$IDX" --db "$DB" "$C"
expect_summary stdout 1 removed
expect_summary stdout 14 unchanged
q --format json --per-document --limit 50 sambedömning
get_docs
expect_eq "the removed document no longer appears" \
    "2020-09-30_beslut_kvalitetsgranskning_betyg_lund.txt" "$DOCS"
q --format json --limit 50 "doc:$GONE"
expect_lines stdout 0

# --- document ids (DESIGN.md): the path relative to the PATH argument it was
# found under; for a file argument, its file name ------------------------
mkdir -p "$WORK/ids/sub/dir" || fail "mkdir"
printf 'Ett ord: flamingoordet.\n' >"$WORK/ids/sub/dir/a.txt"
printf 'Ett annat: pelikanordet.\n' >"$WORK/single.txt"
expect_status 0 "$IDX" --db "$WORK/iddb" "$WORK/ids" "$WORK/single.txt"
expect_status 0 "$QRY" --db "$WORK/iddb" --format json flamingoordet
get_docs
expect_eq "id of a file in a subfolder of PATH" "sub/dir/a.txt" "$DOCS"
expect_status 0 "$QRY" --db "$WORK/iddb" --format json pelikanordet
get_docs
expect_eq "id of a file given as PATH" "single.txt" "$DOCS"

e2e_done
