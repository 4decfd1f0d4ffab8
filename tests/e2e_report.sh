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

# The checker: check.py MODE REPORT [REFERENCE] (see each mode below).
cat >"$WORK/check.py" <<'PY'
import csv, io, json, re, sys
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
        "meta", "source", "track", "wbr"}
FORBIDDEN = {"script", "img", "iframe", "object", "embed", "link", "base",
             "frame", "frameset", "audio", "video", "source", "form"}


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent = tag, dict(attrs), parent
        self.children, self.text = [], []

    def all(self):
        yield self
        for c in self.children:
            yield from c.all()

    def find(self, tag=None, **attrs):
        for n in self.all():
            if (tag is None or n.tag == tag) and all(
                    n.attrs.get(k.replace("_", "-")) == v
                    for k, v in attrs.items()):
                yield n

    def cls(self):
        return (self.attrs.get("class") or "").split()

    def content(self):
        return "".join(self.text) + "".join(c.content() for c in self.children)


class Tree(HTMLParser):
    """Builds a tree; every non-void element must be closed, in order."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", [], None)
        self.cur = self.root
        self.errors, self.doctype = [], None

    def handle_decl(self, decl):
        self.doctype = decl

    def handle_starttag(self, tag, attrs):
        n = Node(tag, attrs, self.cur)
        self.cur.children.append(n)
        if tag not in VOID:
            self.cur = n

    def handle_startendtag(self, tag, attrs):
        self.cur.children.append(Node(tag, attrs, self.cur))

    def handle_endtag(self, tag):
        if tag in VOID:
            self.errors.append("end tag of void element </%s>" % tag)
        elif self.cur.tag != tag:
            self.errors.append("</%s> closes <%s> (line %d)"
                               % (tag, self.cur.tag, self.getpos()[0]))
        else:
            self.cur = self.cur.parent

    def handle_data(self, data):
        self.cur.text.append(data)


def parse_html(path):
    raw = open(path, encoding="utf-8").read()
    t = Tree()
    t.feed(raw)
    t.close()
    assert not t.errors, t.errors[:5]
    assert t.cur is t.root, "unclosed <%s>" % t.cur.tag
    assert t.doctype and t.doctype.lower() == "doctype html", t.doctype
    html = [n for n in t.root.children if n.tag == "html"]
    assert len(html) == 1 and html[0].attrs.get("lang") == "sv", "html lang"
    assert any(m.attrs.get("charset", "").lower() == "utf-8"
               for m in t.root.find("meta")), "meta charset"
    assert len(list(t.root.find("style"))) == 1, "one <style>"
    for n in t.root.all():
        assert n.tag not in FORBIDDEN, "forbidden element <%s>" % n.tag
        for k, v in n.attrs.items():
            assert not k.startswith("on"), "event attribute %s" % k
            assert k not in ("src", "srcset", "action", "xlink:href"), k
            if k == "href":
                assert v.startswith("#"), "link out: %s" % v
    style = next(t.root.find("style")).content()
    assert "url(" not in style and "@import" not in style, "style loads"
    return t.root, raw


def reference(path):
    """Hits and facets of a JSON Lines run."""
    hits, facets = [], None
    for line in open(path, encoding="utf-8"):
        o = json.loads(line)
        if "facets" in o:
            facets = o["facets"]
        elif "doc" in o:
            hits.append(o)
    assert facets is not None, "no facets in the reference run"
    docs = []
    for h in hits:
        if h["doc"] not in docs:
            docs.append(h["doc"])
    return hits, facets, docs


def bars(root, svg_id):
    svg = list(root.find("svg", id=svg_id))
    assert len(svg) == 1, "one <svg id=%s>" % svg_id
    got = {}
    for g in svg[0].find("g"):
        if "bar" in g.cls():
            got[g.attrs["data-label"]] = int(g.attrs["data-count"])
            assert len(list(g.find("rect"))) == 1, "one rect per bar"
            assert len(list(g.find("title"))) == 1, "a title per bar"
            assert str(g.attrs["data-count"]) in g.content(), \
                "the count written next to the bar"
    rects = len(list(svg[0].find("rect")))
    return got, rects, svg[0]


def facet_dict(facets, field):
    """The facet's counts, without the documents that have no value (the
    charts say how many those are instead of drawing them)."""
    return {v["value"]: v["count"] for v in facets[field] if v["value"]}


def caption_says_unknown(svg, facets, field):
    n = sum(v["count"] for v in facets[field] if not v["value"])
    if n:
        cap = next(svg.parent.find("figcaption")).content()
        assert ("%d dokument" % n) in cap.replace("\u00a0", ""), (cap, n)


def total(root, name):
    n = list(root.find(data_total=name))
    assert len(n) == 1, "one data-total=%s" % name
    return n[0].content().replace("\u00a0", "")


mode, path = sys.argv[1], sys.argv[2]
if mode == "html":
    # check.py html REPORT REFERENCE.jsonl: structure and numbers.
    root, raw = parse_html(path)
    hits, facets, docs = reference(sys.argv[3])
    assert list(root.find("title"))[0].content().startswith("Rapport: ")
    assert total(root, "documents") == str(facets["documents"]), \
        (total(root, "documents"), facets["documents"])
    assert total(root, "passages") == str(len(hits)), \
        (total(root, "passages"), len(hits))
    svgs = list(root.find("svg"))
    assert len(svgs) == 2, "%d <svg>" % len(svgs)
    k, krects, ksvg = bars(root, "chart-kommun")
    want = facet_dict(facets, "kommun")
    assert k == want, ("kommun bars", k, want)
    assert krects == len(want), (krects, facets["kommun"])
    caption_says_unknown(ksvg, facets, "kommun")
    assert list(ksvg.find("title")), "chart title"
    y, yrects, ysvg = bars(root, "chart-ar")
    want = facet_dict(facets, "år")
    assert y == want, ("year bars", y, want)
    assert yrects == len(want), (yrects, facets["år"])
    caption_says_unknown(ysvg, facets, "år")
    labels = [g.attrs["data-label"] for g in ysvg.find("g")
              if "bar" in g.cls() and g.attrs["data-label"].isdigit()]
    assert labels == sorted(labels), ("years in order", labels)
    counts = [g.attrs["data-count"] for g in ksvg.find("g") if "bar" in g.cls()]
    assert [int(c) for c in counts] == sorted(map(int, counts), reverse=True)
    rows = [tr.attrs["data-doc"] for tr in root.find("tr") if "data-doc" in tr.attrs]
    arts = [a.attrs["data-doc"] for a in root.find("article")]
    assert rows == docs, ("table", rows, docs)
    assert arts == docs, ("sections", arts, docs)
    for tr in root.find("tr"):
        if "data-doc" in tr.attrs:
            assert len([c for c in tr.children if c.tag == "td"]) == 7
    heads = [th.content() for th in root.find("th")]
    for h in ("Kommun", "Datum", "Typ", "Diarienummer", "Utfall", "Dokument"):
        assert h in heads, ("column", h)
    for a in root.find("article"):
        mine = [h for h in hits if h["doc"] == a.attrs["data-doc"]]
        qs = [b for b in a.find("blockquote")]
        assert len(qs) == len(mine), (a.attrs["data-doc"], len(qs), len(mine))
        assert [int(b.attrs["data-passage"]) for b in qs] == \
            [h["passage"] for h in mine]
        assert any(True for _ in a.find("mark")), "no highlight"
    print("ok", len(docs), "documents", len(hits), "passages")
elif mode == "inject":
    # check.py inject REPORT: the hostile document came out as text.
    root, raw = parse_html(path)
    text = root.content()
    for s in ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
              '"citat"', "'apostrof'", "Bröd & smör", "inj<b>&amp;.txt"):
        assert s in text, "not shown as text: %r" % s
    marks = [m.content() for m in root.find("mark")]
    assert any(m.lower().startswith("kompensatoriska") for m in marks), marks
    assert not re.search(r"<script|<img|<b>", raw, re.I), "raw markup"
    print("ok")
elif mode == "md":
    # check.py md REPORT REFERENCE.jsonl: totals and ids.
    md = open(path, encoding="utf-8").read()
    hits, facets, docs = reference(sys.argv[3])
    assert md.startswith("# Rapport: "), md[:40]
    assert "Dokument som matchar hela frågan: **%d**" % facets["documents"] in md
    assert "Stycken i rapporten: **%d**" % len(hits) in md
    for d in docs:
        assert d in md, "document id %s" % d
    for v in facets["kommun"]:
        if not v["value"]:
            continue
        assert re.search(r"^\| %s \| %d \| █+ \|$" % (re.escape(v["value"]),
                         v["count"]), md, re.M), ("kommun row", v)
    assert md.count("\n> ") >= len(hits), "passages as block quotes"
    assert "**" in md
    print("ok")
elif mode == "md-inject":
    md = open(path, encoding="utf-8").read()
    assert "<script" not in md and "<img" not in md, "raw HTML in Markdown"
    assert "&lt;script&gt;" in md
    assert "\\*\\*fet\\*\\*" in md and "\\[länk\\]" in md, "Markdown syntax"
    print("ok")
elif mode == "csv":
    # check.py csv REPORT REFERENCE.jsonl: the spreadsheet file.
    data = open(path, "rb").read()
    assert data.startswith(b"\xef\xbb\xbf"), "no BOM"
    assert b"\n" not in data.replace(b"\r\n", b""), "a line end that is not CRLF"
    hits, facets, docs = reference(sys.argv[3])
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""),
                           delimiter=";"))
    assert rows[0] == ["Dokument", "Kommun", "Datum", "Typ", "Diarienummer",
                       "Utfall", "Myndighet", "Skola", "Poäng",
                       "Bästa stycke"], rows[0]
    assert [r[0] for r in rows[1:]] == docs, ([r[0] for r in rows[1:]], docs)
    for r in rows[1:]:
        assert len(r) == 10, r
        assert re.fullmatch(r"\d+,\d+", r[8]), ("score", r[8])
        assert r[9], "best passage"
    best = {}
    for h in hits:
        best.setdefault(h["doc"], h)
    for r in rows[1:]:
        h = best[r[0]]
        assert abs(float(r[8].replace(",", ".")) - h["score"]) < 1e-3
        assert r[2] == (h["date"] or "")
    print("ok")
elif mode == "seeds":
    root, raw = parse_html(path)
    k, krects, _ = bars(root, "chart-kommun")
    for name in ("Trelleborg", "Borlänge", "Landskrona", "Perstorp"):
        assert name in k, ("not in the chart", name, k)
    assert krects >= 4
    y, yrects, _ = bars(root, "chart-ar")
    assert yrects >= 1
    table = " ".join(td.content() for td in root.find("td"))
    for name in ("Trelleborg", "Borlänge", "Landskrona", "Perstorp"):
        assert name in table, ("not in the table", name)
    print("ok")
elif mode == "empty":
    root, raw = parse_html(path)
    assert total(root, "documents") == "0"
    assert not list(root.find("svg"))
    print("ok")
PY
check() { # check LABEL MODE FILE [REF]
    local label=$1 msg
    shift
    msg=$(python3 "$WORK/check.py" "$@" 2>&1) || fail "$label:
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
