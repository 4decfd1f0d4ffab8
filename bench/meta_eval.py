#!/usr/bin/env python3
"""Metadata quality (not a test): right / wrong / absent per field.

Indexes each folder of ../shared/realdocs-dev that carries a truth.tsv
(okn/: decisions of Skolväsendets överklagandenämnd; muni/: a municipal
protocol) with diarium-index, reads every document's metadata back with
diarium-query (the "meta" object of its first passage) and compares it
with the truth file, which is what the publishing authority says about the
document, not what its text can be made to say.

Per field and document the extracted value is
  right   equal to the truth (after the normalisation below),
  wrong   present but different -- a wrong value is worse than none,
  absent  not extracted,
  unjudged  the truth is empty and nothing was extracted, or the truth
          is empty and the value is shown for reading (e.g. an outcome the
          text states but the publisher left out).
Rates are over all documents of the folder.

Usage: bench/meta_eval.py [--bin DIR] [--shared DIR] [--verbose]
"""
import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import unicodedata

# Truth outcome (the verb of the board's decision) -> diarium's term.
OUTCOME = {"avslår": "avslar", "bifaller": "bifaller",
           "upphäver": "upphaver", "undanröjer": "undanror",
           "avvisar": "avvisar"}
# The board's name as publishers write it -> one key.
AUTHORITY = {"överklagandenämnden": "okn",
             "skolväsendets överklagandenämnd": "okn",
             "skolväsendets överklagandenämnden": "okn"}
# Document types the truth files use -> diarium's names.
DOCTYPE = {"protokoll": {"protokollsutdrag", "protokoll"}}


def norm(s):
    return unicodedata.normalize("NFC", s or "").strip().lower()


def same_dnr(got, want):
    # "2019:955", "Dnr 2019:955", "2015-65" ~ "2015:65"; a two-digit year
    # as the board wrote it before 2005 ("04:570") must match as written.
    def key(s):
        s = norm(s).replace("dnr", "").strip()
        return s.replace("-", ":").replace("/", ":").replace(" ", "")
    return key(got) == key(want)


def compare(field, got, want):
    """Returns right, wrong, absent or unjudged."""
    if got in (None, "", []):
        return "absent" if want else "unjudged"
    if not want:
        return "unjudged-value"
    if field == "authority":
        ok = AUTHORITY.get(norm(got), norm(got)) == \
            AUTHORITY.get(norm(want), norm(want))
    elif field == "outcome":
        ok = got == OUTCOME.get(norm(want), norm(want))
    elif field == "dnr":
        ok = same_dnr(got, want)
    elif field == "type":
        ok = norm(got) in DOCTYPE.get(norm(want), {norm(want)})
    else:
        ok = norm(got) == norm(want)
    return "right" if ok else "wrong"


def metadata(bindir, db, doc):
    out = subprocess.run(
        [os.path.join(bindir, "diarium-query"), "--db", db, "--format",
         "json", "--limit", "1", "--", 'doc:"%s"' % doc if " " in doc
         else "doc:" + doc],
        capture_output=True, text=True)
    if out.returncode != 0 or not out.stdout.strip():
        sys.exit("meta_eval: no result for %s: %s" % (doc, out.stderr))
    return json.loads(out.stdout.splitlines()[0]).get("meta") or {}


def evaluate(bindir, folder, fields, verbose):
    truth = list(csv.DictReader(open(os.path.join(folder, "truth.tsv"),
                                     encoding="utf-8"), delimiter="\t"))
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "db")
        subprocess.run([os.path.join(bindir, "diarium-index"), "--quiet",
                        "--db", db, folder], check=False)
        counts = {f: {} for f in fields}
        for row in truth:
            m = metadata(bindir, db, row["doc"])
            for field, col in fields.items():
                got = m.get(field)
                want = row.get(col, "")
                verdict = compare(field, got, want)
                counts[field][verdict] = counts[field].get(verdict, 0) + 1
                if verbose and verdict not in ("right", "unjudged"):
                    print("  %-16s %-9s %-14s got %-28r truth %r" %
                          (row["doc"], field, verdict, got, want))
    return len(truth), counts


def main():
    ap = argparse.ArgumentParser()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--bin", default=os.path.join(root, "build", "bin"))
    ap.add_argument("--shared", default=os.environ.get(
        "DIARIUM_SHARED_DIR", os.path.join(root, "..", "shared")))
    ap.add_argument("--verbose", action="store_true")
    a = ap.parse_args()
    real = os.path.join(a.shared, "realdocs-dev")
    sets = [("okn", {"authority": "authority", "outcome": "outcome",
                     "dnr": "dnr", "date": "decision_date"}),
            ("muni", {"kommun": "kommun", "date": "date", "type": "type"})]
    if not os.path.isdir(real):
        print("meta_eval: skipped: %s not found" % real)
        return 0
    print("| set | field | docs | right | wrong | absent | truth empty "
          "(value given) | wrong % |")
    print("|---|---|---|---|---|---|---|---|")
    for name, fields in sets:
        folder = os.path.join(real, name)
        if not os.path.isfile(os.path.join(folder, "truth.tsv")):
            continue
        n, counts = evaluate(a.bin, folder, fields, a.verbose)
        for field, c in counts.items():
            print("| %s | %s | %d | %d | %d | %d | %d (%d) | %.1f |" % (
                name, field, n, c.get("right", 0), c.get("wrong", 0),
                c.get("absent", 0),
                c.get("unjudged", 0) + c.get("unjudged-value", 0),
                c.get("unjudged-value", 0),
                100.0 * c.get("wrong", 0) / n if n else 0.0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
