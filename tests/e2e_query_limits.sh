# e2e_query_limits.sh — what one query may cost (issue 38, item 8): a word
# or subquery repeated thousands of times is searched once and finds what it
# finds alone; a query over a limit (words, phrase, prefixes, prefix_words,
# fields, terms) is refused with exit status 2, a message that names the
# limit as NAME=N and a caret where it was passed; --query-limit sets the
# limits. Lean: one index of corpus/, queries of at most 64 KiB.
. "$(dirname "$0")/lib_e2e.sh"

DB=$WORK/db
q() { expect_status 0 "$QRY" --db "$DB" "$@"; }

# same_results LABEL QUERY1 QUERY2 [OPTION...] — both give the same JSON
# output (results, snippets, highlights), which is not empty.
same_results() {
    local label=$1 q1=$2 q2=$3
    shift 3
    q --format json --limit 50 "$@" -- "$q1"
    [ -s "$OUT" ] || fail "$label: $(e2e_cmdstr "$q1") finds nothing"
    cp "$OUT" "$WORK/first.json"
    q --format json --limit 50 "$@" -- "$q2"
    cmp -s "$OUT" "$WORK/first.json" ||
        fail "$label: $(e2e_cmdstr "$q1") and $(e2e_cmdstr "$q2") differ"
    ok "$label"
}

# refused QUERY COLUMN TEXT [OPTION...] — exit status 2; the first line of
# stderr says "error" and contains TEXT; stderr repeats the query on a line
# of its own ("  QUERY") with a caret under character COLUMN (0-based) on
# the next.
refused() {
    local query=$1 col=$2 want=$3
    shift 3
    expect_status 2 "$QRY" --db "$DB" "$@" -- "$query"
    local first echo_at caret
    first=$(head -n 1 "$ERR")
    case $first in
        *error*"$want"*) ;;
        *) fail "refused $(e2e_cmdstr "$query"): the message does not say '$want'" ;;
    esac
    echo_at=$(grep -n -x -F -- "  $query" "$ERR" | head -n 1 | cut -d: -f1)
    [ -n "$echo_at" ] || fail "refused $(e2e_cmdstr "$query"): the query is not repeated"
    caret=$(sed -n "$((echo_at + 1))p" "$ERR")
    [ "$caret" = "$(printf '%*s^' $((col + 2)) '')" ] ||
        fail "refused $(e2e_cmdstr "$query"): the caret is not under character $col: '$caret'"
    ok "refused at $col, saying '$want': $(e2e_cmdstr "$query")"
}

# words N [SEP] — N distinct made-up words w1 w2 ... joined by SEP.
words() {
    local n=$1 sep=${2:- } i s=w1
    for ((i = 2; i <= n; i++)); do s+="${sep}w$i"; done
    printf '%s' "$s"
}

# repeat N WORD SEP — WORD N times, joined by SEP.
repeat() {
    local n=$1 w=$2 sep=$3 i s=$2
    for ((i = 2; i <= n; i++)); do s+="$sep$w"; done
    printf '%s' "$s"
}

expect_status 0 "$IDX" --db "$DB" "$CORPUS"
expect_summary stdout 15 added

# --- repeats: searched once, found as alone -----------------------------------
# issue 38: "skol* OR skol* OR ..." 3,000 times took 63 s and 2.7 GB on
# g0vse; "skola" 10,900 times 40 s.
same_results "skol* OR skol* ... (3,000 times) = skol*" "skol*" \
    "$(repeat 3000 'skol*' ' OR ')"
same_results "skola ... (10,900 times, 64 KiB) = skola" skola \
    "$(repeat 10900 skola ' ')"
same_results "skola Skola SKOLA = skola" skola "skola Skola SKOLA"
same_results "(a b) OR (b a) = a b" "åtgärder betyg" \
    "(åtgärder betyg) OR (betyg åtgärder)"
same_results "(a b) OR (b a) = a b, per document" "åtgärder betyg" \
    "(åtgärder betyg) OR (betyg åtgärder)" --per-document
# --explain lists a repeated word once.
q --format json --explain "åtgärder Åtgärder ÅTGÄRDER betyg"
expect_check "--explain: a repeated word once" qlim-explain-a-repeated-word-once

# --- limits, at their defaults ------------------------------------------------
Q256=$(words 256)
q --count -- "$Q256"
Q257=$(words 257)
refused "$Q257" $((${#Q257} - 4)) "query limit words=256"
refused "$Q257" $((${#Q257} - 4)) "query limit words=256" --count
QNOT="skola $(words 256 ' -')"
refused "$QNOT" $((${#QNOT} - 4)) "words=256"
q --query-limit words=257 --count -- "$Q257"
PHRASE64="\"$(words 64)\""
q --count -- "$PHRASE64"
refused "skola \"$(words 65)\"" 6 "the phrase has 65 words, at most 64 (query limit phrase=64)"
refused "$(words 65 ' NEAR ')" 0 "query limit phrase=64"
refused "skola $(words 65 -)" 6 "query limit phrase=64"
PRE16="skol* OR betyg* OR atgard* OR elev* OR kommun* OR huvudm* OR under*"
PRE16+=" OR rekt* OR larar* OR uppfol* OR kvalit* OR trygg* OR studie* OR"
PRE16+=" forskol* OR grundsk* OR gymnas*"
q --count -- "$PRE16"
refused "$PRE16 OR anal*" $((${#PRE16} + 4)) "query limit prefixes=16"
F32=$(words 32 ' OR kommun:')
F32="kommun:$F32"
q --count -- "skola ($F32)"
refused "skola ($F32 OR typ:beslut)" $((7 + ${#F32} + 4)) "query limit fields=32"

# --- limits set by --query-limit ----------------------------------------------
# åtgärder stands in corpus/ also as atgarder, atgirder, ...: more than 10
# index terms.
refused "betyg åtgärder" 6 "query limit terms=10" --query-limit terms=10
q --query-limit terms=10 --count -- betyg
refused "skola åtg*" 6 "query limit prefix_words=1" --query-limit prefix_words=1
refused "a b c" 4 "words=2" --query-limit words=1,words=2
refused '"a b c"' 0 "phrase=2" --query-limit phrase=2
refused "ab* cd*" 4 "prefixes=1" --query-limit prefixes=1
refused "kommun:a typ:b" 9 "fields=1" --query-limit fields=1
for bad in words=0 words= bogus=3 phrase=257 words=1x ''; do
    expect_status 2 "$QRY" --db "$DB" --query-limit "$bad" skola
    expect_contains stderr "--query-limit"
    expect_contains stderr "Try '"
done
q --help
expect_contains stdout "--query-limit"
expect_contains stdout "words=256,phrase=64,prefixes=16,prefix_words=1000,fields=32,terms=10000"

# --- --queries: a refused line does not stop the others -----------------------
printf 'skola\n%s\nbetyg\n' "$Q257" >"$WORK/queries.txt"
expect_status 2 "$QRY" --db "$DB" --format json --queries "$WORK/queries.txt"
expect_contains stderr "queries.txt:2:"
expect_contains stderr "query limit words=256"
expect_contains stdout '"query":"skola"'
expect_contains stdout '"query":"betyg"'
expect_not_contains stdout '"query":"w1 '

e2e_done
