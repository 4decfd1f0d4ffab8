#!/usr/bin/env python3
"""traps.py - what diarium, pdftotext and omindex make of issue 30's traps.

Usage: bench/traps.py [BIN_DIR]   (default build/bin; needs diarium-extract)

Makes the test documents of tests/make_docs.py (the same traps the tests
check) in a temporary folder, then, for each trap, shows the words that
matter as each tool leaves them:
  diarium    diarium-extract (the text diarium-index indexes)
  pdftotext  pdftotext in its default mode (what omindex and Recoll run)
  omindex    xapian-omega's omindex over the same folder: whether its
             index holds the term a searcher types (delve)
Not a test: it asserts nothing, it prints a Markdown table for
bench/NOTES.md. Needs python3-reportlab (run it with /usr/bin/python3 if
the python3 on PATH lacks it), poppler-utils, xapian-omega, xapian-tools (xapian-delve).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
BIN = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "build",
                                                          "bin")
X = os.path.join(BIN, "diarium-extract")

work = tempfile.mkdtemp(prefix="diarium-traps.")
try:
    docs = os.path.join(work, "docs")
    subprocess.run([sys.executable, os.path.join(HERE, "..", "tests",
                                                 "make_docs.py"), docs],
                   check=True)

    def diarium(name):
        r = subprocess.run([X, "--json", os.path.join(docs, name)],
                           capture_output=True, text=True)
        if r.returncode != 0:
            return None, r.stderr.strip().split(": ", 2)[-1]
        d = json.loads(r.stdout)
        return "\n\n".join(p["text"] for p in d["pages"]), d

    def pdftotext(name):
        r = subprocess.run(["pdftotext", os.path.join(docs, name), "-"],
                           capture_output=True, text=True)
        if r.returncode != 0:
            err = r.stderr.strip().split("\n")
            return None, (err[-1] if err[-1] else "exit %d" % r.returncode)
        return r.stdout, None

    # omindex over the PDFs (a folder of its own).
    pdfs = os.path.join(work, "pdfs")
    os.mkdir(pdfs)
    for f in os.listdir(docs):
        if f.endswith(".pdf") and f not in ("heavy.pdf", "memory.pdf"):
            shutil.copy(os.path.join(docs, f), pdfs)
    db = os.path.join(work, "omega.db")
    om = subprocess.run(["omindex", "--db", db, "--url", "/", pdfs],
                        capture_output=True, text=True)
    terms = set()
    if os.path.isdir(db):
        out = subprocess.run(["xapian-delve", "-a", db], capture_output=True,
                             text=True).stdout
        for line in out.split("\n"):
            line = line.strip()
            if line.startswith("All terms in database:"):
                line = line[len("All terms in database:"):]
            terms.update(line.split())

    def om_has(*cands):
        """Which of the candidate terms omindex's index holds."""
        return ", ".join("%s %s" % (t, "yes" if t in terms else "no")
                         for t in cands)

    def show(s, limit=60):
        if s is None:
            return "—"
        s = s.replace("\n", "⏎").replace("|", "\\|")
        return "`%s`" % (s if len(s) <= limit else s[:limit] + "…")

    def find(text, *cands):
        """The first of cands found in text, else a '—'."""
        if text is None:
            return None
        for c in cands:
            if c in text:
                return c
        return None

    rows = []
    ht, _ = diarium("hyphens.pdf")
    hp, _ = pdftotext("hyphens.pdf")
    for want, alts, cands in [
            ("åtgärder", ["åtgärder", "åt-\ngärder"], ["åtgärder"]),
            ("EU-regler", ["EU-regler", "EUregler", "EU-\nregler"],
             ["regler", "euregler"]),
            ("Dnr 400-2022:5678", ["400-2022:5678", "4002022:5678",
                                   "400-\n2022:5678"], ["400", "4002022"]),
            ("2022-2023", ["2022-2023", "20222023", "2022-\n2023"],
             ["2023", "20222023"]),
            ("barn- och utbildningsnämnden", ["barn- och", "barnoch",
                                              "barn-\noch"],
             ["barn", "barnoch"]),
            ("e-post", ["e-post", "epost", "e-\npost"], ["post", "epost"]),
            ("kompensatoriska (soft hyphen)", ["kompensatoriska",
                                               "kompen\u00ad\nsatoriska",
                                               "kompen\u00adsatoriska"],
             ["kompensatoriska", "kompen"]),
            ("Stockholms-Uppsala", ["Stockholms-Uppsala", "StockholmsUppsala"],
             ["uppsala", "stockholmsuppsala"])]:
        rows.append(("line-end hyphen: %s" % want, show(find(ht, *alts)),
                     show(find(hp, *alts)), om_has(*cands)))
    lt, _ = diarium("ligatures.pdf")
    lp, _ = pdftotext("ligatures.pdf")
    for want, lig in [("finansiering", "\ufb01nansiering"),
                      ("officiella", "o\ufb03ciella"),
                      ("effekten", "e\ufb00ekten")]:
        rows.append(("ligature: %s" % want, show(find(lt, want, lig)),
                     show(find(lp, want, lig)), om_has(want, lig)))
    ft, _ = diarium("headers.pdf")
    fp, _ = pdftotext("headers.pdf")
    rows.append(("running footer \"Sida N (4)\" in the text",
                 "%d times" % ft.count("Sida "),
                 "%d times" % fp.count("Sida "),
                 om_has("sida")))
    rows.append(("running header \"Dnr 400-2022:5678\" in the text",
                 "%d times" % ft.count("400-2022:5678"),
                 "%d times" % fp.count("400-2022:5678"), ""))
    ct, _ = diarium("columns.pdf")
    cp, _ = pdftotext("columns.pdf")
    rows.append(("two columns: \"arbetat med\" followed by",
                 show(ct[ct.index("arbetat med"):][:32]),
                 show(cp[cp.index("arbetat med"):][:32]), ""))
    _, d = diarium("labels.pdf")
    rows.append(("page labels (i, ii, 1, 2, 3)",
                 ", ".join(p.get("label", "-") for p in d["pages"]),
                 "none (no pages kept)", "none"))
    for name in ("encrypted.pdf", "truncated.pdf", "notpdf.pdf"):
        t, why = diarium(name)
        p, perr = pdftotext(name)
        rows.append((name, "refused: %s" % why if t is None else "read",
                     "refused: %s" % perr if p is None else
                     "read (%d characters)" % len(p.strip()),
                     ""))
    _, d = diarium("scan.pdf")
    sp, _ = pdftotext("scan.pdf")
    rows.append(("scan.pdf page 2 (image only)",
                 "flagged: %s" % ", ".join(
                     f for f in d["pages"][1]["flags"]),
                 "empty page, no word of it", ""))

    print("| trap | diarium | pdftotext (default) | omindex: terms in its "
          "index |")
    print("|---|---|---|---|")
    for r in rows:
        print("| %s |" % " | ".join(r))
    print()
    print("omindex: exit %d; %s" % (
        om.returncode, (om.stderr.strip().split("\n") or [""])[-1][:200]))
finally:
    shutil.rmtree(work)
