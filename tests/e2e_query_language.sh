# e2e_query_language.sh — the query language of diarium-query, end to end on
# the sample corpus: words (AND), "phrases", OR / ELLER, NOT / INTE / -word,
# AND / OCH, parentheses, NEAR and NEAR/n, prefix*, doc:ID, stop words; the
# OCR / diacritic tolerance with --exact and --explain; every query syntax
# error (exit 2, a caret under the position, what was expected); --count;
# --queries; snippets; spelling suggestions; proximity ranking;
# --per-document --passages; --limit 0.
#
# Every word used below was checked by reading the documents in corpus/
# (the comments say where it stands).
. "$(dirname "$0")/lib_e2e.sh"

DB=$WORK/db

# Documents (corpus/README gives their flavours).
HABO=2019-06-17_tjansteskrivelse_sarskilt_stod_habo.txt                    # stripped
LUND=2020-09-30_beslut_kvalitetsgranskning_betyg_lund.txt                  # clean
GAVLE21=2021-11-08_tillsynsbeslut_trygghet_studiero_gavle.txt              # clean
GAVLE22=2022-02-15_protokollsutdrag_utbildningsnamnden_trygghet_gavle.txt.gz # stripped
VAXJO=2022-03-14_beslut_kvalitetsgranskning_vaxjo.txt                      # clean
UMEA_FRI=2022-05-16_tillsynsbeslut_fristaende_skola_umea.txt               # OCR
UMEA_UPP=2022-12-06_uppfoljningsbeslut_kompensatoriskt_arbete_umea.txt     # stripped
OSTERSUND=2023-09-11_tjansteskrivelse_kompensatoriskt_arbete_ostersund.txt # OCR
SODERTALJE=2023-10-12_tjansteskrivelse_nyanlanda_sodertalje_latin1.txt     # clean, Latin-1
OREBRO_UPP=2024-11-20_uppfoljningsbeslut_kvalitetsgranskning_orebro.txt    # OCR
KARLSTAD_BET=2025-04-07_tjansteskrivelse_betyg_och_bedomning_karlstad.txt  # clean

q() { expect_status 0 "$QRY" --db "$DB" "$@"; }
sorted() { printf '%s\n' "$1" | sed '/^$/d' | sort; }

# docs_of QUERY [OPTION...] — sets DOCS to the sorted documents that
# --per-document finds.
docs_of() {
    local query=$1
    shift
    q --format json --per-document --limit 100 "$@" -- "$query"
    get_docs
    DOCS=$(sorted "$DOCS")
}

# results_of QUERY — the ranked results as "doc passage score" lines (JSON,
# every passage), in $RES.
results_of() {
    q --format json --limit 1000 -- "$1"
    RES=$(python3 "$E2E_PY" check ranking 4 <"$OUT") ||
        fail "cannot read the JSON results of '$1'"
}

# count_of QUERY — sets N to the number of passages --count reports.
count_of() {
    q --count --format json -- "$1"
    N=$(python3 "$E2E_PY" check field passages <"$OUT") ||
        fail "--count --format json '$1' is not {\"passages\": N, ...}"
}

# syntax_error QUERY COLUMN EXPECTED — exit status 2; stderr says "error",
# repeats the query on a line of its own, puts a caret on the next line under
# character COLUMN (0-based, counted in characters) and contains the fixed
# text EXPECTED (what was expected or what is wrong): the check caret.
syntax_error() {
    local query=$1 col=$2 want=$3
    expect_status 2 "$QRY" --db "$DB" -- "$query"
    E2E_CHECK_IN=stderr expect_check \
        "syntax error at $col, saying '$want': $(e2e_cmdstr "$query")" \
        caret "$query" "$col" "$want"
}

# --- index the corpus once --------------------------------------------------
expect_status 0 "$IDX" --db "$DB" "$CORPUS"
expect_summary stdout 15 added

# --- words: all must match (AND) --------------------------------------------
# "provbetyget" stands in the Lund decision and the Karlstad betyg memo,
# "matematik" in the Karlstad matematik decision, the Östersund memo and the
# Karlstad betyg memo: only the Karlstad betyg memo has both.
docs_of provbetyget
expect_eq "provbetyget" "$(sorted "$LUND
$KARLSTAD_BET")" "$DOCS"
docs_of matematik
MATEMATIK=$DOCS
docs_of "provbetyget matematik"
expect_eq "two words: the documents that have both" "$KARLSTAD_BET" "$DOCS"
q --format json --limit 100 "provbetyget matematik"
expect_check "two words: every complete passage has both words highlighted" ql-two-words-every-complete-passage
# AND and OCH mean the same as writing the words side by side.
results_of "provbetyget matematik"
PLAIN=$RES
[ -n "$PLAIN" ] || fail "provbetyget matematik found nothing"
results_of "provbetyget AND matematik"
expect_eq "a AND b = a b" "$PLAIN" "$RES"
results_of "provbetyget OCH matematik"
expect_eq "a OCH b = a b" "$PLAIN" "$RES"
# Operators only in capitals: "or" is a word (found nowhere), not OR.
q --format json "provbetyget or skolbibliotek"
expect_lines stdout 0

# --- phrases ------------------------------------------------------------------
# "studiehandledning på modersmålet" stands in the Södertälje memo (clean)
# and, as "studiehandledning pa modersmalet", in the Östersund memo (OCR).
docs_of '"studiehandledning på modersmålet"'
expect_eq "a phrase that exists, in both spellings" "$(sorted "$OSTERSUND
$SODERTALJE")" "$DOCS"
q --format json --limit 100 '"studiehandledning på modersmålet"'
expect_check "phrase: each passage has the three words in a row" ql-phrase-each-passage-has-the
# "sambedömning" and "matematik" are both in one passage of the Karlstad betyg
# memo, but apart: "sambedömning av skriftliga uppgifter i matematik".
docs_of "sambedömning matematik"
expect_eq "the two words, not as a phrase" "$KARLSTAD_BET" "$DOCS"
q --format json --limit 100 '"sambedömning matematik"'
expect_lines stdout 0
q --format json --limit 100 '"matematik sambedömning"'
expect_lines stdout 0

# --- OR / ELLER -------------------------------------------------------------
# "skolbibliotek" stands only in the Umeå tillsyn of a fristående skola.
docs_of provbetyget
A=$DOCS
docs_of skolbibliotek
expect_eq "skolbibliotek" "$UMEA_FRI" "$DOCS"
B=$DOCS
docs_of "provbetyget OR skolbibliotek"
expect_eq "a OR b: the union" "$(sorted "$A
$B")" "$DOCS"
results_of "provbetyget OR skolbibliotek"
OR_RES=$RES
results_of "provbetyget ELLER skolbibliotek"
expect_eq "a ELLER b = a OR b" "$OR_RES" "$RES"

# --- NOT / INTE / -word -------------------------------------------------------
count_of matematik
ALL=$N
q --format json --limit 1000 "matematik NOT provbetyget"
# (The Karlstad memo also has "provbetyg", which Snowball stems apart from
# "provbetyget": it is not excluded.)
expect_check "NOT: passages with matematik and without provbetyget" ql-not-passages-with-matematik-and "$ALL"
results_of "matematik NOT provbetyget"
NOT_RES=$RES
results_of "matematik INTE provbetyget"
expect_eq "INTE = NOT" "$NOT_RES" "$RES"
results_of "matematik -provbetyget"
expect_eq "-word = NOT word" "$NOT_RES" "$RES"

# --- parentheses and precedence -----------------------------------------------
# OR binds tighter than juxtaposition: a OR b c = (a OR b) AND c.
results_of "(skolbibliotek OR provbetyget) matematik"
GROUPED=$RES
[ -n "$GROUPED" ] || fail "(skolbibliotek OR provbetyget) matematik found nothing"
results_of "skolbibliotek OR provbetyget matematik"
expect_eq "a OR b c = (a OR b) c" "$GROUPED" "$RES"
docs_of "(skolbibliotek OR provbetyget) matematik"
expect_eq "(a OR b) c" "$KARLSTAD_BET" "$DOCS"
docs_of "skolbibliotek OR (provbetyget matematik)"
expect_eq "a OR (b c)" "$(sorted "$KARLSTAD_BET
$UMEA_FRI")" "$DOCS"
# Grouping under NOT: "sambedömning" is in the Lund decision beside
# "svenska", and in the Karlstad memo beside "matematik".
docs_of "sambedömning -matematik"
expect_eq "sambedömning -matematik" "$(sorted "$LUND
$KARLSTAD_BET")" "$DOCS"
count_of "sambedömning -matematik"
N1=$N
count_of "sambedömning -(matematik OR svenska)"
[ "$N" -ge 1 ] && [ "$N" -lt "$N1" ] ||
    fail "sambedömning -(matematik OR svenska) should match fewer passages than sambedömning -matematik ($N vs $N1)"
ok "NOT (a OR b) excludes more than NOT a ($N < $N1)"
q --format json --limit 100 "sambedömning -(matematik OR svenska)"
expect_check "NOT (a OR b): neither word in a result" ql-not-a-or-b-neither

# --- NEAR and NEAR/n ----------------------------------------------------------
# Gävle 2021: "ordningsregler som utarbetas" (2 words apart) and "ordningsregler
# har inte utarbetats" (3 apart). Karlstad betyg memo: "sambedömning av
# skriftliga uppgifter i matematik" (5 apart), nowhere closer.
docs_of "ordningsregler NEAR/2 utarbetas"
expect_eq "NEAR/2: a pair 2 words apart" "$GAVLE21" "$DOCS"
docs_of "utarbetas NEAR/2 ordningsregler"
expect_eq "NEAR/2 in either order" "$GAVLE21" "$DOCS"
q --format json "ordningsregler NEAR/1 utarbetas"
expect_lines stdout 0
q --format json "sambedömning NEAR/2 matematik"
expect_lines stdout 0
q --format json "sambedömning NEAR/4 matematik"
expect_lines stdout 0
docs_of "sambedömning NEAR/5 matematik"
expect_eq "NEAR/5: the pair 5 words apart" "$KARLSTAD_BET" "$DOCS"
docs_of "sambedömning NEAR matematik"
expect_eq "NEAR (10 words): the pair 5 words apart" "$KARLSTAD_BET" "$DOCS"
count_of "kompensatoriska NEAR/2 åtgärder"
[ "$N" -ge 1 ] || fail "kompensatoriska NEAR/2 åtgärder found nothing"
ok "kompensatoriska NEAR/2 åtgärder: $N passages"

# --- prefix* ------------------------------------------------------------------
q --format json --limit 1000 "åtgärd*"
expect_check "åtgärd* finds åtgärder and åtgärderna (and nothing that does not begin so)" ql-prefix-atgard
# The Håbo memo has only "atgardsprogram" (stripped åtgärdsprogram): a word
# that begins with åtgärd but is not an inflection of åtgärder.
docs_of "åtgärd*"
printf '%s\n' "$DOCS" | grep -qxF "$HABO" || fail "åtgärd* does not find åtgärdsprogram in $HABO: $(echo $DOCS)"
docs_of "åtgärder"
printf '%s\n' "$DOCS" | grep -qxF "$HABO" && fail "åtgärder should not find $HABO (only åtgärdsprogram there)"
ok "åtgärd* finds åtgärdsprogram, åtgärder does not"
syntax_error "å*" 0 "too short"
q --count "åt*"
expect_match stdout '^[1-9][0-9]* passages in [1-9][0-9]* documents$'

# --- doc:ID -------------------------------------------------------------------
docs_of "doc:$VAXJO kompensatoriska"
expect_eq "doc: keeps that document only" "$VAXJO" "$DOCS"
count_of "sambedömning OR provbetyget"
N_ALL=$N
docs_of "doc:$KARLSTAD_BET (sambedömning OR provbetyget)"
expect_eq "doc: with a group" "$KARLSTAD_BET" "$DOCS"
count_of "doc:$KARLSTAD_BET (sambedömning OR provbetyget)"
[ "$N" -ge 1 ] && [ "$N" -lt "$N_ALL" ] || fail "doc: did not narrow ($N of $N_ALL)"
ok "doc: narrows $N_ALL passages to $N"

# --- stop words ---------------------------------------------------------------
# Kept in phrases: "trygghet och studiero" is the name of the area in both
# Gävle documents; "trygghet i studiero" and "trygghet studiero" are nowhere.
docs_of '"trygghet och studiero"'
expect_eq "a phrase with a stop word" "$(sorted "$GAVLE21
$GAVLE22")" "$DOCS"
q --format json '"trygghet i studiero"'
expect_lines stdout 0
q --format json '"trygghet studiero"'
expect_lines stdout 0
q --format json '"studiehandledning modersmålet"'
expect_lines stdout 0
# Ignored beside other words: the same passages in the same order.
results_of "skolan"
SK=$RES
[ -n "$SK" ] || fail "skolan found nothing"
results_of "och skolan"
expect_eq "'och skolan' ranks as 'skolan'" "$SK" "$RES"
results_of "skolan och"
expect_eq "'skolan och' ranks as 'skolan'" "$SK" "$RES"
# In a phrase or NEAR a stop word must stand in its place but adds no
# weight, as beside other words in a plain search: two passages of the same
# length with the same content words, one with "har" twice more, tie.
mkdir -p "$WORK/stop" || fail "mkdir"
printf '%s\n' "Nämnden har beslutat att skolan har en plan och har mål för elevernas lärande." >"$WORK/stop/a.txt"
printf '%s\n' "Nämnden har beslutat att skolan ger en plan och tar mål för elevernas lärande." >"$WORK/stop/b.txt"
for i in 1 2 3 4; do
    printf '%s\n' "Förvaltningen följer upp arbetet med betyg $i under hösten." >"$WORK/stop/f$i.txt"
done
expect_status 0 "$IDX" --db "$WORK/stopdb" "$WORK/stop"
for sq in '"nämnden har beslutat"' 'har NEAR/1 beslutat' 'nämnden har beslutat'; do
    expect_status 0 "$QRY" --db "$WORK/stopdb" --format json -- "$sq"
    expect_check "'$sq': a.txt and b.txt, same score" ql-stop-word-tie
done
# Of stop words only, a phrase is weighted by them (one passage has it).
expect_status 0 "$QRY" --db "$WORK/stopdb" --format json -- '"har en"'
expect_check "'\"har en\"': a.txt, scored" ql-stop-words-only-phrase
results_of "kompensatoriska åtgärder"
KA=$RES
results_of "kompensatoriska och åtgärder"
expect_eq "'kompensatoriska och åtgärder' ranks as 'kompensatoriska åtgärder'" "$KA" "$RES"
# (That they are also highlighted alike is checked at the end.)

# --- OCR / diacritic tolerance, --exact, --explain -------------------------------
docs_of "åtgärder"
TOL=$DOCS
docs_of "åtgärder" --exact
EXACT=$DOCS
for d in "$UMEA_UPP" "$OSTERSUND" "$OREBRO_UPP" "$GAVLE22"; do
    printf '%s\n' "$TOL" | grep -qxF "$d" || fail "'åtgärder' does not find the stripped/OCR document $d: $(echo $TOL)"
    printf '%s\n' "$EXACT" | grep -qxF "$d" && fail "--exact 'åtgärder' finds the stripped/OCR document $d"
done
ok "åtgärder finds the stripped and OCR documents, --exact does not"
printf '%s\n' "$EXACT" | grep -qxF "$VAXJO" || fail "--exact åtgärder misses the clean $VAXJO"
ok "--exact åtgärder still finds the clean documents"
# --explain, text: the spellings on stderr, results on stdout.
q --explain åtgärder
expect_match stderr 'åtgärder: stem åtgärd in [0-9]+ passages'
expect_match stderr 'atgirder \([0-9]+, cost [0-9.]+\)'
expect_match stderr 'atgarder \([0-9]+, cost [0-9.]+\)'
expect_match stdout "^1\. "
# The learned OCR model (DIARIUM_OCR_MODEL=1, issue 37): its own budget,
# and a likely misreading (ä read as a) cheaper than a rarer one (as i).
DIARIUM_OCR_MODEL=1 q --explain åtgärder
expect_match stderr 'åtgärder: stem åtgärd in [0-9]+ passages, damage budget [0-9.]+; also'
cost_of() { sed -n "s/.* $1 ([0-9]*, cost \([0-9.]*\)).*/\1/p" "$ERR"; }
a_cost=$(cost_of atgarder)
i_cost=$(cost_of atgirder)
[ -n "$a_cost" ] && [ -n "$i_cost" ] ||
    fail "model: atgarder or atgirder missing: $(cat "$ERR")"
awk -v a="$a_cost" -v i="$i_cost" 'BEGIN { exit !(a + 0 < i + 0) }' ||
    fail "model: atgarder ($a_cost) not cheaper than atgirder ($i_cost)"
ok "DIARIUM_OCR_MODEL=1: atgarder $a_cost, atgirder $i_cost"
expect_not_contains stdout "cost"
# --explain, JSON: a first object with "explain" and no "doc", then results.
q --explain --format json --limit 5 åtgärder
expect_check "--explain JSON: first object lists damaged spellings with passages and cost" ql-explain-json-first-object-lists
q --explain --exact --format json --limit 1 åtgärder
expect_check "--explain --exact: no damaged spelling" ql-explain-exact-no-damaged-spelling

# --- query syntax errors: exit 2, the position, what was expected ---------------
syntax_error '"särskilt stöd' 0 "add a closing '\"'"
syntax_error 'betyg "särskilt stöd' 6 "unbalanced quote"
syntax_error '(betyg prov' 0 "missing ')'"
syntax_error 'betyg prov)' 10 "')' without a matching '('"
syntax_error 'åtgärder ) betyg' 9 "')' without a matching '('"
syntax_error 'OR betyg' 0 "needs a word or a phrase before it"
syntax_error 'ELLER betyg' 0 "needs a word or a phrase before it"
syntax_error 'betyg OR' 6 "expected a word or a phrase after it"
syntax_error 'betyg AND' 6 "expected a word or a phrase after it"
syntax_error 'betyg OCH' 6 "expected a word or a phrase after it"
syntax_error 'betyg NEAR' 6 "expected a word or a phrase after it"
syntax_error 'betyg NEAR/3' 6 "expected a word or a phrase after it"
syntax_error 'betyg OR OR prov' 9 "expected a word, a phrase or '(' after 'OR'"
syntax_error 'betyg AND OR prov' 10 "expected a word, a phrase or '(' after 'AND'"
syntax_error 'NOT' 0 "expected the word to exclude after it"
syntax_error 'betyg NOT' 6 "expected the word to exclude after it"
syntax_error 'NOT betyg' 0 "something to exclude from"
syntax_error '-betyg' 0 "something to exclude from"
syntax_error 'betyg -' 6 "directly before what it excludes"
syntax_error '()' 0 "expected words between '(' and ')'"
syntax_error 'betyg ()' 6 "expected words between '(' and ')'"
syntax_error '""' 0 "expected words between the quotes"
syntax_error 'betyg NEAR/0 prov' 6 "expected NEAR/n with a number n"
syntax_error 'betyg NEAR/x prov' 6 "expected NEAR/n with a number n"
syntax_error 'doc:' 0 "has no value"
syntax_error "$(printf 'betyg \377 prov')" 6 "invalid UTF-8"
syntax_error '' 0 "expected at least one word"
syntax_error '   ' 0 "expected at least one word"
# More than 64 KiB: refused, pointing at the first byte too many.
LONGQ=$(printf 'skola %.0s' $(seq 11000))
syntax_error "$LONGQ" 65536 "at most 65536"
# At most 64 levels of nesting.
DEEP=$(printf '(%.0s' $(seq 65))skola$(printf ')%.0s' $(seq 65))
syntax_error "$DEEP" 64 "at most 64 levels"
DEEP64=$(printf '(%.0s' $(seq 64))skola$(printf ')%.0s' $(seq 64))
count_of "$DEEP64"
D64=$N
count_of skola
expect_eq "64 levels of parentheses are allowed and change nothing" "$N" "$D64"
# A leading - as the only argument is taken for an option unless after --.
expect_status 2 "$QRY" --db "$DB" -betyg

# --- field filters: what they find, and what they refuse (issue 38) ------------
docs_of "kommun:Lund"
expect_eq "kommun:Lund" "$LUND" "$DOCS"
docs_of "år:2021"
expect_eq "år:2021" "$GAVLE21" "$DOCS"
docs_of "ÅR:2021"
expect_eq "ÅR:2021 (names compare in any case)" "$GAVLE21" "$DOCS"
docs_of "datum:2021-11-08..2021-11-08"
expect_eq "datum:a..a" "$GAVLE21" "$DOCS"
# A date that is none, a range that ends before it starts, an unknown field:
# refused at the bad part (they used to match nothing, silently).
syntax_error 'datum:2021-13-45' 11 "there is no month 13"
syntax_error 'skola datum:2021-02-29' 20 "2021-02 has 28 days"
syntax_error 'datum:2024-02-29..2021-02-31' 26 "2021-02 has 28 days"
syntax_error 'datum:21-01-01' 6 "is not a date"
syntax_error 'år:2024..2019' 3 "ends before it starts: write år:2019..2024"
syntax_error 'datum:2021-06-30..2021-01-01' 6 "ends before it starts"
syntax_error 'år:2019..20x3' 9 "is not a year"
syntax_error 'kommnu:Lund' 0 "unknown field 'kommnu:': did you mean 'kommun:'?"
syntax_error 'skola Datm:2021-01-01' 6 "did you mean 'datum:'?"
syntax_error 'skola xyz:abc' 6 "unknown field 'xyz:'"
# Words with a colon that are no field stay words.
count_of "2021:4410"
[ "$N" -gt 0 ] || fail "the diary number 2021:4410 (Gävle) is not found as a word"
ok "a diary number with a colon is a word"
# A value no document has: found nothing, said so, the nearest value offered.
q --per-document "kommun:Lunn"
expect_contains stdout "No passage matches."
expect_contains stderr "note: kommun:Lunn matches nothing: no document in the index has that kommun (nearest: lund)"
expect_contains stderr "Menade du: kommun:lund?"
q --format json "kommun:Lunn"
expect_contains stdout '{"suggestion":"kommun:lund"'
q "kommun:Ystad skola"
expect_contains stderr "note: kommun:Ystad matches nothing"
expect_not_contains stderr "Menade du"

# --- --count ------------------------------------------------------------------
q --count "kompensatoriska åtgärder"
expect_lines stdout 1
expect_match stdout '^[1-9][0-9]* passages in [1-9][0-9]* documents$'
for query in "kompensatoriska åtgärder" '"särskilt stöd"' "trygghet OR studiero" \
    "matematik -provbetyget" "åtgärd*" "legitimation skolbibliotek"; do
    q --format json --limit 10000 "$query"
    cp "$OUT" "$WORK/all.json"
    q --count --format json "$query"
    expect_check "--count matches the complete results of '$query'" ql-count-matches-the-complete-results "$WORK/all.json"
done
q --count zzqxyordetfinnsinte
expect_match stdout '^0 passages in 0 documents$'

# --- --queries FILE -------------------------------------------------------------
QF=$WORK/queries.txt
printf '%s\n' "# frågor om bedömning" "" "sambedömning" "   " "skolbibliotek" \
    "(betyg prov" '"trygghet och studiero"' >"$QF"
expect_status 2 "$QRY" --db "$DB" --queries "$QF" --format json --per-document --limit 50
expect_contains stderr "queries.txt:6:"
expect_contains stderr "missing ')'"
expect_check "--queries: results of every good line, each with its query" ql-queries-results-of-every-good
expect_not_contains stderr "queries.txt:1:"
expect_not_contains stderr "queries.txt:2:"
expect_not_contains stderr "queries.txt:4:"
printf '%s\n' "sambedömning" "# kommentar" "skolbibliotek" >"$WORK/stdin.txt"
E2E_STDIN=$WORK/stdin.txt q --queries - --format json --per-document --limit 50
expect_check "--queries -: the queries from standard input" ql-queries-the-queries-from-standard
E2E_STDIN=$WORK/stdin.txt q --queries - --count
expect_contains stdout "sambedömning: 3 passages in 2 documents"
expect_lines stdout 2

# --- snippets -------------------------------------------------------------------
q --explain --format json --limit 100 "kompensatoriska åtgärder"
expect_check "JSON snippets: short, from the passage, highlights valid and on spellings of the query words" ql-json-snippets-short-from-the
q --format json --limit 5 "kompensatoriska åtgärder"
cp "$OUT" "$WORK/snip.json"
q --color never --limit 5 "kompensatoriska åtgärder"
expect_check "text output shows the snippet under each result" ql-text-output-shows-the-snippet "$WORK/snip.json"

# --- spelling suggestions ---------------------------------------------------------
q kompensatorska
expect_contains stderr "Menade du: kompensatoriska?"
q --format json kompensatorska
expect_check "JSON suggestion object, no doc" ql-json-suggestion-object-no-doc
q kompensatoriska
expect_not_contains stderr "Menade du"
q --format json kompensatoriska
expect_check "no suggestion for a word spelt right" ql-no-suggestion-for-a-word

# --- ranking: adjacent words rank above words far apart ---------------------------
# In the corpus: two passages of the Östersund memo (OCR flavour), each with
# one kompensatoriska and one åtgärder and about 50 words: "far del av de
# kompensatoriska atgérderna" (adjacent) and "de vidtagna étgédrderna ger
# huvudmannen ... det kompensatoriska arbetet" (11 words apart).
q --format json --limit 100 "kompensatoriska åtgärder"
expect_check "corpus: the adjacent pair ranks above the distant pair (Östersund)" ql-corpus-the-adjacent-pair-ranks "$OSTERSUND"
# Controlled: two documents with the same words, once side by side and once
# far apart. For OR (no proximity) they score the same; for the plain words
# the adjacent one scores higher.
mkdir -p "$WORK/prox" || fail "mkdir"
printf '%s\n' "Nämnden beslutade om kompensatoriska åtgärder och en ny plan för skolorna i kommunen, och förvaltningen ska följa upp insatser under hösten." >"$WORK/prox/intill.txt"
printf '%s\n' "Nämnden beslutade om kompensatoriska insatser och en ny plan för skolorna i kommunen, och förvaltningen ska följa upp åtgärder under hösten." >"$WORK/prox/isar.txt"
expect_status 0 "$IDX" --db "$WORK/proxdb" "$WORK/prox"
expect_status 0 "$QRY" --db "$WORK/proxdb" --format json "kompensatoriska OR åtgärder"
expect_check "control: the same words score the same without proximity" ql-control-the-same-words-score
for opt in "" --exact; do
    expect_status 0 "$QRY" --db "$WORK/proxdb" --format json $opt "kompensatoriska åtgärder"
    expect_check "adjacent words rank first${opt:+ ($opt)}" ql-adjacent-words-rank-first
done

# --- --per-document --passages 2, --limit 0 --------------------------------------------
q --format json --per-document --passages 2 --limit 50 "kompensatoriska åtgärder"
expect_check "--per-document --passages 2: at most 2 per document, some with 2, best first" ql-per-document-passages-2-at
q --format json --limit 0 "kompensatoriska åtgärder"
expect_lines stdout 0
q --format json --per-document --limit 0 "kompensatoriska åtgärder"
expect_lines stdout 0
q --limit 0 "kompensatoriska åtgärder"
expect_not_contains stdout "kompensatoriska"

# --- stop words are not highlighted when they are ignored -------------------------------
# "och skolan" is searched as "skolan" (checked above): the passages must
# also show the same matched words, in "highlights", "snippet_highlights"
# and bold text — an ignored "och" is not a match. In a phrase it is.
for pair in "skolan|och skolan" "kompensatoriska åtgärder|kompensatoriska och åtgärder"; do
    plain=${pair%%|*}
    with=${pair#*|}
    q --format json --limit 1000 "$plain"
    cp "$OUT" "$WORK/plain.json"
    q --format json --limit 1000 "$with"
    expect_check "'$with' highlights what '$plain' highlights" ql-stop-word-highlights "$WORK/plain.json"
done
q --color always --limit 3 "och skolan"
expect_not_contains stdout "$(printf '\033[1moch')"

# ranking — the last stdout's JSON results as "doc passage score" lines
# (with --queries, each line starts with its query and a tab).
ranking() {
    python3 "$E2E_PY" check ranking 5 "$@" <"$OUT" ||
        fail "cannot read the JSON results of: $E2E_LAST_CMD"
}
# Proximity from a shortlist (dq_search.c): the best passages by the base
# query, re-scored with the bonus, must be exactly what Xapian gives the
# whole query (DIARIUM_SHORTLIST=1 forces the shortlist, =0 forbids it).
# Small limits, so that the shortlist is shorter than the matches and its
# proof (or the fallback) is what keeps the order. All the queries in one
# process per setting (--queries: each query is searched on its own, as
# from the command line).
SLQ=$WORK/shortlist-queries.txt
printf '%s\n' "kompensatoriska åtgärder" "skolan elever" "elevernas kunskapsutveckling" \
    "huvudmannen skolan" "trygghet studiero" "betyg bedömning" "undervisningen eleverna" \
    "skolan eleverna huvudmannen" "atgarder kompensatoriska" "skolan skolan elever" >"$SLQ"
NSLQ=$(wc -l <"$SLQ")
# shortlist_vs_whole LABEL OPTION... — both settings, the same ranking, and
# every query found something.
shortlist_vs_whole() {
    local label=$1
    shift
    expect_status 0 env DIARIUM_SHORTLIST=1 "$QRY" --db "$DB" --format json \
        --queries "$SLQ" "$@"
    A=$(ranking q)
    expect_status 0 env DIARIUM_SHORTLIST=0 "$QRY" --db "$DB" --format json \
        --queries "$SLQ" "$@"
    B=$(ranking q)
    local found
    found=$(printf '%s\n' "$B" | cut -f1 | sort -u | wc -l)
    [ "$found" -eq "$NSLQ" ] ||
        fail "$label: only $found of the $NSLQ queries found something"
    expect_eq "$label: shortlist ranking equals the whole query's, for each of the $NSLQ queries" "$B" "$A"
}
for lim in 1 3 10; do
    shortlist_vs_whole "--limit $lim" --limit "$lim"
done
# Per document (Xapian's collapse on the whole query; the shortlist keeps
# at most --passages of a document itself).
for lim in 1 3; do
    for np in 1 2; do
        shortlist_vs_whole "--per-document --passages $np --limit $lim" \
            --per-document --passages "$np" --limit "$lim"
    done
done
# And one query from the command line, as the loop above ran each before.
expect_status 0 env DIARIUM_SHORTLIST=1 "$QRY" --db "$DB" --format json --limit 3 -- "skolan eleverna huvudmannen"
A=$(ranking)
expect_status 0 env DIARIUM_SHORTLIST=0 "$QRY" --db "$DB" --format json --limit 3 -- "skolan eleverna huvudmannen"
B=$(ranking)
[ -n "$B" ] || fail "'skolan eleverna huvudmannen' found nothing"
expect_eq "one query on the command line: shortlist ranking equals the whole query's" "$B" "$A"
# A shortlist that one document fills proves nothing per document: with
# --passages 1 --limit 3 it holds 16 passages, and here the 20 passages of
# samma.txt, the words side by side in each (the first holds them twice),
# outrank the one passage each of andra.txt and tredje.txt, where they
# stand far apart. All three documents are still found, as the whole
# query finds them.
mkdir -p "$WORK/conc" || fail "mkdir"
python3 -c '
import sys
fill = ("och förvaltningen redovisar arbetet med undervisningen i varje skola "
        "under läsåret, med uppföljning av resultaten och de insatser som "
        "nämnden beslutat om i verksamhetsplanen för året")
paras = []
for i in range(20):
    words = "elevhälsoteamet rektorsbeslut" + (" elevhälsoteamet rektorsbeslut" if i == 0 else "")
    paras.append("Stycke %d: %s %s, %s." % (i + 1, words, fill, fill))
open(sys.argv[1] + "/samma.txt", "w").write("\n\n".join(paras) + "\n")
for name in ("andra", "tredje"):
    open(sys.argv[1] + "/" + name + ".txt", "w").write(
        "Om elevhälsoteamet %s %s %s, och till sist ett rektorsbeslut.\n" % (fill, fill, fill))
' "$WORK/conc" || fail "cannot write the documents of $WORK/conc"
expect_status 0 "$IDX" --db "$WORK/concdb" "$WORK/conc"
for sl in 1 0; do
    expect_status 0 env DIARIUM_SHORTLIST=$sl "$QRY" --db "$WORK/concdb" --format json \
        --per-document --passages 1 --limit 3 -- "elevhälsoteamet rektorsbeslut"
    expect_check "one document filling the shortlist (DIARIUM_SHORTLIST=$sl): all three found, each a complete match" ql-one-document-filling-the-shortlist
    R[$sl]=$(ranking)
done
expect_eq "one document filling the shortlist: the ranking of the whole query" "${R[0]}" "${R[1]}"
expect_status 0 "$QRY" --db "$WORK/concdb" --format json --limit 30 -- "elevhälsoteamet rektorsbeslut"
expect_check "the control: samma.txt holds the 20 best passages" ql-the-control-samma-txt-holds

e2e_done
