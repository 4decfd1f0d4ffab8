#!/usr/bin/env bash
# e2e_meta.sh — decision metadata as a user building a topic report meets
# it (issue 33): whose decision a document is, the appeal board's outcomes
# in utfall: filters, facets and reports, unknown values counted as
# "okänt", and doc: ids with spaces and quotes. The documents are written
# here, in the way each authority writes (no real decision's words).
. "$(dirname "$0")/lib_e2e.sh"

D=$WORK/docs
mkdir -p "$D"
cat >"$D/okn-a.txt" <<'EOF'
Överklagat beslut

Beslut den 12 april 2021 om skolskjuts

Beslut

Överklagandenämnden avslår överklagandet.
Beslutet får inte överklagas.

Ärendet

X kommun beslutade den 12 april 2021 att avslå en ansökan om skolskjuts
(jfr Överklagandenämndens beslut den 3 maj 2016 med dnr 2016:45).
EOF
cat >"$D/okn-b.txt" <<'EOF'
Författningsbestämmelser

Enligt 10 kap. 30 § skollagen ska en elev placeras vid den skolenhet där
elevens vårdnadshavare önskar.

Ärendet

Y kommun placerade eleven vid en annan skolenhet.

Beslut

Nämnden upphäver det överklagade beslutet och återförvisar ärendet till
Y kommun för ny prövning.
EOF
cat >"$D/si.txt" <<'EOF'
Beslut
2022-03-14
Dnr 2021:7815

Beslut efter tillsyn av Ekbackens skola i Växjö kommun

Skolinspektionen förelägger Växjö kommun att vidta åtgärder för
skolskjuts.

På Skolinspektionens vägnar
EOF
printf 'Skolskjuts diskuterades.\n' >"$D/beslut 2021.txt"
printf 'Skolskjuts nämndes.\n' >"$D/a \"b\".txt"
DB=$WORK/db

expect_status 0 "$IDX" --quiet --db "$DB" "$D"

# The appeal board's decisions: its name, its outcomes; no dnr or date
# that the text only cites.
expect_status 0 "$QRY" --db "$DB" --format json --limit 1 'doc:okn-a.txt'
expect_py "appeal decision metadata" '
import json, sys
m = json.loads(sys.stdin.readline())["meta"]
assert m["authority"] == "Skolväsendets överklagandenämnd", m
assert m["issuer"] == "overklagandenamnden", m
assert m["outcome"] == "avslar", m
assert m["dnr"] is None and m["date"] is None, m
assert m["confidence"]["authority"] >= 50, m'
expect_status 0 "$QRY" --db "$DB" --format json --per-document 'utfall:upphaver'
get_docs
expect_eq "utfall:upphaver" "okn-b.txt" "$DOCS"
expect_status 0 "$QRY" --db "$DB" --format json --per-document \
    'utfall:forelaggande'
get_docs
expect_eq "utfall:forelaggande" "si.txt" "$DOCS"
expect_status 0 "$QRY" --db "$DB" --count 'myndighet:"skolväsendets överklagandenämnd"'
expect_contains stdout "in 2 documents"

# Facets and reports count the documents without a value as okänt.
expect_status 0 "$QRY" --db "$DB" --facets utfall --limit 1 skolskjuts
expect_contains stdout "okänt"
expect_status 0 "$QRY" --db "$DB" --format json --facets utfall --limit 0 \
    skolskjuts
expect_py "facet counts the unknown" '
import json, sys
for line in sys.stdin:
    o = json.loads(line)
    if "facets" in o:
        vals = {v["value"]: v["count"] for v in o["facets"]["utfall"]}
        assert vals.get("") == 2 and vals.get("avslar") == 1, vals
        break
else:
    raise SystemExit("no facets line")'
expect_status 0 "$QRY" --db "$DB" --report md -o "$WORK/r.md" skolskjuts
expect_contains "$WORK/r.md" "avslår överklagandet"
expect_contains "$WORK/r.md" "| okänt |"
expect_contains "$WORK/r.md" "räknas som okänt"
expect_status 0 "$QRY" --db "$DB" --report html -o "$WORK/r.html" skolskjuts
expect_contains "$WORK/r.html" "avslår överklagandet"
expect_contains "$WORK/r.html" "Skolväsendets överklagandenämnd"

# doc: takes any id: spaces, and quotes written \" inside quotes.
expect_status 0 "$QRY" --db "$DB" --format json 'doc:"beslut 2021.txt"'
get_docs
expect_eq 'doc:"beslut 2021.txt"' "beslut 2021.txt" "$DOCS"
expect_status 0 "$QRY" --db "$DB" --format json 'doc:"a \"b\".txt"'
get_docs
expect_eq 'doc:"a \"b\".txt"' 'a "b".txt' "$DOCS"

e2e_done
