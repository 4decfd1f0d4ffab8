#!/usr/bin/env python3
"""ocr_eval.py - word accuracy of OCR text against the text that was scanned
(bench/ocr.sh, issue 31).

Usage: ocr_eval.py PAGES_DIR SUFFIX
       ocr_eval.py --hocr HOCR JSON
  The second form compares the words of an hOCR file (Tesseract's own
  output elsewhere: not ground truth) with those of diarium-extract --json
  output for the same scan: words in each, words in common (in order).
  The first: for each reference pK.txt in PAGES_DIR, reads the hypothesis pK.SUFFIX
  (plain text, or diarium-extract --json output when SUFFIX ends in
  .json: the text of its pages) and prints one line:
    words <reference words> right <words right> accuracy <right/words>
    swedish <reference words with å, ä, ö> swedish_right <of those right>
  over all pages together.

Words are runs of letters and digits, and §, compared exactly (case and
diacritics count). "Right" is the length of the longest common
subsequence of the reference's and the hypothesis's words: a word read
wrong, left out or split costs one; words the OCR adds cost nothing.
"""
import json
import os
import re
import sys

WORD = re.compile(r"[^\W_]+|§")


def words(text):
    return WORD.findall(text)


def lcs_pairs(a, b):
    """Indices of a that are matched in a longest common subsequence."""
    n, m = len(a), len(b)
    t = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        ti, t1 = t[i], t[i + 1]
        ai = a[i]
        for j in range(m - 1, -1, -1):
            ti[j] = t1[j + 1] + 1 if ai == b[j] else max(t1[j], ti[j + 1])
    i = j = 0
    hit = set()
    while i < n and j < m:
        if a[i] == b[j]:
            hit.add(i)
            i += 1
            j += 1
        elif t[i + 1][j] >= t[i][j + 1]:
            i += 1
        else:
            j += 1
    return hit


def hypothesis(path):
    with open(path, encoding="utf-8", errors="replace") as fh:
        data = fh.read()
    if path.endswith(".json"):
        text = []
        for line in data.splitlines():
            if line.strip():
                text.extend(p["text"] for p in json.loads(line)["pages"])
        return "\n".join(text)
    return data


def hocr_words(path):
    import html
    with open(path, encoding="utf-8") as fh:
        data = fh.read()
    spans = re.findall(r"<span class='ocrx_word'[^>]*>(.*?)</span>", data,
                       re.S)
    return words(" ".join(html.unescape(re.sub(r"<[^>]+>", "", x))
                          for x in spans))


def main():
    if sys.argv[1] == "--hocr":
        a = hocr_words(sys.argv[2])
        b = words(hypothesis(sys.argv[3]))
        common = len(lcs_pairs(a, b))
        print("hocr_words %d diarium_words %d common %d" % (len(a), len(b),
                                                            common))
        return
    d, suffix = sys.argv[1], sys.argv[2]
    total = right = sw = sw_right = 0
    for name in sorted(os.listdir(d)):
        if not re.fullmatch(r"p\d+\.txt", name):
            continue
        with open(os.path.join(d, name), encoding="utf-8") as fh:
            ref = words(fh.read())
        hyp = words(hypothesis(os.path.join(d, name[:-4] + "." + suffix)))
        hit = lcs_pairs(ref, hyp)
        total += len(ref)
        right += len(hit)
        for i, w in enumerate(ref):
            if re.search("[åäöÅÄÖ]", w):
                sw += 1
                sw_right += i in hit
    print("words %d right %d accuracy %.4f swedish %d swedish_right %d"
          % (total, right, right / total if total else 0, sw, sw_right))


if __name__ == "__main__":
    main()
