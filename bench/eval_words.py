#!/usr/bin/env python3
"""Word-level OCR robustness on ../shared/eval-dev (a benchmark, not a test).

eval-dev.sh scores 40 queries. This asks the same question of many more
words: for each sampled word of the clean texts, typed as a user types it,
which documents does `diarium-query --per-document` find in the observed
(damaged) texts, against the documents whose clean text holds a token with
the same Snowball stem (the set's own rule of relevance)?

Reported per flavour of document (ocr, stripped, clean):
  recall     found relevant (word, document) pairs / all relevant pairs
  precision  found relevant pairs / all found pairs (over-expansion shows
             up here)
and, with --misses N, the first N missed (word, document) pairs of the ocr
flavour with what the observed text holds where the clean text has the
word (aligned with difflib), to see which damage is not yet found.

Usage: eval_words.py EVALSET DB QUERY_BIN [--words N] [--misses N]
                     [--exact] [--seed S] [--only-ocr LIST]
Words: letters only, at least 4 of them, in 2 to 60 of the 160 clean
texts and in at least one ocr document; N of them (default 400) picked
deterministically (by the md5 of seed + word), not by how well they do.
--only-ocr LIST: of the ocr documents only those named in LIST (one id a
line) count, as relevant and as found (for cross-validation: the half of
the documents a model did not learn from); words are still picked from all.
The stemmer is libstemmer's "swedish" through ctypes (the library diarium
links), so nothing beyond python3 is needed.
"""
import argparse
import ctypes
import ctypes.util
import difflib
import hashlib
import json
import os
import re
import subprocess
import sys

TOKEN = re.compile(r"[^\W_]+")
LETTERS = re.compile(r"[^\W\d_]+$")


class Stemmer:
    def __init__(self):
        name = ctypes.util.find_library("stemmer") or "libstemmer.so.0d"
        try:
            lib = ctypes.CDLL(name)
        except OSError as e:
            raise SystemExit("eval_words: cannot load libstemmer (%s); "
                             "scripts/setup.sh installs it" % e)
        lib.sb_stemmer_new.restype = ctypes.c_void_p
        lib.sb_stemmer_new.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
        lib.sb_stemmer_stem.restype = ctypes.c_void_p
        lib.sb_stemmer_stem.argtypes = [ctypes.c_void_p, ctypes.c_char_p,
                                        ctypes.c_int]
        lib.sb_stemmer_length.restype = ctypes.c_int
        lib.sb_stemmer_length.argtypes = [ctypes.c_void_p]
        self.lib = lib
        self.st = lib.sb_stemmer_new(b"swedish", b"UTF_8")
        if not self.st:
            raise SystemExit("eval_words: libstemmer has no swedish stemmer")
        self.cache = {}

    def __call__(self, word):
        s = self.cache.get(word)
        if s is None:
            b = word.encode("utf-8")
            p = self.lib.sb_stemmer_stem(self.st, b, len(b))
            if not p:
                raise SystemExit("eval_words: out of memory in libstemmer")
            n = self.lib.sb_stemmer_length(self.st)
            s = ctypes.string_at(p, n).decode("utf-8")
            self.cache[word] = s
        return s


def tokens(text):
    return TOKEN.findall(text.lower())


def load(evalset):
    flavour = {}
    with open(os.path.join(evalset, "docs.tsv"), encoding="utf-8") as f:
        next(f)
        for line in f:
            c = line.rstrip("\n").split("\t")
            if len(c) > 3 and c[3] == "dev":
                flavour[c[0]] = c[2]
    clean, observed = {}, {}
    for d in sorted(flavour):
        for tgt, sub in ((clean, "clean"), (observed, "observed")):
            p = os.path.join(evalset, "dev", sub, d + ".txt")
            with open(p, encoding="utf-8", errors="replace") as f:
                tgt[d] = f.read()
    return flavour, clean, observed


def pick_words(flavour, clean_toks, stem, n, seed):
    df = {}
    for d, toks in clean_toks.items():
        for s in {stem(t) for t in toks}:
            df[s] = df.get(s, 0) + 1
    cand = {}
    for d, toks in clean_toks.items():
        if flavour[d] != "ocr":
            continue
        for t in toks:
            if len(t) >= 4 and LETTERS.match(t) and 2 <= df[stem(t)] <= 60:
                cand.setdefault(stem(t), set()).add(t)
    words = []
    for s in sorted(cand):  # one word per stem: its smallest spelling
        words.append(min(cand[s]))
    key = lambda w: hashlib.md5((seed + w).encode("utf-8")).hexdigest()
    return sorted(sorted(words, key=key)[:n])


def run_queries(qbin, db, words, exact):
    args = [qbin, "--db", db, "--per-document", "--limit", "1000",
            "--format", "json", "--queries", "-"]
    if exact:
        args.append("--exact")
    out = subprocess.run(args, input="\n".join(words) + "\n", text=True,
                         capture_output=True)
    if out.returncode != 0:
        sys.exit("eval_words: diarium-query failed: " + out.stderr.strip())
    found = {w: set() for w in words}
    for line in out.stdout.splitlines():
        o = json.loads(line)
        if "doc" not in o or o.get("query") not in found:
            continue
        doc = o["doc"].rsplit("/", 1)[-1].split(".")[0]
        found[o["query"]].add(doc)
    return found


def damaged_form(word_stem, ctoks, otoks, stem):
    """What the observed text holds where the clean text first has a token
    of this stem (the aligned observed tokens, or '?')."""
    sm = difflib.SequenceMatcher(None, ctoks, otoks, autojunk=False)
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        for i in range(i1, i2):
            if stem(ctoks[i]) != word_stem:
                continue
            if tag == "equal":
                return ctoks[i], otoks[j1 + (i - i1)]
            return ctoks[i], " ".join(otoks[j1:j2]) or "(nothing)"
    return "?", "?"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("evalset")
    ap.add_argument("db")
    ap.add_argument("qbin")
    ap.add_argument("--words", type=int, default=400)
    ap.add_argument("--misses", type=int, default=0)
    ap.add_argument("--exact", action="store_true")
    ap.add_argument("--seed", default="diarium")
    ap.add_argument("--only-ocr")
    a = ap.parse_args()

    stem = Stemmer()
    flavour, clean, observed = load(a.evalset)
    ctoks = {d: tokens(t) for d, t in clean.items()}
    cstems = {d: {stem(t) for t in toks} for d, toks in ctoks.items()}
    words = pick_words(flavour, ctoks, stem, a.words, a.seed)
    found = run_queries(a.qbin, a.db, words, a.exact)
    if a.only_ocr:
        with open(a.only_ocr, encoding="utf-8") as f:
            keep = set(f.read().split())
        for d in [d for d, f in flavour.items()
                  if f == "ocr" and d not in keep]:
            flavour[d] = "other"
        clean = {d: t for d, t in clean.items() if flavour[d] != "other"}
        for w in found:
            found[w] = {d for d in found[w] if flavour.get(d) != "other"}

    rel_n, hit_n, ret_n = {}, {}, {}
    misses = []
    for w in words:
        s = stem(w)
        rel = {d for d in clean if s in cstems[d]}
        for d in rel:
            f = flavour[d]
            rel_n[f] = rel_n.get(f, 0) + 1
            if d in found[w]:
                hit_n[f] = hit_n.get(f, 0) + 1
            elif f == "ocr":
                misses.append((w, d))
        for d in found[w]:
            f = flavour.get(d, "?")
            ret_n[f] = ret_n.get(f, 0) + 1
    tag = "exact" if a.exact else "diarium"
    tot_rel = sum(rel_n.values())
    tot_hit = sum(hit_n.values())
    tot_ret = sum(ret_n.values())
    print("%-8s %3d words  recall %.4f (%d/%d)  precision %.4f" %
          (tag, len(words), tot_hit / max(tot_rel, 1), tot_hit, tot_rel,
           tot_hit / max(tot_ret, 1)))
    for f in ("ocr", "stripped", "clean"):
        r, h, t = rel_n.get(f, 0), hit_n.get(f, 0), ret_n.get(f, 0)
        print("  %-9s recall %.4f (%d/%d)  precision %.4f (%d found)" %
              (f, h / max(r, 1), h, r, h / max(t, 1), t))
    if a.misses:
        otoks = {}
        print("missed (ocr): word, document: clean token -> observed")
        for w, d in misses[:a.misses]:
            if d not in otoks:
                otoks[d] = tokens(observed[d])
            c, o = damaged_form(stem(w), ctoks[d], otoks[d], stem)
            print("  %-22s %s: %s -> %s" % (w, d, c, o))


if __name__ == "__main__":
    main()
