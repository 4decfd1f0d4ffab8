#!/usr/bin/env bash
# e2e_shards.sh — several databases searched as one (issue 36): the
# collection split by folder into three shards, one of them served by
# xapian-tcpsrv on 127.0.0.1, gives the documents, counts, facets and
# scores that one database of all the documents gives; a spelling that
# only the remote shard holds (an OCR-damaged word) is still found; stub
# files and xapian-progsrv work as --db; a shard with another stamp, a
# shard that is down and one that goes away mid-run end in exit 3 naming
# it. Loopback only.
. "$(dirname "$0")/lib_e2e.sh"

command -v xapian-tcpsrv >/dev/null 2>&1 ||
    fail "xapian-tcpsrv is missing (Debian xapian-tools, scripts/setup.sh)"
command -v xapian-metadata >/dev/null 2>&1 ||
    fail "xapian-metadata is missing (Debian xapian-tools)"

# The servers started here, each in a process group of its own (a
# xapian-tcpsrv forks a child per connection), killed on exit.
SERVERS=""
shards_cleanup() {
    for pg in $SERVERS; do kill -9 -- "-$pg" 2>/dev/null; done
    e2e_cleanup
}
trap shards_cleanup EXIT

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# serve DB — starts xapian-tcpsrv on 127.0.0.1 for DB; sets PORT and SPID.
serve() {
    PORT=$(free_port)
    local log=$WORK/tcpsrv.$PORT.log
    setsid xapian-tcpsrv --port "$PORT" --interface 127.0.0.1 "$1" \
        >"$log" 2>&1 </dev/null &
    SPID=$!
    disown "$SPID"
    SERVERS="$SERVERS $SPID"
    for _ in $(seq 100); do
        grep -q "Listening" "$log" 2>/dev/null && return 0
        kill -0 "$SPID" 2>/dev/null || break
        sleep 0.05
    done
    fail "xapian-tcpsrv did not start on port $PORT: $(cat "$log")"
}

# The collection: the repository's corpus split over three folders, and in
# the third an OCR-damaged document ("sko1skjuts") whose spelling no other
# shard holds.
for s in a b c; do mkdir -p "$WORK/$s"; done
i=0
for f in "$CORPUS"/*; do
    case $((i % 3)) in 0) s=a ;; 1) s=b ;; *) s=c ;; esac
    cp "$f" "$WORK/$s/"
    i=$((i + 1))
done
cat >"$WORK/c/protokoll-skjuts.txt" <<'EOF'
Protokoll 2023-03-02

Nämnden i Umeå kommun behandlade frågan om sko1skjuts för eleverna.
Beslutet om sko1skjuts gäller från hösten.
EOF

for s in a b c; do
    expect_status 0 "$IDX" --quiet --db "$WORK/db-$s" "$WORK/$s"
done
expect_status 0 "$IDX" --quiet --db "$WORK/db-all" "$WORK/a" "$WORK/b" "$WORK/c"

serve "$WORK/db-c"
REMOTE=tcp:127.0.0.1:$PORT
SHARDS=(--db "$WORK/db-a" --db "$WORK/db-b" --db "$REMOTE")

# Results as "query doc passage score" lines, best first; results of
# equal score (ties are ordered by Xapian's document ids, which interleave
# across shards) in doc, passage order. With `noscore`, without the score,
# in doc, passage order.
NORM='
import json, sys
rows = [json.loads(l) for l in sys.stdin if l.strip()]
noscore = len(sys.argv) > 1
def key(r):
    if "doc" not in r:  # a suggestion
        return (r.get("query", ""), 0, json.dumps(r, sort_keys=True), 0)
    s = 0 if noscore else -round(r["score"], 6)
    return (r.get("query", ""), s, r["doc"], r["passage"])
for r in sorted(rows, key=key):
    q = r.get("query", "")
    if "doc" not in r:
        print(q, "|", json.dumps(r, sort_keys=True, ensure_ascii=False))
    elif noscore:
        print(q, "|", r["doc"], r["passage"])
    else:
        print(q, "|", r["doc"], r["passage"], "%.6f" % r["score"])
'

# same_results LABEL [noscore|suggest] OPTION... -- QUERY... — the shards
# and the one database give the same results for each QUERY (run with
# --queries), and every QUERY has some (suggest: there is some output; a
# suggestion does not carry its query).
same_results() {
    local label=$1 mode="" opts=() each=1
    shift
    if [ "$1" = noscore ]; then mode=noscore; shift; fi
    if [ "$1" = suggest ]; then each=0; shift; fi
    while [ "$1" != -- ]; do opts+=("$1"); shift; done
    shift
    printf '%s\n' "$@" >"$WORK/queries"
    expect_status 0 "$QRY" --db "$WORK/db-all" --format json --limit 200 \
        "${opts[@]}" --queries "$WORK/queries"
    local one
    one=$(py "$NORM" $mode)
    [ -n "$one" ] || fail "$label: no output from the one database"
    for q in "$@"; do
        [ "$each" = 1 ] || break
        grep -qF -- "$q |" <<<"$one" ||
            fail "$label: no results for '$q' from the one database"
    done
    expect_status 0 "$QRY" "${SHARDS[@]}" --format json --limit 200 \
        "${opts[@]}" --queries "$WORK/queries"
    expect_eq "$label: shards = one database" "$one" "$(py "$NORM" $mode)"
}

# Plain words, a phrase, OR, NOT, filters: the same documents, passages
# and scores (BM25 over the statistics of all shards together).
same_results "words, phrases, filters" --exact -- kvalitetsgranskning \
    "trygghet studiero" '"särskilt stöd"' 'betyg OR elevhälsa NOT matematik' \
    'kommun:Karlstad' 'år:2022 skola' 'kommun:Umeå elev' \
    'rektorn hösten' 'kvalitetsgranskning förvaltningschef'
# (the last two: words in different passages of a document; with shards
# such documents are found without the document-level postings, whose
# docid ranges mean nothing across shards and which a remote database
# refuses: a custom posting source)
same_results "per document" --exact --per-document -- skola 'kommun:Gävle'
same_results "sorted by date" --exact --sort date -- kvalitetsgranskning
# With OCR / diacritic expansion and prefixes, the same documents and
# passages. (Not the same scores: Xapian 1.4 weights an OP_SYNONYM of the
# variants with statistics estimated shard by shard; see README.)
same_results "expanded words, prefixes" noscore -- elevhälsa 'elev*' \
    skolskjuts
expect_status 0 "$QRY" --db "$WORK/db-c" --format json --limit 200 --exact \
    'rektorn hösten'
local_c=$(py "$NORM")
expect_status 0 "$QRY" --db "$REMOTE" --format json --limit 200 --exact \
    'rektorn hösten'
expect_eq "one remote database = the same folder" "$local_c" "$(py "$NORM")"
expect_contains stdout '"complete":false'
# Suggestions ("Menade du"), from the spellings and frequencies of all.
same_results "suggestions" suggest -- kvalitetsgransknig 'kommun:Karlstadd skola'
expect_contains stdout '"suggestion":"kvalitetsgranskning"'
expect_contains stdout '"suggestion":"kommun:karlstad skola"'

# The damaged spelling only the remote shard holds is found from the
# spelling keys of every shard (Xapian 1.4 reads user metadata from the
# first database only), whichever --db comes first.
expect_status 0 "$QRY" "${SHARDS[@]}" --format json skolskjuts
expect_contains stdout '"doc":"protokoll-skjuts.txt"'
expect_status 0 "$QRY" --db "$REMOTE" --db "$WORK/db-a" --format json skolskjuts
expect_contains stdout '"doc":"protokoll-skjuts.txt"'
expect_status 0 "$QRY" --db "$WORK/db-a" --db "$WORK/db-b" --format json skolskjuts
expect_not_contains stdout 'protokoll-skjuts.txt'

# Counts and facets.
printf '%s\n' skola elevhälsa skolskjuts 'kommun:Umeå' 'år:2023' \
    >"$WORK/queries"
expect_status 0 "$QRY" --db "$WORK/db-all" --count --format csv \
    --queries "$WORK/queries"
one=$(cat "$OUT")
expect_status 0 "$QRY" "${SHARDS[@]}" --count --format csv \
    --queries "$WORK/queries"
expect_eq "counts" "$one" "$(cat "$OUT")"
expect_lines stdout 6
expect_status 0 "$QRY" --db "$WORK/db-all" --facets kommun,år,typ --limit 0 \
    --format json skola
one=$(cat "$OUT")
expect_status 0 "$QRY" "${SHARDS[@]}" --facets kommun,år,typ --limit 0 \
    --format json skola
expect_eq "facets" "$one" "$(cat "$OUT")"
expect_contains stdout '"kommun"'

# diarium-serve over the same shards: the same passages and total as
# diarium-query on the one database.
serve_start "$WORK/db-a" --db "$WORK/db-b" --db "$REMOTE" --threads 2
trap 'kill "$SRV_PID" 2>/dev/null; shards_cleanup' EXIT
expect_contains "$SRV_LOG" "serving $WORK/db-a, $WORK/db-b, $REMOTE on"
run python3 -c '
import json, sys, urllib.parse, urllib.request
url = sys.argv[1] + "api/search?limit=100&q=" + urllib.parse.quote(sys.argv[2])
r = json.load(urllib.request.urlopen(url, timeout=30))
print("total", r["total"])
for h in sorted((h["doc"], h["passage"]) for h in r["results"]):
    print(h[0], h[1])
' "$SRV_URL" 'skolskjuts OR kommun:Karlstad'
[ "$RC" -eq 0 ] || fail "GET /api/search on the shards failed"
served=$(cat "$OUT")
expect_status 0 "$QRY" --db "$WORK/db-all" --format json --limit 100 \
    'skolskjuts OR kommun:Karlstad'
expect_eq "diarium-serve on shards = diarium-query on one database" \
    "$(py 'import json, sys
rows = [json.loads(l) for l in sys.stdin if l.strip()]
rows = sorted((r["doc"], r["passage"]) for r in rows if "doc" in r)
print("total", len(rows))
for d, p in rows:
    print(d, p)')" "$served"
expect_contains stdout 'protokoll-skjuts.txt'
serve_stop
trap shards_cleanup EXIT

# A Xapian stub file naming a folder and the remote shard, and
# xapian-progsrv run as a program (as ssh would run it on another machine).
printf '# shards\nauto db-a\nremote 127.0.0.1:%s\n' "$PORT" >"$WORK/stub"
expect_status 0 "$QRY" --db "$WORK/stub" --db "$WORK/db-b" --format json \
    --limit 200 --exact skola
stub=$(py "$NORM")
expect_status 0 "$QRY" "${SHARDS[@]}" --format json --limit 200 --exact skola
expect_eq "stub file = the same shards" "$(py "$NORM")" "$stub"
printf 'remote :xapian-progsrv %s\n' "$WORK/db-c" >"$WORK/stub-prog"
expect_status 0 "$QRY" --db "$WORK/db-a" --db "$WORK/db-b" \
    --db "$WORK/stub-prog" --format json --limit 200 --exact skola
expect_eq "xapian-progsrv = tcpsrv" "$stub" "$(py "$NORM")"
printf 'remote\n' >"$WORK/stub-bad"
expect_status 3 "$QRY" --db "$WORK/stub-bad" skola
expect_contains stderr "stub-bad line 1"

# Each database's stamp is checked, the remote one's too.
cp -r "$WORK/db-b" "$WORK/db-old"
run xapian-metadata set "$WORK/db-old" diarium.format 1
[ "$RC" -eq 0 ] || fail "xapian-metadata set failed"
serve "$WORK/db-old"
expect_status 3 "$QRY" --db "$WORK/db-a" --db "tcp:127.0.0.1:$PORT" skola
expect_contains stderr "tcp:127.0.0.1:$PORT was built by another diarium version"

# A shard that is down: exit 3 naming it.
DOWN=$(free_port)
expect_status 3 "$QRY" --db "$WORK/db-a" --db "tcp:127.0.0.1:$DOWN" skola
expect_contains stderr "tcp:127.0.0.1:$DOWN"
expect_status 3 "$QRY" --db "$WORK/db-a" --db "tcp:127.0.0.1" skola
expect_contains stderr "tcp:HOST:PORT"

# A shard that goes away between two queries of one run: the first is
# answered, then exit 3 naming it.
serve "$WORK/db-c"
mkfifo "$WORK/fifo"
timeout 30 "$QRY" "${SHARDS[@]:0:4}" --db "tcp:127.0.0.1:$PORT" --limit 1 \
    --format json --queries - <"$WORK/fifo" >"$OUT" 2>"$ERR" &
QPID=$!
exec 7>"$WORK/fifo"
echo skolskjuts >&7
for _ in $(seq 100); do [ -s "$OUT" ] && break; sleep 0.05; done
kill -9 -- "-$SPID"
echo skola >&7
exec 7>&-
wait "$QPID"
RC=$?
E2E_LAST_CMD="diarium-query ... --db tcp:127.0.0.1:$PORT --queries - (server killed after the first query)"
expect_eq "exit status when a shard goes away" 3 "$RC"
expect_contains stdout '"doc":"protokoll-skjuts.txt"'
expect_contains stderr "127.0.0.1:$PORT"
expect_contains stderr "stopped answering"

e2e_done
