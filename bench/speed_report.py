#!/usr/bin/env python3
"""The table of bench/speed.sh: reads its work folder, prints the table and
writes RESULTS.md.

Usage: speed_report.py WORK RESULTS_MD COMMIT CORPUS_NAME RUNS QROUNDS
                       QPASSES ARGS FIXED_SET GENERATED_SET
(ARGS: the options speed.sh was given, as one string; the sets: the query
files, bench/queries.txt and the generated one)

Query latency: a query's time is the median of its timed runs (QROUNDS
rounds of QPASSES passes); mean, p50 and p99 are taken over those
medians, for all queries of a set and per query shape (word: one word;
pair: two words; phrase: one quoted phrase; other: the rest, e.g. OR).
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


SHAPES = ("all", "word", "pair", "phrase", "other")
SETS = (("gen", "generated set"), ("fixed", "bench/queries.txt"))


def shape(q):
    """word, pair, phrase or other (see the top)."""
    q = q.strip()
    if q.startswith('"') and q.endswith('"') and q.count('"') == 2:
        return "phrase"
    if '"' in q or ":" in q or "*" in q or q.startswith("-"):
        return "other"
    words = q.split()
    if "OR" in words or "NOT" in words or "NEAR" in words:
        return "other"
    return {1: "word", 2: "pair"}.get(len(words), "other")


def latency(path):
    """{shape: (mean, p50, p99, n)} over the per-query medians in path."""
    per = {}
    for line in open(path, encoding="utf-8"):
        if line.startswith("{"):
            o = json.loads(line)
            per.setdefault(o["timing"], []).append(o["microseconds"] / 1000.0)
    med = {q: statistics.median(v) for q, v in per.items()}
    out = {}
    for sh_ in SHAPES:
        v = [m for q, m in med.items() if sh_ == "all" or shape(q) == sh_]
        if v:
            out[sh_] = (statistics.mean(v), pct(v, .50), pct(v, .99), len(v))
    return out


def count_queries(path):
    return len([l for l in open(path, encoding="utf-8")
                if l.strip() and not l.lstrip().startswith("#")])


def main(argv):
    work, out, commit, corpus_name = argv[1:5]
    runs, qrounds, qpasses = int(argv[5]), int(argv[6]), int(argv[7])
    args = argv[8].strip()
    setfile = {"fixed": argv[9], "gen": argv[10]}
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
            for qs, _ in SETS:
                qf = os.path.join(work, "q-%s-%s-%s.jsonl" % (t, c, qs))
                if os.path.exists(qf):
                    r["q-" + qs] = latency(qf)
            if r:
                rows[(t, c)] = r

    def f(v, fmt):
        return fmt % v if v is not None else "="

    head = ("| tool | corpus | index s (median) | runs s | MB/s | docs/s "
            "| peak RSS MB | index MB |")
    lines = [head, "|" + "---|" * 8]
    for c in corpora:
        for t in TOOLS:
            r = rows.get((t, c))
            if not r or "secs" not in r:
                continue
            if "secs" in r:
                ixcols = [f(r["secs"], "%.1f"),
                          " ".join("%.1f" % s for s in r["all"]),
                          f(r["mbs"], "%.2f"), f(r["dps"], "%.0f"),
                          f(r["rss"], "%.0f"), f(r["size"], "%.0f")]
            else:
                ixcols = ["(same index)", "", "", "", "", ""]
            lines.append("| %s | %s | %s |" % (
                LABEL[t], c, " | ".join(ixcols)))
    table = "\n".join(lines)

    # Query latency per set: mean / p50 / p99 ms per shape.
    qtables = []
    for qs, qname in SETS:
        shapes = [x for x in SHAPES
                  if any(x in rows.get((t, c), {}).get("q-" + qs, {})
                         for t in TOOLS for c in corpora)]
        if not shapes:
            continue
        ql = ["| tool | corpus | " + " | ".join(
            "%s (%d)" % (x, rows.get(("diarium", corpora[0]), {}).get(
                "q-" + qs, {}).get(x, (0, 0, 0, 0))[3]) for x in shapes) + " |",
              "|" + "---|" * (2 + len(shapes))]
        for c in corpora:
            for t in TOOLS:
                q = rows.get((t, c), {}).get("q-" + qs)
                if not q:
                    continue
                ql.append("| %s | %s | %s |" % (LABEL[t], c, " | ".join(
                    "%.2f / %.2f / %.2f" % q[x][:3] if x in q else ""
                    for x in shapes)))
        qtables.append((qname, shapes, "\n".join(ql)))

    # diarium ÷ stock Xapian per paragraph (collapsed: one result per file)
    # and per file, query by query shape.
    qr = ["| set | corpus | diarium mode ÷ baseline | " + " | ".join(
        "%s mean | %s p99" % (x, x) for x in ("all", "word", "pair", "phrase"))
        + " |", "|" + "---|" * 11]
    for qs, qname in SETS:
        for c in corpora:
            for d, b in (("diarium-perdoc", "scriptindex-para"),
                         ("diarium", "scriptindex-para"),
                         ("diarium-perdoc", "scriptindex-file")):
                dq = rows.get((d, c), {}).get("q-" + qs)
                bq = rows.get((b, c), {}).get("q-" + qs)
                if not dq or not bq:
                    continue
                cells = []
                for x in ("all", "word", "pair", "phrase"):
                    for i in (0, 2):
                        if x in dq and x in bq and bq[x][i] > 0:
                            cells.append("%.2f×" % (dq[x][i] / bq[x][i]))
                        else:
                            cells.append("")
                qr.append("| %s | %s | %s ÷ %s | %s |" % (
                    qname, c, LABEL[d], LABEL[b], " | ".join(cells)))
    qratios = "\n".join(qr)

    # How query time grows from 1x to 10x.
    growth = ""
    if "10x" in corpora:
        gl = ["| tool | set | mean 1x ms | mean 10x ms | 10x ÷ 1x "
              "| p99 1x ms | p99 10x ms | 10x ÷ 1x |", "|" + "---|" * 8]
        for qs, qname in SETS:
            for t in TOOLS:
                a = rows.get((t, "1x"), {}).get("q-" + qs, {}).get("all")
                b = rows.get((t, "10x"), {}).get("q-" + qs, {}).get("all")
                if a and b:
                    gl.append("| %s | %s | %.2f | %.2f | %.1f× | %.2f | %.2f "
                              "| %.1f× |" % (LABEL[t], qname, a[0], b[0],
                                             b[0] / a[0], a[2], b[2],
                                             b[2] / a[2]))
        growth = "\n".join(gl)

    rl = ["| baseline | corpus | index time | index size | peak RSS |",
          "|" + "---|" * 5]
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
            rl.append("| %s | %s | %s | %s | %s |" % (
                LABEL[t], c, ratio("secs"), ratio("size"), ratio("rss")))
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
    for qname, _, qt in qtables:
        print("\nquery latency, %s (ms: mean / p50 / p99):" % qname)
        print(qt)
    print("\nquery latency, diarium ÷ baseline:")
    print(qratios)
    if growth:
        print("\nfrom 1x to 10x:")
        print(growth)

    qsections = "\n\n".join(
        "Query latency, %s (ms: mean / p50 / p99 of the per-query medians; "
        "in brackets the number of queries of each shape):\n\n%s" % (qn, qt)
        for qn, _, qt in qtables)
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
| query sets | the generated set (`%s`, %d queries: mid-frequency words, pairs of words that occur together in a file, phrases; bench/speed_queries.py, fixed seed) and bench/queries.txt (%d queries picked by hand: words, pairs, phrases, OR) |
| query latency | parse to top-10 results fetched, in process, warm; %d round%s, each running every tool on each set in rotating order (one process, one untimed warm-up pass, then %d timed passes); a query's time is the median of its %d timed runs; mean, p50 and p99 over those, per shape (word, pair, phrase, other) |

%s

diarium ÷ baseline (below 1: diarium is faster or smaller):

%s

%s

Query latency, diarium ÷ baseline (below 1: diarium is faster).
`diarium --per-document` returns the top 10 documents, like the baselines
(scriptindex per paragraph collapses its results to one per file);
`diarium` (its default) the top 10 passages:

%s
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
       os.path.relpath(setfile["gen"], root)
       if setfile["gen"].startswith(root + "/") else "generated in the work folder",
       count_queries(setfile["gen"]), count_queries(setfile["fixed"]),
       qrounds, "s" if qrounds > 1 else "", qpasses, qrounds * qpasses,
       table, ratios, qsections, qratios,
       ("\nHow query time grows from 1x to 10x (mean and p99 over all "
        "queries of a set):\n\n" + growth + "\n") if growth else "",
       tenx, commands, scripts)
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
