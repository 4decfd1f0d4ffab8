#!/usr/bin/env python3
"""A query set for bench/speed.sh made from the corpus itself (issue 32).

  speed_queries.py CORPUS [--seed N] [--words N] [--pairs N] [--phrases N]

CORPUS is a .tar.gz (../shared/corpus/g0vse-md.tar.gz) or a folder of .md,
.txt (and .gz) files. Prints the queries, one a line, with '#' comment lines
saying how they were made; bench/queries-g0vse.txt is this program's output
for g0vse with the defaults.

Made independently of diarium's code: the text of each file is lower-cased
and cut into words with one regular expression (runs of letters, Python's
Unicode \\w without digits and '_'); a word's document frequency (df) is the
number of files it occurs in. With N files:

  word    a mid-frequency word: letters only, at least 4 of them, in 0.1 %
          to 2 % of the files (g0vse: 44 to 881 of 44,060); drawn uniformly
          from all such words
  pair    two distinct mid-frequency words that occur together in one
          file: a file drawn at random (one with at least two such words),
          then two of its mid-frequency words; most such pairs are spread
          over the file's paragraphs rather than in one of them
  phrase  two or three consecutive words of one paragraph of a file drawn
          at random ("a b" or "a b c" in quotes), each at least 2 letters,
          the first and the last not among the 100 words with the highest
          df, occurring as a phrase (the same words in that order, within
          one paragraph) in at least 5 files

Drawn with Python's random.Random(seed) in a fixed order over files and
words sorted by name, so the same corpus and seed give the same set, byte
for byte. A query drawn twice is kept once (and another drawn).
"""
import argparse
import gzip
import os
import random
import re
import sys
import tarfile

TEXT_EXT = (".md", ".txt", ".md.gz", ".txt.gz")
WORD = re.compile(r"[^\W\d_]+")
PARA = re.compile(r"\n[ \t\f\v\r]*\n")
MID_LO, MID_HI = 0.001, 0.02
PHRASE_MIN_DF = 5
TOP_EXCLUDED = 100


def decode(data):
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def files(src):
    """(relative name, text), sorted by name."""
    docs = []
    if os.path.isdir(src):
        for dp, dn, fn in os.walk(src):
            dn[:] = [d for d in dn if not d.startswith(".")]
            for f in fn:
                if f.endswith(TEXT_EXT) and not f.startswith("."):
                    p = os.path.join(dp, f)
                    with open(p, "rb") as fh:
                        data = fh.read()
                    if p.endswith(".gz"):
                        data = gzip.decompress(data)
                    docs.append((os.path.relpath(p, src), decode(data)))
    else:
        with tarfile.open(src, "r:gz") as tar:
            for m in tar:
                if m.isfile() and m.name.endswith(TEXT_EXT):
                    data = tar.extractfile(m).read()
                    if m.name.endswith(".gz"):
                        data = gzip.decompress(data)
                    docs.append((m.name, decode(data)))
    docs.sort()
    return docs


def main(argv):
    ap = argparse.ArgumentParser(description="query set for bench/speed.sh")
    ap.add_argument("corpus")
    ap.add_argument("--seed", type=int, default=32)
    ap.add_argument("--words", type=int, default=100)
    ap.add_argument("--pairs", type=int, default=100)
    ap.add_argument("--phrases", type=int, default=25)
    a = ap.parse_args(argv[1:])

    docs = files(a.corpus)
    paras = []  # per file: list of paragraphs, each a list of words
    df = {}
    for _, text in docs:
        ps = [WORD.findall(p) for p in PARA.split(text.lower())]
        ps = [p for p in ps if p]
        paras.append(ps)
        for w in {w for p in ps for w in p}:
            df[w] = df.get(w, 0) + 1
    n = len(docs)
    lo, hi = max(2, round(MID_LO * n)), max(2, round(MID_HI * n))
    mid = sorted(w for w, c in df.items()
                 if lo <= c <= hi and len(w) >= 4)
    midset = set(mid)
    top = set(sorted(df, key=lambda w: (-df[w], w))[:TOP_EXCLUDED])
    rnd = random.Random(a.seed)
    seen = set()
    out = []

    def keep(q, kind):
        if q in seen:
            return False
        seen.add(q)
        out.append((kind, q))
        return True

    if not mid:
        sys.stderr.write("speed_queries.py: no mid-frequency words\n")
        return 3
    words = 0
    for _ in range(a.words * 100):
        if words == a.words:
            break
        words += keep(rnd.choice(mid), "word")

    pairs = 0
    for _ in range(a.pairs * 100):
        if pairs == a.pairs:
            break
        ps = paras[rnd.randrange(n)]
        cand = sorted({w for p in ps for w in p} & midset)
        if len(cand) < 2:
            continue
        x, y = rnd.sample(cand, 2)
        pairs += keep("%s %s" % (x, y), "pair")

    # Phrases: candidates first, then their document frequency in one pass.
    cands = []
    for _ in range(a.phrases * 40):
        ps = paras[rnd.randrange(n)]
        if not ps:
            continue
        p = ps[rnd.randrange(len(ps))]
        k = rnd.choice((2, 3))
        if len(p) < k:
            continue
        i = rnd.randrange(len(p) - k + 1)
        ws = tuple(p[i:i + k])
        if any(len(w) < 2 for w in ws) or ws[0] in top or ws[-1] in top:
            continue
        if ws not in cands:
            cands.append(ws)
    pdf = dict.fromkeys(cands, 0)
    bylen = {2: {c for c in cands if len(c) == 2},
             3: {c for c in cands if len(c) == 3}}
    for ps in paras:
        found = set()
        for p in ps:
            for k, cs in bylen.items():
                if not cs:
                    continue
                for i in range(len(p) - k + 1):
                    t = tuple(p[i:i + k])
                    if t in cs:
                        found.add(t)
        for t in found:
            pdf[t] += 1
    phrases = 0
    for ws in cands:
        if phrases == a.phrases:
            break
        if pdf[ws] >= PHRASE_MIN_DF:
            phrases += keep('"%s"' % " ".join(ws), "phrase")

    name = os.path.basename(a.corpus.rstrip("/"))
    print("# Generated by bench/speed_queries.py from %s (%d files), seed %d:"
          % (name, n, a.seed))
    print("# %d mid-frequency words (df %d..%d), %d pairs that occur together "
          "in a file, %d phrases" % (words, lo, hi, pairs, phrases))
    print("# (df >= %d). Do not edit: regenerate." % PHRASE_MIN_DF)
    for kind in ("word", "pair", "phrase"):
        print("# %s" % kind)
        for k, q in out:
            if k == kind:
                print(q)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
