#!/usr/bin/env python3
"""e2e_lib.py — the Python side of the end-to-end tests (tests/e2e_*.sh).

The shell side is tests/lib_e2e.sh, which calls this file (as $E2E_PY):

    e2e_lib.py docs DIR N [OPTION...]    write N generated documents
    e2e_lib.py flip FILE SEED            flip one bit in each of 20 bytes of
                                         FILE, chosen by SEED (damage)
    e2e_lib.py damage SRC OUT T:SEED...  for each T:SEED, a copy of the
                                         database folder SRC as OUT/T-SEED
                                         with T.glass flipped (SEED's number
                                         before any "-" seeds it)
    e2e_lib.py check NAME [ARG...]       run check NAME on standard input
                                         (usually the last command's stdout);
                                         exit 0 when it holds, else 1 with
                                         what it found

Only the standard library; no state between calls.

docs: Swedish-looking decision documents, deterministic for a seed: each
paragraph is words drawn from a vocabulary. Options (counts are N, A-B for
a uniform choice, or A|B|C for one of those):
    --seed S          random seed (default: --first)
    --first A         number of the first document (default 0)
    --name FMT        file name, str.format with i (default f{i:06d}.txt)
    --words LIST      the vocabulary, space-separated (default: WORDS)
    --paras COUNT     paragraphs per document (default 4)
    --para-words COUNT  words per paragraph (default 60)
    --period          end each paragraph with "."
    --head FMT        a first paragraph (str.format with i and s)
    --tail FMT        a last paragraph (str.format with i and s)
    --subdir FMT      a sub-folder per document (str.format with s)
    --mod K --base B  s = B + i % K (default K 1, B 0)
    --newline         end the file with a line end
The random choices are made in this order per document: the number of
paragraphs, then per paragraph its number of words, then the words.
"""
import collections
import csv
import io
import json
import os
import random
import re
import sys
from html.parser import HTMLParser

WORDS = ("skola elev kommun beslut åtgärder huvudman undervisning betyg "
         "trygghet studiero rektor elevhälsa analys resurser")


# ------------------------------------------------------------------- docs

def count_spec(spec):
    """A function of rnd that draws a count as `spec` says."""
    if "|" in spec:
        choices = [int(x) for x in spec.split("|")]
        return lambda rnd: rnd.choice(choices)
    if "-" in spec:
        lo, hi = (int(x) for x in spec.split("-"))
        return lambda rnd: rnd.randint(lo, hi)
    n = int(spec)
    return lambda rnd: n


def docs(argv):
    opts = {"--seed": None, "--first": "0", "--name": "f{i:06d}.txt",
            "--words": WORDS, "--paras": "4", "--para-words": "60",
            "--head": None, "--tail": None, "--subdir": None, "--mod": "1",
            "--base": "0"}
    flags = {"--period": False, "--newline": False}
    if len(argv) < 2:
        raise SystemExit("e2e_lib.py docs DIR N [OPTION...]")
    d, n, rest = argv[0], int(argv[1]), argv[2:]
    while rest:
        o = rest.pop(0)
        if o in flags:
            flags[o] = True
        elif o in opts and rest:
            opts[o] = rest.pop(0)
        else:
            raise SystemExit("e2e_lib.py docs: unknown option %s" % o)
    first = int(opts["--first"])
    rnd = random.Random(int(opts["--seed"] if opts["--seed"] is not None
                            else first))
    words = opts["--words"].split()
    nparas = count_spec(opts["--paras"])
    nwords = count_spec(opts["--para-words"])
    mod, base = int(opts["--mod"]), int(opts["--base"])
    end = "." if flags["--period"] else ""
    os.makedirs(d, exist_ok=True)
    for i in range(first, first + n):
        s = base + i % mod
        sub = d
        if opts["--subdir"]:
            sub = os.path.join(d, opts["--subdir"].format(s=s, i=i))
            os.makedirs(sub, exist_ok=True)
        paras = []
        if opts["--head"]:
            paras.append(opts["--head"].format(i=i, s=s))
        for _ in range(nparas(rnd)):
            k = nwords(rnd)
            paras.append(" ".join(rnd.choice(words) for _ in range(k)) + end)
        if opts["--tail"]:
            paras.append(opts["--tail"].format(i=i, s=s))
        text = "\n\n".join(paras) + ("\n" if flags["--newline"] else "")
        with open(os.path.join(sub, opts["--name"].format(i=i)), "w",
                  encoding="utf-8") as f:
            f.write(text)
    return 0


# ----------------------------------------------------------------- damage

def flip(path, seed, n=20):
    """Flips one bit in each of n bytes of path, chosen by seed."""
    flip_bits(path, random.Random(seed), n)


def flip_bits(path, r, n):
    """Flips one bit in each of n bytes of path, chosen by the random.Random r."""
    size = os.path.getsize(path)
    with open(path, "r+b") as f:
        for _ in range(n):
            at = r.randrange(size)
            f.seek(at)
            b = f.read(1)[0]
            f.seek(at)
            f.write(bytes([b ^ (1 << r.randrange(8))]))


def damage(argv):
    import shutil
    src, out = argv[0], argv[1]
    for spec in argv[2:]:
        table, seed = spec.split(":")
        db = os.path.join(out, "%s-%s" % (table, seed))
        shutil.copytree(src, db)
        flip(os.path.join(db, table + ".glass"), int(seed.split("-")[0]))
    return 0


# ----------------------------------------------------------------- checks
#
# Each check reads standard input and its arguments, and raises
# AssertionError (with what it found) when what it checks does not hold.

CHECKS = {}


def check(fn):
    CHECKS[fn.__name__.replace("_", "-")] = fn
    return fn


def json_lines(stream):
    return [json.loads(line) for line in stream if line.strip()]


def results(stream):
    """The result objects (those with a "doc") of JSON Lines."""
    return [o for o in json_lines(stream) if "doc" in o]


@check
def docs_of(inp, args):
    """Prints the "doc" of each JSON result, in order (not a check: a
    value for the shell; fails on a line that is no result)."""
    for n, line in enumerate(inp, 1):
        o = json.loads(line)
        assert isinstance(o, dict) and isinstance(o.get("doc"), str), \
            "line %d: %r" % (n, line[:200])
        print(o["doc"])


@check
def ranking(inp, args):
    """Prints "doc passage score" per JSON result (args: [decimals, with
    the query first: "q"])."""
    places = int(args[0]) if args else 5
    with_query = len(args) > 1 and args[1] == "q"
    for o in json_lines(inp):
        if "doc" in o:
            row = "%s %d %.*f" % (o["doc"], o["passage"], places, o["score"])
            print((o["query"] + "\t" + row) if with_query else row)


@check
def field(inp, args):
    """Prints field args[0] of the one JSON object on stdin (a.b: nested)."""
    o = json.load(inp)
    for k in args[0].split("."):
        o = o[k]
    print(o)


# ------------------------------------------------- e2e_index_query.sh

@check
def iq_exact_every_highlight_is_spelled(inp, args):
    """--exact: every highlight is spelled åtgärd* (e2e_index_query.sh)."""
    import json, sys
    for line in inp:
        o = json.loads(line)
        b = o["text"].encode()
        for s, e in o.get("highlights", []):
            w = b[s:e].decode().lower()
            assert w.startswith("åtgärd"), "%s: highlighted %r" % (o["doc"], w)


@check
def iq_json_lines_fields_types_score(inp, args):
    """JSON lines: fields, types, score order, highlights, text from the document (e2e_index_query.sh)."""
    import gzip, json, sys, unicodedata, difflib, re
    corpus = args[0]
    words = ["kompensatoriska", "åtgärder"]

    def fold(s):
        s = unicodedata.normalize("NFD", s.lower())
        return "".join(c for c in s if not unicodedata.combining(c))

    def plausible(span):
        f = fold(re.sub(r"-\s+", "", span))
        best = 0.0
        for w in map(fold, words):
            n = len(w)
            for k in range(max(1, n - 2), n + 3):
                best = max(best, difflib.SequenceMatcher(None, f[:k], w).ratio())
        return best >= 0.55

    def source(doc):
        raw = open(corpus + "/" + doc, "rb").read()
        if doc.endswith(".gz"):
            raw = gzip.decompress(raw)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return raw.decode("cp1252")

    lines = inp.read().splitlines()
    assert lines, "no results"
    scores = []
    for n, line in enumerate(lines, 1):
        o = json.loads(line)
        assert isinstance(o, dict), "line %d is not an object" % n
        assert isinstance(o.get("doc"), str) and o["doc"], "line %d: doc %r" % (n, o.get("doc"))
        p = o.get("passage")
        assert type(p) is int and p >= 0, "line %d: passage %r" % (n, p)
        s = o.get("score")
        assert type(s) in (int, float), "line %d: score %r" % (n, s)
        t = o.get("text")
        assert isinstance(t, str) and t, "line %d: text %r" % (n, t)
        scores.append(s)
        # "the passage text as it stands in the document"
        assert t in source(o["doc"]), "line %d: text is not in %s: %r" % (n, o["doc"], t[:100])
        hl = o.get("highlights")
        assert isinstance(hl, list) and hl, "line %d: highlights %r" % (n, hl)
        b = t.encode("utf-8")
        for r in hl:
            assert isinstance(r, list) and len(r) == 2, "line %d: range %r" % (n, r)
            a, e = r
            assert type(a) is int and type(e) is int and 0 <= a < e <= len(b), \
                "line %d: range %r outside 0..%d" % (n, r, len(b))
            try:
                span = b[a:e].decode("utf-8")
            except UnicodeDecodeError:
                raise AssertionError("line %d: range %r cuts a UTF-8 character" % (n, r))
            assert plausible(span), "line %d: highlighted %r is no spelling of %s" % (n, span, words)
    for i in range(1, len(scores)):
        assert scores[i - 1] >= scores[i], "scores not descending at line %d: %r" % (i + 1, scores[:i + 1])


@check
def iq_per_document_json_one_line(inp, args):
    """per-document JSON: one line per document, scores descending (e2e_index_query.sh)."""
    import json, sys
    rs = [json.loads(l) for l in inp]
    docs = [o["doc"] for o in rs]
    assert len(docs) == len(set(docs)), "a document twice: %r" % docs
    s = [o["score"] for o in rs]
    assert all(a >= b for a, b in zip(s, s[1:])), "scores not descending: %r" % s


@check
def iq_csv_header_same_rows_as(inp, args):
    """CSV: header, same rows as JSON (e2e_index_query.sh)."""
    import csv, json, sys
    rows = list(csv.reader(inp))
    assert rows, "empty CSV"
    head = rows[0]
    for col in ("doc", "passage", "score", "text"):
        assert col in head, "header %r lacks %r" % (head, col)
    js = [json.loads(l) for l in open(args[0], encoding="utf-8")]
    body = rows[1:]
    assert len(body) == len(js), "%d CSV rows, %d JSON lines" % (len(body), len(js))
    for r, o in zip(body, js):
        assert len(r) == len(head), "row has %d fields, header %d: %r" % (len(r), len(head), r[:3])
        d = dict(zip(head, r))
        assert d["doc"] == o["doc"] and int(d["passage"]) == o["passage"], (d["doc"], d["passage"], o["doc"], o["passage"])
        assert abs(float(d["score"]) - o["score"]) < 1e-3, (d["score"], o["score"])
        assert d["text"] == o["text"], "text differs for %s" % o["doc"]


@check
def iq_csv_with_no_match_just(inp, args):
    """CSV with no match: just the header (e2e_index_query.sh)."""
    import csv, sys
    rows = list(csv.reader(inp))
    assert len(rows) == 1 and "doc" in rows[0], rows


@check
def iq_not_passages_of_betyg_without(inp, args):
    """NOT: passages of betyg without sambedömning; -word means the same (e2e_index_query.sh)."""
    import json, re, sys
    # The word itself (sambedömning, -en, -ar...), not the verb sambedöma,
    # which has another stem.
    has = lambda o: re.search(r"sambedömning\w*", o["text"].lower())
    def load(p):
        return [json.loads(l) for l in open(p, encoding="utf-8")]
    allr, notr, minus = (load(p) for p in args[0:3])
    key = lambda o: (o["doc"], o["passage"])
    assert notr, "betyg NOT sambedömning found nothing"
    assert len(notr) < len(allr), "NOT excluded nothing (%d vs %d)" % (len(notr), len(allr))
    assert {key(o) for o in notr} <= {key(o) for o in allr}, "NOT added results"
    for o in notr:
        assert not has(o), "%s passage %d has sambedömning" % key(o)
    excluded = {key(o) for o in allr} - {key(o) for o in notr}
    for o in allr:
        if key(o) in excluded:
            assert has(o), "%s passage %d was excluded without sambedömning" % key(o)
    assert [key(o) for o in minus] == [key(o) for o in notr], "-sambedömning differs from NOT sambedömning"


@check
def iq_phrase_each_passage_has_the(inp, args):
    """phrase: each passage has the two words next to each other (e2e_index_query.sh)."""
    import json, re, sys
    rs = [json.loads(l) for l in inp]
    assert rs, "no result"
    for o in rs:
        b = o["text"].encode()
        hl = sorted(o["highlights"])
        adj = any(re.fullmatch(rb"\s+", b[hl[i][1]:hl[i + 1][0]]) for i in range(len(hl) - 1))
        assert adj, "%s passage %d: no two highlights next to each other: %r" % (
            o["doc"], o["passage"], [b[s:e].decode() for s, e in hl])
    docs = {o["doc"] for o in rs}
    assert "2019-06-17_tjansteskrivelse_sarskilt_stod_habo.txt" in docs, "stripped Håbo document not found: %r" % docs


@check
def iq_the_same_words_without_quotes(inp, args):
    """the same words without quotes match (e2e_index_query.sh)."""
    import sys; assert inp.read().strip(), "no result"


@check
def iq_passages_2_at_most_2(inp, args):
    """--passages 2: at most 2 per document, and some document has 2 (e2e_index_query.sh)."""
    import collections, json, sys
    rs = [json.loads(l) for l in inp]
    c = collections.Counter(o["doc"] for o in rs)
    assert c and max(c.values()) <= 2, dict(c)
    assert max(c.values()) == 2, "no document with 2 passages: %r" % dict(c)
    keys = [(o["doc"], o["passage"]) for o in rs]
    assert len(keys) == len(set(keys)), "a passage twice"


@check
def iq_the_latin_1_document_text(inp, args):
    """the Latin-1 document text is proper UTF-8 with '$w' (e2e_index_query.sh)."""
    import json, sys
    o = json.loads(inp.readline())
    assert args[0].lower() in o["text"].lower(), o["text"][:200]


# ------------------------------------------------- e2e_query_language.sh

@check
def caret(inp, args):
    """A query syntax error on stderr (args: QUERY COLUMN EXPECTED): the
    first line says error and the message says EXPECTED; one caret line,
    under the query as typed (control characters and bytes that are not
    UTF-8 shown as \\xHH, issue 38), at character COLUMN."""
    query, col, want = args[0], int(args[1]), args[2]
    err = inp.buffer.read().decode("utf-8", "replace")
    lines = err.split("\n")
    assert "error" in lines[0], "first line does not say error: %r" % lines[0][:200]
    assert want in err, "message does not say %r: %r" % (want, lines[0][:300])
    carets = [i for i, l in enumerate(lines) if l.strip() == "^"]
    assert len(carets) == 1, "expected one caret line, found %d: %r" % (len(carets), [l[:80] for l in lines])
    i = carets[0]
    assert i >= 1, "caret line without the query above it"
    echo = lines[i - 1]

    def shown(ch):
        o = ord(ch)
        if 0xDC80 <= o <= 0xDCFF:
            return "\\x%02X" % (o - 0xDC00)
        if o < 0x20 or o == 0x7F or 0x80 <= o < 0xA0:
            return "".join("\\x%02X" % b for b in ch.encode())
        return ch
    typed = "".join(shown(ch) for ch in query)
    assert echo.endswith(typed), "the line above the caret is not the query: %r" % echo[:200]
    indent = len(echo) - len(typed)
    got = lines[i].index("^") - indent
    assert got == col, "caret under character %d, expected %d:\n%s\n%s" % (got, col, echo[:120], lines[i][:120])


@check
def ql_two_words_every_complete_passage(inp, args):
    """two words: every complete passage has both words highlighted (e2e_query_language.sh)."""
    import json, sys
    rs = [json.loads(l) for l in inp]
    assert rs, "no result"
    for o in rs:
        if not o["complete"]:
            continue
        b = o["text"].encode()
        hl = [b[s:e].decode().lower() for s, e in o["highlights"]]
        assert any(h.startswith("provbetyg") for h in hl), (o["passage"], hl)
        assert any(h.startswith("matematik") for h in hl), (o["passage"], hl)


@check
def ql_phrase_each_passage_has_the(inp, args):
    """phrase: each passage has the three words in a row (e2e_query_language.sh)."""
    import json, re, sys
    rs = [json.loads(l) for l in inp]
    assert rs, "no result"
    for o in rs:
        t = " ".join(o["text"].split()).lower()
        assert re.search(r"studiehandledning(en)? p[åa] modersm[åa]let", t), (o["doc"], o["passage"], t[:300])


@check
def ql_not_passages_with_matematik_and(inp, args):
    """NOT: passages with matematik and without provbetyget (e2e_query_language.sh)."""
    import json, re, sys
    rs = [json.loads(l) for l in inp]
    assert rs, "nothing left"
    assert len(rs) < int(args[0]), "NOT excluded nothing (%d of %s)" % (len(rs), args[0])
    for o in rs:
        assert not re.search(r"provbetyget", o["text"].lower()), (o["doc"], o["passage"])
        assert "matematik" in o["text"].lower(), (o["doc"], o["passage"])


@check
def ql_not_a_or_b_neither(inp, args):
    """NOT (a OR b): neither word in a result (e2e_query_language.sh)."""
    import json, sys
    for l in inp:
        t = json.loads(l)["text"].lower()
        assert "matematik" not in t and "svenska" not in t, t[:200]


@check
def ql_prefix_atgard(inp, args):
    """åtgärd* finds åtgärder and åtgärderna (and nothing that does not begin so) (e2e_query_language.sh)."""
    import json, re, sys
    seen = set()
    for l in inp:
        o = json.loads(l)
        b = o["text"].encode()
        for s, e in o["highlights"]:
            w = re.sub(r"-\s+", "", b[s:e].decode()).lower()
            seen.add(w)
    assert "åtgärder" in seen and "åtgärderna" in seen, sorted(seen)
    bad = [w for w in seen if w.startswith(("kompens", "skol", "elev"))]
    assert not bad, bad


@check
def ql_stop_word_tie(inp, args):
    """'$sq': a.txt and b.txt, same score (e2e_query_language.sh)."""
    import json, sys
    r = [json.loads(l) for l in inp]
    assert sorted(o["doc"] for o in r) == ["a.txt", "b.txt"], r
    assert r[0]["score"] > 0 and r[0]["score"] == r[1]["score"], r


@check
def ql_stop_words_only_phrase(inp, args):
    """'"har en"': a.txt, scored (e2e_query_language.sh)."""
    import json, sys
    r = [json.loads(l) for l in inp]
    assert [o["doc"] for o in r] == ["a.txt"] and r[0]["score"] > 0, r


@check
def ql_explain_json_first_object_lists(inp, args):
    """--explain JSON: first object lists damaged spellings with passages and cost (e2e_query_language.sh)."""
    import json, sys
    rs = [json.loads(l) for l in inp]
    assert rs, "no output"
    first = rs[0]
    assert "explain" in first and "doc" not in first, first
    ws = first["explain"]
    assert isinstance(ws, list) and len(ws) == 1, ws
    w = ws[0]
    assert w["word"] == "åtgärder", w.get("word")
    forms = {v["form"]: v for v in w["variants"]}
    for f in ("atgirder", "atgarder"):
        assert f in forms, "%s not listed: %r" % (f, sorted(forms))
        v = forms[f]
        assert type(v["passages"]) is int and v["passages"] >= 1, v
        assert isinstance(v["cost"], (int, float)) and v["cost"] > 0, v
    assert forms.get("åtgärder", {}).get("cost", 1) == 0, forms.get("åtgärder")
    rest = rs[1:]
    assert rest and all("doc" in o and "explain" not in o for o in rest), [list(o) for o in rest]
    assert len(rest) == 5, len(rest)


@check
def ql_explain_exact_no_damaged_spelling(inp, args):
    """--explain --exact: no damaged spelling (e2e_query_language.sh)."""
    import json, sys
    first = json.loads(inp.readline())
    forms = [v["form"] for w in first["explain"] for v in w["variants"]]
    assert "atgirder" not in forms and "atgarder" not in forms, forms


@check
def ql_count_matches_the_complete_results(inp, args):
    """--count matches the complete results of '$query' (e2e_query_language.sh)."""
    import json, sys
    c = json.load(inp)
    assert set(c) == {"passages", "documents"}, c
    n, m = c["passages"], c["documents"]
    assert type(n) is int and type(m) is int and 0 <= m <= n, c
    rs = [json.loads(l) for l in open(args[0], encoding="utf-8")]
    complete = [o for o in rs if o["complete"]]
    assert n == len(complete), "count says %d passages, %d complete results" % (n, len(complete))
    assert m == len({o["doc"] for o in complete}), "count says %d documents, results have %d" % (m, len({o["doc"] for o in complete}))


@check
def ql_queries_results_of_every_good(inp, args):
    """--queries: results of every good line, each with its query (e2e_query_language.sh)."""
    import json, sys
    rs = [json.loads(l) for l in inp]
    qs = [o.get("query") for o in rs]
    assert all("doc" in o for o in rs), "a non-result object"
    want = {"sambedömning": 2, "skolbibliotek": 1, "\"trygghet och studiero\"": 2}
    got = {q: qs.count(q) for q in set(qs)}
    assert got == want, got


@check
def ql_queries_the_queries_from_standard(inp, args):
    """--queries -: the queries from standard input (e2e_query_language.sh)."""
    import json, sys
    qs = [json.loads(l)["query"] for l in inp]
    assert qs == ["sambedömning", "sambedömning", "skolbibliotek"], qs


@check
def ql_json_snippets_short_from_the(inp, args):
    """JSON snippets: short, from the passage, highlights valid and on spellings of the query words (e2e_query_language.sh)."""
    import json, re, sys
    rs = [json.loads(l) for l in inp]
    forms = {v["form"] for w in rs[0]["explain"] for v in w["variants"]}
    res = rs[1:]
    assert len(res) >= 10, len(res)
    cut = 0
    for o in res:
        s = o["snippet"]
        assert isinstance(s, str) and s, o["doc"]
        core = s
        if core.startswith("…"):
            core = core[1:].lstrip()
        if core.endswith("…"):
            core = core[:-1].rstrip()
        assert len(core) <= 260, "%s %d: snippet of %d characters" % (o["doc"], o["passage"], len(core))
        text = " ".join(o["text"].split())
        # Words hyphenated across a line end are joined in the snippet.
        flat = lambda x: re.sub(r"-\s+", "", " ".join(x.split()))
        assert flat(core) in flat(text), "%s %d: snippet not in the passage: %r" % (o["doc"], o["passage"], core[:80])
        if len(text) > 300:
            assert "…" in s, "%s %d: long passage, snippet without …" % (o["doc"], o["passage"])
            cut += 1
        b = s.encode("utf-8")
        hl = o["snippet_highlights"]
        assert hl, "%s %d: no highlight in the snippet" % (o["doc"], o["passage"])
        for r in hl:
            a, e = r
            assert type(a) is int and type(e) is int and 0 <= a < e <= len(b), r
            try:
                span = b[a:e].decode("utf-8")
            except UnicodeDecodeError:
                raise AssertionError("%s %d: range %r cuts a UTF-8 character" % (o["doc"], o["passage"], r))
            w = re.sub(r"-\s+", "", span).lower()
            assert w in forms, "%s %d: highlighted %r is no spelling of the query words (%s)" % (o["doc"], o["passage"], span, sorted(forms))
    assert cut >= 3, "only %d long passages cut" % cut


@check
def ql_text_output_shows_the_snippet(inp, args):
    """text output shows the snippet under each result (e2e_query_language.sh)."""
    import json, re, sys
    js = [json.loads(l) for l in open(args[0], encoding="utf-8")]
    blocks = re.split(r"^\d+\. .*$", inp.read(), flags=re.M)[1:]
    assert len(blocks) == len(js), "%d text results, %d JSON" % (len(blocks), len(js))
    for b, o in zip(blocks, js):
        assert " ".join(b.split()) == " ".join(o["snippet"].split()), (b[:200], o["snippet"][:200])


@check
def ql_json_suggestion_object_no_doc(inp, args):
    """JSON suggestion object, no doc (e2e_query_language.sh)."""
    import json, sys
    rs = [json.loads(l) for l in inp]
    sug = [o for o in rs if "suggestion" in o]
    assert len(sug) == 1, rs
    assert sug[0]["suggestion"] == "kompensatoriska" and "doc" not in sug[0], sug[0]
    assert isinstance(sug[0].get("words"), list), sug[0]


@check
def ql_no_suggestion_for_a_word(inp, args):
    """no suggestion for a word spelt right (e2e_query_language.sh)."""
    import json, sys
    rs = [json.loads(l) for l in inp]
    assert rs and all("suggestion" not in o and "doc" in o for o in rs), [list(o) for o in rs][:3]


@check
def ql_corpus_the_adjacent_pair_ranks(inp, args):
    """corpus: the adjacent pair ranks above the distant pair (Östersund) (e2e_query_language.sh)."""
    import json, sys
    rs = [json.loads(l) for l in inp]
    doc = args[0]
    def rank(needle):
        hits = [o for o in rs if o["doc"] == doc and needle in " ".join(o["text"].split())]
        assert len(hits) == 1, "%r: %d passages" % (needle, len(hits))
        return hits[0]
    near = rank("de kompensatoriska atgérderna")
    far = rank("vidtagna étgédrderna ger huvudmannen")
    assert near["rank"] < far["rank"], "adjacent at rank %d (%.3f), far apart at rank %d (%.3f)" % (
        near["rank"], near["score"], far["rank"], far["score"])


@check
def ql_control_the_same_words_score(inp, args):
    """control: the same words score the same without proximity (e2e_query_language.sh)."""
    import json, sys
    rs = [json.loads(l) for l in inp]
    assert len(rs) == 2 and abs(rs[0]["score"] - rs[1]["score"]) < 1e-6, [(o["doc"], o["score"]) for o in rs]


@check
def ql_adjacent_words_rank_first(inp, args):
    """adjacent words rank first${opt:+ ($opt)} (e2e_query_language.sh)."""
    import json, sys
    rs = [json.loads(l) for l in inp]
    assert [o["doc"] for o in rs] == ["intill.txt", "isar.txt"], [(o["doc"], o["score"]) for o in rs]
    assert rs[0]["score"] > rs[1]["score"], [(o["doc"], o["score"]) for o in rs]


@check
def ql_per_document_passages_2_at(inp, args):
    """--per-document --passages 2: at most 2 per document, some with 2, best first (e2e_query_language.sh)."""
    import collections, json, sys
    rs = [json.loads(l) for l in inp]
    c = collections.Counter(o["doc"] for o in rs)
    assert c and max(c.values()) == 2, dict(c)
    keys = [(o["doc"], o["passage"]) for o in rs]
    assert len(keys) == len(set(keys)), "a passage twice"
    best = {}
    for o in rs:
        if o["doc"] in best:
            assert o["score"] <= best[o["doc"]], "second passage scores above the first: %s" % o["doc"]
        else:
            best[o["doc"]] = o["score"]
    assert len(c) == 5, sorted(c)


@check
def ql_stop_word_highlights(inp, args):
    """'$with' highlights what '$plain' highlights (e2e_query_language.sh)."""
    import json, sys
    def load(lines):
        return [json.loads(l) for l in lines]
    plain = load(open(args[0], encoding="utf-8"))
    withs = load(inp)
    assert len(plain) == len(withs), (len(plain), len(withs))
    bad = []
    for a, b in zip(plain, withs):
        ta, tb = a["text"].encode(), b["text"].encode()
        wa = [ta[s:e].decode() for s, e in a["highlights"]]
        wb = [tb[s:e].decode() for s, e in b["highlights"]]
        sa = [a["snippet"].encode()[s:e].decode() for s, e in a["snippet_highlights"]]
        sb = [b["snippet"].encode()[s:e].decode() for s, e in b["snippet_highlights"]]
        if wa != wb or sa != sb or a["snippet"] != b["snippet"]:
            bad.append((b["doc"], b["passage"], wb, wa))
    assert not bad, "%d of %d results differ; first: %s passage %d highlights %r instead of %r" % (
        len(bad), len(withs), bad[0][0], bad[0][1], bad[0][2][:12], bad[0][3][:12])


@check
def ql_one_document_filling_the_shortlist(inp, args):
    """one document filling the shortlist (DIARIUM_SHORTLIST=$sl): all three found, each a complete match (e2e_query_language.sh)."""
    import json, sys
    rs = [json.loads(l) for l in inp]
    docs = [o["doc"] for o in rs]
    assert docs[0] == "samma.txt" and sorted(docs[1:]) == ["andra.txt", "tredje.txt"], docs
    assert all(o["complete"] for o in rs), [(o["doc"], o["complete"]) for o in rs]


@check
def ql_the_control_samma_txt_holds(inp, args):
    """the control: samma.txt holds the 20 best passages (e2e_query_language.sh)."""
    import json, sys
    rs = [json.loads(l) for l in inp]
    assert [o["doc"] for o in rs[:20]] == ["samma.txt"] * 20, [o["doc"] for o in rs[:22]]
    assert len(rs) == 22, len(rs)


# ------------------------------------------------- e2e_nightly.sh

@check
def ni_summary(inp, args):
    """summary: $* (e2e_nightly.sh)."""
    import json, sys
    d = json.loads(inp.read())
    want = dict(a.split("=") for a in args[0:])
    bad = {k: (d.get(k), int(v)) for k, v in want.items() if d.get(k) != int(v)}
    assert not bad, "got/want: %r" % bad


@check
def ni_dry_run_json_lists_the(inp, args):
    """dry run JSON lists the changes (e2e_nightly.sh)."""
    import json, sys
    d = json.loads(inp.read())
    assert d["dry_run"] is True
    got = sorted((c["action"], c["doc"], c.get("from")) for c in d["changes"])
    want = sorted([("add", "ny.txt", None), ("update", args[0], None),
                   ("rename", "arkiv/2019/habo.txt", args[1]),
                   ("remove", args[2], None)])
    assert got == want, got


@check
def ni_failures_are_listed_in_the(inp, args):
    """failures are listed in the JSON with their reasons (e2e_nightly.sh)."""
    import json, sys
    d = json.loads(inp.read())
    paths = sorted(f["path"].rsplit("/", 1)[-1] for f in d["failures"])
    assert paths == sorted([args[0], "trasig.txt.gz"]), d["failures"]
    assert all(f["reason"] for f in d["failures"])


@check
def ni_check_json_sound_with_counts(inp, args):
    """--check --json: sound, with counts (e2e_nightly.sh)."""
    import json, sys
    d = json.loads(inp.read())
    assert d["sound"] is True and d["problems"] == [], d
    assert d["documents"] == 15 and d["passages"] > 15, d


# ------------------------------------------------- e2e_parallel.sh

@check
def par_the_parallel_build_adds_what(inp, args):
    """the parallel build adds what the one-thread build adds (e2e_parallel.sh)."""
    import json, sys
    one, par = json.loads(args[0]), json.loads(args[1])
    for k in ("added", "failed", "passages", "updated", "removed"):
        assert one[k] == par[k], (k, one[k], par[k])
    assert par["added"] == 400 and par["failed"] == 2, par
    assert one["threads"] == 1, one


@check
def par_pinned_to_one_processor_the(inp, args):
    """pinned to one processor, the build runs in one thread (e2e_parallel.sh)."""
    import json, sys
    o = json.load(inp)
    assert o["threads"] == 1 and o["added"] == 400, o


@check
def par_a_re_run_finds_everything(inp, args):
    """a re-run finds everything unchanged (e2e_parallel.sh)."""
    import json, sys
    d = json.load(inp)
    assert d["unchanged"] == 400 and d["added"] == d["updated"] == 0, d


@check
def par_one_updated_one_removed(inp, args):
    """$db: one updated, one removed (e2e_parallel.sh)."""
    import json, sys
    d = json.load(inp)
    assert d["updated"] == 1 and d["removed"] == 1 and d["added"] == 0, d


@check
def par_new_files_are_added_to(inp, args):
    """new files are added to the existing database (e2e_parallel.sh)."""
    import json, sys
    d = json.load(inp)
    assert d["added"] == 3 and d["unchanged"] == 399, d


# ------------------------------------------------- e2e_nightly_crash.sh

@check
def nc_then_nothing_is_left_to(inp, args):
    """then nothing is left to do (e2e_nightly_crash.sh)."""
    import json, sys
    d = json.load(inp)
    assert d["added"] == d["updated"] == d["renamed"] == d["removed"] == 0, d


# ------------------------------------------------- e2e_nightly_diskfull.sh

@check
def nd_the_next_run_adds_exactly(inp, args):
    """the next run adds exactly what was missing (e2e_nightly_diskfull.sh)."""
    import json, sys
    d = json.load(inp)
    assert d["added"] == int(args[1]) - int(args[0]) and d["unchanged"] == int(args[0]), d


# ------------------------------------------------- e2e_query_hostile.sh

@check
def qh_csv_four_rows_of_eight(inp, args):
    """CSV: four rows of eight fields, ids as escaped (e2e_query_hostile.sh)."""
    import csv, sys
    rows = list(csv.reader(inp))
    assert len(rows) == 4, rows
    assert all(len(r) == 8 for r in rows), rows
    ids = sorted(r[1] for r in rows[1:])
    assert ids == ["a\\x1B[31mred\\x1B[0m.txt", "b\\xFF\\xFE.txt",
                   "c\\xC2\\x9Bx\nline.txt"], ids


@check
def qh_json_every_line_valid_ids(inp, args):
    """JSON: every line valid, ids exact but for U+FFFD (e2e_query_hostile.sh)."""
    import json, sys
    ids = sorted(json.loads(l)["doc"] for l in inp.buffer.read().decode("utf-8").splitlines())
    assert ids == ["a\x1b[31mred\x1b[0m.txt", "b\ufffd\ufffd.txt",
                   "c\x9bx\nline.txt"], ids


# ------------------------------------------------- e2e_query_limits.sh

@check
def qlim_explain_a_repeated_word_once(inp, args):
    """--explain: a repeated word once (e2e_query_limits.sh)."""
    import json, sys
    ex = [json.loads(l) for l in inp]
    ex = [o["explain"] for o in ex if "explain" in o]
    assert len(ex) == 1, ex
    words = [w["word"] for w in ex[0]]
    assert words == ["åtgärder", "betyg"], words


# ---------------------------------------------------------- topic reports
#
# HTML parsed into a tree whose every element is closed in order; the
# reports compared with a reference run (--per-document --facets, JSON).

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


@check
def report_html(inp, args):
    """The html report check (e2e_report.sh): args REPORT [REFERENCE]."""
    path = args[0]
    # check.py html REPORT REFERENCE.jsonl: structure and numbers.
    root, raw = parse_html(path)
    hits, facets, docs = reference(args[1])
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


@check
def report_inject(inp, args):
    """The inject report check (e2e_report.sh): args REPORT [REFERENCE]."""
    path = args[0]
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


@check
def report_md(inp, args):
    """The md report check (e2e_report.sh): args REPORT [REFERENCE]."""
    path = args[0]
    # check.py md REPORT REFERENCE.jsonl: totals and ids.
    md = open(path, encoding="utf-8").read()
    hits, facets, docs = reference(args[1])
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


@check
def report_md_inject(inp, args):
    """The md-inject report check (e2e_report.sh): args REPORT [REFERENCE]."""
    path = args[0]
    md = open(path, encoding="utf-8").read()
    assert "<script" not in md and "<img" not in md, "raw HTML in Markdown"
    assert "&lt;script&gt;" in md
    assert "\\*\\*fet\\*\\*" in md and "\\[länk\\]" in md, "Markdown syntax"
    print("ok")


@check
def report_csv(inp, args):
    """The csv report check (e2e_report.sh): args REPORT [REFERENCE]."""
    path = args[0]
    # check.py csv REPORT REFERENCE.jsonl: the spreadsheet file.
    data = open(path, "rb").read()
    assert data.startswith(b"\xef\xbb\xbf"), "no BOM"
    assert b"\n" not in data.replace(b"\r\n", b""), "a line end that is not CRLF"
    hits, facets, docs = reference(args[1])
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


@check
def report_seeds(inp, args):
    """The seeds report check (e2e_report.sh): args REPORT [REFERENCE]."""
    path = args[0]
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


@check
def report_empty(inp, args):
    """The empty report check (e2e_report.sh): args REPORT [REFERENCE]."""
    path = args[0]
    root, raw = parse_html(path)
    assert total(root, "documents") == "0"
    assert not list(root.find("svg"))
    print("ok")


def main(argv):
    if len(argv) < 2:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    if argv[1] == "docs":
        return docs(argv[2:])
    if argv[1] == "flip" and len(argv) == 4:
        flip(argv[2], int(argv[3]))
        return 0
    if argv[1] == "damage" and len(argv) >= 4:
        return damage(argv[2:])
    if argv[1] == "check" and len(argv) >= 3 and argv[2] in CHECKS:
        try:
            CHECKS[argv[2]](sys.stdin, argv[3:])
        except AssertionError as e:
            print(e if str(e) else "the check does not hold", file=sys.stderr)
            return 1
        return 0
    print("e2e_lib.py: no such command or check: %s" % " ".join(argv[1:3]),
          file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
