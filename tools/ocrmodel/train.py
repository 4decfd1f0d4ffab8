#!/usr/bin/env python3
"""train.py - learns the OCR damage model of query/ (issue 37).

Usage: train.py [--pairs DIR]... [--evaldev DIR --docs LIST] [--out FILE]
                [--min-count N]

Reads pairs of texts, each a clean text and what a reader (OCR) made of it:
  --pairs DIR           DIR/clean/X.txt and DIR/observed/X.txt for every X
                        (make_pairs.py writes such a directory)
  --evaldev DIR --docs LIST
                        the documents named in LIST (one id a line) of an
                        eval-dev style set (DIR/dev/clean, DIR/dev/observed)
and writes FILE (default stdout): a C source with the model's table,
compiled into diarium (stemmer/sv_ocrmodel_tab.c; see sv_ocrmodel.h).

What it learns: a noisy channel of string edits in the manner of Brill and
Moore (2000). The texts are tokenised as diarium does (lower case, runs of
letters and digits, '&' and '|' counting as letters), the token sequences
of a document aligned (difflib: equal runs, and replaced runs of as many
tokens on both sides paired one to one), and each pair of words aligned
letter by letter by a weighted edit distance whose costs are themselves
re-estimated from the alignments (three rounds of hard EM, starting from
unit costs). Every window of one to three alignment columns around a
damaged column, with one or two clean letters and up to three read ones,
is an edit alpha -> beta (ä -> a, ä -> ai, rn -> m, li -> u, l -> i, ö -> "",
...). Its probability is count(alpha -> beta) / count(alpha in clean
words), its cost -ln of that. Edits seen fewer than --min-count times
(default 3) are left out; what is left out is charged by the backoff costs
(any other substitution, insertion or deletion of one letter), estimated
from the edits seen once (Good-Turing: the mass of the unseen is about that
of the singletons).

The table is statistics derived from the texts (counts of letter edits),
never the texts themselves.
"""
import argparse
import difflib
import math
import os
import re
import sys
from collections import Counter

TOKEN = re.compile(r"(?:[^\W_]|[&|])+")
MAX_ALPHA = 2
MAX_BETA = 3


def tokens(text):
    out = []
    for t in TOKEN.findall(text.lower()):
        t = t.strip("&|")
        if len(t) >= 2 and any(c.isalpha() for c in t):
            out.append(t)
    return out


def read(p):
    with open(p, encoding="utf-8", errors="replace") as f:
        return f.read()


def doc_pairs(clean, observed):
    """(clean word, read word) pairs of one document."""
    c, o = tokens(clean), tokens(observed)
    sm = difflib.SequenceMatcher(None, c, o, autojunk=False)
    out = []
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal":
            out.extend((c[i], c[i]) for i in range(i1, i2))
        elif tag == "replace" and i2 - i1 == j2 - j1:
            for k in range(i2 - i1):
                a, b = c[i1 + k], o[j1 + k]
                # Two words that share little are a misalignment.
                r = difflib.SequenceMatcher(None, a, b).ratio()
                if r >= 0.5 and a.isalpha() == any(x.isalpha() for x in b):
                    out.append((a, b))
    return out


def align(a, b, cost):
    """Columns (x, y) of the cheapest alignment of a with b: x, y letters
    or '' (an insertion or deletion)."""
    n, m = len(a), len(b)
    inf = float("inf")
    d = [[inf] * (m + 1) for _ in range(n + 1)]
    bt = [[None] * (m + 1) for _ in range(n + 1)]
    d[0][0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            if i == 0 and j == 0:
                continue
            best, how = inf, None
            if i and j:
                c = d[i - 1][j - 1] + (0 if a[i - 1] == b[j - 1]
                                       else cost(a[i - 1], b[j - 1]))
                if c < best:
                    best, how = c, (1, 1)
            if i:
                c = d[i - 1][j] + cost(a[i - 1], "")
                if c < best:
                    best, how = c, (1, 0)
            if j:
                c = d[i][j - 1] + cost("", b[j - 1])
                if c < best:
                    best, how = c, (0, 1)
            d[i][j], bt[i][j] = best, how
    cols = []
    i, j = n, m
    while i or j:
        di, dj = bt[i][j]
        cols.append((a[i - 1] if di else "", b[j - 1] if dj else ""))
        i, j = i - di, j - dj
    cols.reverse()
    return cols


def unit_cost(x, y):
    return 1.0


def learn_letter_costs(pairs, cost):
    """Re-estimates one-letter costs from the alignments under cost."""
    ops, seen = Counter(), Counter()
    for (a, b), w in pairs.items():
        for x, y in align(a, b, cost):
            ops[(x, y)] += w
            seen[x] += w
    total = sum(seen.values())

    def c(x, y):
        n = ops.get((x, y), 0)
        base = seen.get(x, 0) if x else total
        return -math.log((n + 0.1) / (base + 1.0))
    return c


def windows(cols):
    """The edits alpha -> beta of one alignment: windows of 1..3 columns
    around each damaged column."""
    out = set()
    bad = [k for k, (x, y) in enumerate(cols) if x != y]
    for k in bad:
        for s in range(max(0, k - 2), k + 1):
            for e in range(k + 1, min(len(cols), s + 3) + 1):
                al = "".join(x for x, _ in cols[s:e])
                be = "".join(y for _, y in cols[s:e])
                if 1 <= len(al) <= MAX_ALPHA and len(be) <= MAX_BETA and \
                        al != be:
                    out.add((s, e, al, be))
    return [(al, be) for _, _, al, be in out]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pairs", action="append", default=[])
    ap.add_argument("--evaldev")
    ap.add_argument("--docs")
    ap.add_argument("--out")
    ap.add_argument("--min-count", type=int, default=3)
    a = ap.parse_args()

    texts = []
    for d in a.pairs:
        for name in sorted(os.listdir(os.path.join(d, "observed"))):
            texts.append((read(os.path.join(d, "clean", name)),
                          read(os.path.join(d, "observed", name))))
    if a.evaldev:
        if not a.docs:
            sys.exit("train.py: --evaldev needs --docs")
        for doc in read(a.docs).split():
            texts.append((read(os.path.join(a.evaldev, "dev", "clean",
                                            doc + ".txt")),
                          read(os.path.join(a.evaldev, "dev", "observed",
                                            doc + ".txt"))))
    if not texts:
        sys.exit("train.py: no texts (give --pairs or --evaldev)")

    pairs = Counter()
    for c, o in texts:
        for p in doc_pairs(c, o):
            pairs[p] += 1

    cost = unit_cost
    for _ in range(3):
        cost = learn_letter_costs(pairs, cost)

    edits, alpha = Counter(), Counter()
    single = Counter()  # one-letter edits: for the backoff costs
    for (a_, b_), w in pairs.items():
        for i in range(len(a_)):
            for n in range(1, MAX_ALPHA + 1):
                if i + n <= len(a_):
                    alpha[a_[i:i + n]] += w
        if a_ == b_:
            continue
        cols = align(a_, b_, cost)
        for e in windows(cols):
            edits[e] += w
        for x, y in cols:
            if x != y:
                single[(x, y)] += w

    letters = sum(v for k, v in alpha.items() if len(k) == 1)

    def backoff(kind):
        ones = sum(1 for (x, y), v in single.items()
                   if v == 1 and kind(x, y))
        return -math.log(max(ones, 1) / letters)
    b_sub = backoff(lambda x, y: x and y)
    b_del = backoff(lambda x, y: x and not y)
    b_ins = backoff(lambda x, y: y and not x)

    rules = []
    for (al, be), n in edits.items():
        if n < a.min_count:
            continue
        p = n / alpha[al]
        if p >= 1:
            p = 0.999
        rules.append((al, be, -math.log(p), n))
    def key(al):
        return ord(al[0]) * 0x110000 + (ord(al[1]) if len(al) > 1 else 0)
    rules.sort(key=lambda r: (key(r[0]), r[2], r[1]))

    out = open(a.out, "w", encoding="utf-8") if a.out else sys.stdout
    damaged = sum(v for (x, y), v in pairs.items() if x != y)
    print("/*\n * sv_ocrmodel_tab.c - the OCR damage model's table, generated"
          " by\n * tools/ocrmodel/train.py (do not edit; see sv_ocrmodel.h)."
          "\n *\n * Learned from %d word pairs (%d damaged) of %d texts: "
          "%d edits seen\n * at least %d times. Costs are -ln P(read | "
          "clean).\n */" % (sum(pairs.values()), damaged, len(texts),
                            len(rules), a.min_count), file=out)
    print('#include "sv_ocrmodel.h"\n', file=out)
    print("const double sv_ocrmodel_backoff_sub = %.3f;" % b_sub, file=out)
    print("const double sv_ocrmodel_backoff_del = %.3f;" % b_del, file=out)
    print("const double sv_ocrmodel_backoff_ins = %.3f;\n" % b_ins, file=out)
    print("/* key (clean letters), read letters, their number, the number of"
          "\n * clean letters and read letters, cost; in a comment the edit"
          " and how\n * often it was seen */", file=out)
    print("const sv_ocrmodel_rule sv_ocrmodel_rules[] = {", file=out)
    for al, be, c, n in rules:
        rd = [ord(x) for x in be] + [0] * (3 - len(be))
        shown = (al + " -> " + (be or '""')).replace("*/", "* /")
        shown = shown.replace("/*", "/ *")
        print("    {%dull, {%d, %d, %d}, %d, %d, %.3ff}, /* %s (%d) */" %
              (key(al), rd[0], rd[1], rd[2], len(al), len(be), c,
               shown, n), file=out)
    print("};\n", file=out)
    print("const size_t sv_ocrmodel_nrules = sizeof sv_ocrmodel_rules /"
          " sizeof *sv_ocrmodel_rules;", file=out)
    if out is not sys.stdout:
        out.close()
    print("train.py: %d texts, %d word pairs (%d damaged), %d rules; "
          "backoff sub %.2f del %.2f ins %.2f" %
          (len(texts), sum(pairs.values()), damaged, len(rules), b_sub,
           b_del, b_ins), file=sys.stderr)


if __name__ == "__main__":
    main()
