#!/usr/bin/env python3
"""extract_report.py - the table of bench/extract.sh (not run by itself).

Arguments: WORK RUNS PAGES FILES WRITE LOAD0 COMMIT PDFTOTEXT_VERSION FOLDERS
WORK holds one /usr/bin/time line ("wall user system maxrss_kb") per tool
and run, in files TOOL.RUN. Prints the Markdown section and, when WRITE is
1, puts it into bench/RESULTS.md after "<!-- extract -->" (replacing that
section only, up to the next "<!-- name -->" marker or the end).
"""
import os
import statistics
import sys
import time

(work, runs, pages, files, write, load0, commit, ptver,
 folders) = sys.argv[1:10]
runs, pages, files = int(runs), int(pages), int(files)
names = {"pdftotext": "pdftotext, one process per file",
         "x1": "diarium-extract, one worker",
         "x2": "diarium-extract, two workers at once",
         "index": "diarium-index --jobs 2, new database",
         "rerun": "diarium-index, unchanged files again",
         "omindex": "omindex (xapian-omega), new database",
         "rerun1k": "diarium-index, 1,000 small unchanged files again"}
rows = {}
for t in names:
    walls, cpus, rss = [], [], []
    for r in range(1, runs + 1):
        with open("%s/%s.%d" % (work, t, r)) as f:
            e, u, s, m = f.read().split()[-4:]
        walls.append(float(e))
        cpus.append(float(u) + float(s))
        rss.append(int(m))
    rows[t] = (statistics.median(walls), statistics.median(cpus), max(rss),
               walls)
base = rows["pdftotext"]
table = ["| reader | wall s (median) | runs s | CPU s | pages/s "
         "| wall ÷ pdftotext | CPU ÷ pdftotext | peak RSS MB |",
         "|---|---|---|---|---|---|---|---|"]
for t, label in names.items():
    w, c, m, ws = rows[t]
    # Re-runs read no pages, and the 1,000 files are others than pdftotext's.
    other = t in ("rerun", "rerun1k")
    table.append("| %s | %.2f | %s | %.2f | %s | %s | %s | %d |" % (
        label, w, " ".join("%.2f" % x for x in ws), c,
        "–" if other else "%.0f" % (pages / w),
        "–" if t == "rerun1k" else "%.2f×" % (w / base[0]),
        "–" if t == "rerun1k" else "%.2f×" % (c / base[1]), m // 1024))
with open("/proc/loadavg") as f:
    load1 = " ".join(f.read().split()[:3])
rerun = rows["rerun"][0]
summary = ("The whole indexing run takes %.2f× the wall time of pdftotext "
           "alone (target: at most 2×) and %.2f× its CPU time; a re-run over "
           "the same unchanged files %.2f s, over 1,000 small unchanged "
           "files %.2f s; omindex %.2f× pdftotext." % (
               rows["index"][0] / base[0], rows["index"][1] / base[1], rerun,
               rows["rerun1k"][0], rows["omindex"][0] / base[0]))
md = """<!-- extract -->
## Reading PDFs (bench/extract.sh)

Produced by `bench/extract.sh --runs %d` on %s at diarium %s: %d PDFs,
%d pages (%s); %s; %d cores; load average %s at the start, %s at the end
(other jobs shared the machine: compare the runs, and the CPU columns).
Wall: median of %d runs in rotating order; CPU: user + system of the run,
children included; peak RSS: the largest process of a run.

%s

%s
""" % (runs, time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), commit,
       files, pages,
       folders or "../shared/realdocs-dev/pdf/{riksbank,regeringen}",
       ptver, os.cpu_count(), load0, load1, runs, "\n".join(table), summary)
print(md)
if write == "1":
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                       "RESULTS.md")
    old = ""
    if os.path.exists(out):
        with open(out, encoding="utf-8") as f:
            old = f.read()
    at = old.find("\n<!-- extract -->")
    rest = ""
    if at >= 0:
        nxt = old.find("\n<!-- ", at + 1)
        rest = old[nxt:] if nxt >= 0 else ""
        old = old[:at]
    with open(out, "w", encoding="utf-8") as f:
        f.write(old.rstrip("\n") + "\n\n" + md.rstrip("\n") + "\n"
                + rest.lstrip("\n"))
    print("written to", out)
