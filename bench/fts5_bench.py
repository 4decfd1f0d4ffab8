#!/usr/bin/env python3
"""Query latency of an SQLite FTS5 index built by bench/speed.sh, in one
process (python3's sqlite3 module, which has FTS5), warm.

Usage: fts5_bench.py DB QUERIES [RUNS]

Each line of QUERIES (blank and '#' lines skipped) is translated to FTS5
syntax: a "phrase" stays a phrase, every other word becomes a quoted string
(so å/ä/ö and other non-ASCII letters are safe), words are ANDed (FTS5's
implicit AND), OR stays OR. Then
    SELECT path, bm25(docs) FROM docs WHERE docs MATCH ? ORDER BY rank LIMIT 10
is run and all rows fetched. One untimed warm-up pass, then RUNS timed
passes (default 5); prints one line per query and timed pass:
    {"timing": "<query>", "microseconds": N, "results": n}
"""
import json
import re
import sqlite3
import sys
import time

SQL = ("SELECT path, bm25(docs) FROM docs WHERE docs MATCH ? "
       "ORDER BY rank LIMIT 10")


def to_fts5(q):
    out = []
    for phrase, word in re.findall(r'"([^"]*)"?|(\S+)', q):
        if word == "OR":
            out.append("OR")
        elif word:
            out.append('"%s"' % word.replace('"', '""'))
        elif phrase.strip():
            out.append('"%s"' % phrase.strip().replace('"', '""'))
    return " ".join(out)


def main(argv):
    if len(argv) not in (3, 4):
        sys.stderr.write(__doc__)
        return 2
    db, qfile = argv[1], argv[2]
    runs = int(argv[3]) if len(argv) == 4 else 5
    queries = [line.strip() for line in open(qfile, encoding="utf-8")]
    queries = [q for q in queries if q and not q.startswith("#")]
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    matches = [to_fts5(q) for q in queries]
    for r in range(runs + 1):  # pass 0 warms up, untimed
        for q, m in zip(queries, matches):
            t0 = time.perf_counter()
            rows = con.execute(SQL, (m,)).fetchall()
            us = (time.perf_counter() - t0) * 1e6
            if r:
                print(json.dumps({"timing": q, "microseconds": round(us),
                                  "results": len(rows)}, ensure_ascii=False))
    con.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
