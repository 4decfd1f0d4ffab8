#!/usr/bin/env python3
"""The table of bench/speed.sh: reads its work folder, prints the table and
writes RESULTS.md.

Usage: speed_report.py WORK RESULTS_MD COMMIT CORPUS_NAME RUNS QRUNS ARGS
(ARGS: the options speed.sh was given, as one string)
"""
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys

TOOLS = ["diarium", "diarium-perdoc", "scriptindex-file", "scriptindex-para",
         "fts5"]
LABEL = {
    "diarium": "diarium",
    "diarium-perdoc": "diarium --per-document",
    "scriptindex-file": "scriptindex, per file",
    "scriptindex-para": "scriptindex, per paragraph",
    "fts5": "SQLite FTS5",
}


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True,
                              text=True).stdout.strip()
    except OSError:
        return ""


def machine():
    cpu = "?"
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = 0
    for line in open("/proc/meminfo"):
        if line.startswith("MemTotal"):
            mem = int(line.split()[1]) / 1024 / 1024
    return "%s, %d cores (nproc), %.0f GB memory, %s %s" % (
        cpu, os.cpu_count(), mem, platform.system(), platform.release())


def loadavg(work):
    try:
        la = open(os.path.join(work, "loadavg")).read().split("\n")
        text = "load average (1, 5, 15 min) %s at the start, %s at the end" % (
            la[0], la[1])
        if max(float(x) for x in (la[0] + " " + la[1]).split()) > 1.2:
            text += (" — other jobs shared the machine, so single runs "
                     "are noisy (compare the \"runs s\" column)")
        return text
    except (OSError, IndexError):
        return "load average not recorded"


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p * len(xs)))]


def main(argv):
    work, out, commit, corpus_name = argv[1:5]
    runs, qruns, args = int(argv[5]), int(argv[6]), argv[7].strip()
    idx = [json.loads(l) for l in open(os.path.join(work, "results.jsonl"))]
    corpora = [c for c in ("1x", "10x")
               if os.path.exists(os.path.join(work, c + ".json"))
               and any(r["corpus"] == c for r in idx)]
    info = {c: json.load(open(os.path.join(work, c + ".json")))
            for c in corpora}
    dumps = {c: json.load(open(os.path.join(work, c + ".dumps.json")))
             for c in corpora}

    rows = {}  # (tool, corpus) -> dict
    for c in corpora:
        for t in TOOLS:
            r = {}
            ix = [x for x in idx if x["tool"] == t and x["corpus"] == c]
            if ix:
                secs = [x["seconds"] for x in ix]
                r["secs"] = statistics.median(secs)
                r["all"] = sorted(secs)
                r["mbs"] = info[c]["bytes"] / 1e6 / r["secs"]
                r["dps"] = info[c]["files"] / r["secs"]
                r["rss"] = statistics.median(x["rss_kb"] for x in ix) / 1024
                r["size"] = statistics.median(x["size_kb"] for x in ix) / 1024
            qf = os.path.join(work, "q-%s-%s.jsonl" % (t, c))
            if os.path.exists(qf):
                us = [json.loads(l)["microseconds"] / 1000.0
                      for l in open(qf) if l.startswith("{")]
                if us:
                    r["q"] = (pct(us, .50), pct(us, .95), pct(us, .99),
                              len(us))
            if r:
                rows[(t, c)] = r

    def f(v, fmt):
        return fmt % v if v is not None else "="

    head = ("| tool | corpus | index s (median) | runs s | MB/s | docs/s "
            "| peak RSS MB | index MB | query p50 ms | p95 ms | p99 ms |")
    lines = [head, "|" + "---|" * 11]
    for c in corpora:
        for t in TOOLS:
            r = rows.get((t, c))
            if not r:
                continue
            q = r.get("q")
            if "secs" in r:
                ixcols = [f(r["secs"], "%.1f"),
                          " ".join("%.1f" % s for s in r["all"]),
                          f(r["mbs"], "%.2f"), f(r["dps"], "%.0f"),
                          f(r["rss"], "%.0f"), f(r["size"], "%.0f")]
            else:
                ixcols = ["(same index)", "", "", "", "", ""]
            qcols = ["%.2f" % q[i] for i in range(3)] if q else ["", "", ""]
            lines.append("| %s | %s | %s |" % (
                LABEL[t], c, " | ".join(ixcols + qcols)))
    table = "\n".join(lines)

    rl = ["| baseline | corpus | index time | index size | peak RSS "
          "| query p50 | query p99 |", "|" + "---|" * 7]
    for c in corpora:
        d = rows.get(("diarium", c))
        if not d:
            continue
        for t in ("scriptindex-file", "scriptindex-para", "fts5"):
            b = rows.get((t, c))
            if not b or "secs" not in b:
                continue
            def ratio(key, i=None):
                x = d.get(key) if i is None else (d.get(key) or [None] * 3)[i]
                y = b.get(key) if i is None else (b.get(key) or [None] * 3)[i]
                return "%.2f×" % (x / y) if x and y else ""
            rl.append("| %s | %s | %s | %s | %s | %s | %s |" % (
                LABEL[t], c, ratio("secs"), ratio("size"), ratio("rss"),
                ratio("q", 0), ratio("q", 2)))
    ratios = "\n".join(rl)

    corp = "; ".join(
        "%s: %d files, %.1f MB of text, %d paragraphs" % (
            c, info[c]["files"], info[c]["bytes"] / 1e6,
            dumps[c]["paragraphs"]) for c in corpora)
    versions = "Xapian %s (xapian-omega scriptindex %s), SQLite %s, %s" % (
        sh("pkg-config --modversion xapian-core"),
        sh("scriptindex --version | head -1 | awk '{print $NF}'"),
        sh("sqlite3 --version | cut -d' ' -f1"),
        sh("${CC:-cc} --version | head -1"))
    try:
        alloc = open(os.path.join(work, "allocator")).read().strip()
    except OSError:  # (a work folder from before the file existed)
        alloc = ""
    if alloc == "C library":
        alloc = "the C library's malloc"
    build = "Release build" + (
        ", diarium-index allocating through " + alloc if alloc else "")
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    commands = open(os.path.join(work, "commands.txt")).read().rstrip()
    commands = commands.replace(work, "$W").replace(root + "/", "")
    scripts = "\n".join(
        "# %s\n%s" % (n, open(os.path.join(work, n)).read().rstrip())
        for n in ("file.script", "para.script", "fts5.sql"))
    if "10x" in corpora:
        tenx = ("10x: the 1x corpus plus nine copies with distinct paths "
                "and ~3 % of the\n  longer words changed "
                "(bench/speed_prep.py). Every tool indexed 10x once.")
    else:
        tenx = "10x: not run (--quick or --no-10x)."
    try:
        date = open(os.path.join(work, "date")).read().strip()
    except OSError:
        date = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")

    print()
    print(table)
    print()
    print("diarium ÷ baseline (below 1 means diarium is faster/smaller):")
    print(ratios)

    md = """# Speed: diarium beside scriptindex and SQLite FTS5

Produced by `bench/speed.sh%s` on %s.

- Machine: %s; %s
- diarium %s, %s; %s
- Corpus (%s): %s

| | |
|---|---|
| index time | wall clock from an empty index, median of %s at 1x%s; tools in rotating order%s |
| MB/s, docs/s | source text bytes and source files per second of index time |
| peak RSS, index MB | `/usr/bin/time -v` maximum resident set size; `du -sk` of the index |
| query | bench/queries.txt (%d queries: words, pairs, phrases, OR), one process per tool, one untimed warm-up pass, then %d passes; latency of each query (parse to top-10 results fetched), p50/p95/p99 over all |

%s

diarium ÷ baseline (below 1: diarium is faster or smaller). Query ratios
are for diarium's default mode (top 10 passages); `diarium --per-document`
(top 10 documents, like the baselines) is in the table above.

%s

Notes
- diarium does more per query than the baselines: OCR/diacritic spelling
  expansion against the index vocabulary, passage grouping, and it
  decompresses the passage text and computes highlights for every result.
  scriptindex results fetch only the document data record (path, or the
  paragraph text); FTS5 returns path and score.
- What each index holds: diarium one Xapian document per passage
  (surface forms under OCR skeletons with positions; stems without
  positions, only of inflected words: a word that is its own stem is
  found by its surface form;
  the passage text with the document's fields shown in results,
  LZ4-compressed by diarium, Xapian's termlists uncompressed in a
  parallel build (xapian-c/xc_termlist.c), and
  the metadata as filter terms and
  facet values); scriptindex Xapian's
  TermGenerator terms
  (unstemmed with positions, Z-stems without) and the path (per file) or
  the paragraph text (per paragraph); FTS5 the full text, detail=full.
- The stock-Xapian queries are built as QueryParser (Stem swedish,
  STEM_SOME, default AND) would build them, by `bench/xapian_bench.c` through
  diarium's C shim; per-paragraph results are collapsed to one per file
  (value slot 0). FTS5 queries run from python3's sqlite3 module.
- diarium builds a new index with one thread per processor (`--jobs`,
  here all cores) into shards of ~4 MB of text (at most 64), each
  committing every 512 KB of text, that Xapian's compaction merges at
  the end (included in the time; the result is compact, hence smaller);
  scriptindex and FTS5 use one core.
- Not timed: corpus preparation and the scriptindex dump files. The
  per-file dump only names the files (scriptindex `load`s them); the
  per-paragraph dump carries the paragraph text, so that run does not read
  the source files itself.
- %s

Commands (`$W` is the work folder, `$DIARIUM_BENCH_WORK`):

```
%s
```

Index scripts and SQL:

```
%s
```
""" % (" " + args if args else "", date, machine(), loadavg(work), commit, build, versions,
       corpus_name, corp, "%d run%s" % (runs, "s" if runs > 1 else ""),
       ", one run at 10x" if "10x" in corpora else "",
       "; page cache emptied before every run (`--cold`)"
       if "--cold" in args.split() else "",
       len([l for l in open(os.path.join(here, "queries.txt"), encoding="utf-8")
            if l.strip() and not l.startswith("#")]),
       qruns, table, ratios, tenx, commands, scripts)
    # Sections other benchmarks keep in the same file (bench/serve-load.sh,
    # bench/extract.sh) start at a marker line "<!-- name -->" and are
    # carried over, from the first of them to the end.
    try:
        old = open(out, encoding="utf-8").read()
        ats = [old.find("\n<!-- %s -->" % m) for m in ("serve-load", "extract")]
        ats = [a for a in ats if a >= 0]
        if ats:
            at = min(ats)
            md = md.rstrip("\n") + "\n" + old[at:]
    except OSError:
        pass
    with open(out, "w", encoding="utf-8") as fh:
        fh.write(md)
    print("\nwritten to %s" % out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
