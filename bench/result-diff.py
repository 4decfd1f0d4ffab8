#!/usr/bin/env python3
"""Compares the result lists of two diarium-query builds (or settings) on
one query set: not a test, a check before and after a change that must not
change results (or changes only what it says).

  result-diff.py DB BIN_DIR_A BIN_DIR_B [QUERIES...] [--mode MODE]...
                 [--env-a NAME=VALUE]... [--env-b NAME=VALUE]... [--limit N]
                 [--show N] [--db-b DB_B]

QUERIES are query files (default bench/queries.txt and
bench/queries-g0vse.txt); MODE is default, per-document or exact (default:
default and per-document). Each build runs every set once per mode
(diarium-query --format json --queries FILE); a result is (doc, passage,
complete, score). Per mode it prints how many queries give the same list,
a list that B makes longer (A's results first, then more), the same
documents in the same order with other scores or passages, and other
lists; for the first --show of those (default 5) the two lists. With
--env-a / --env-b one build can be run with settings (BIN_DIR_B may be
BIN_DIR_A: DIARIUM_DOCLEVEL=0 against the default, say); with --db-b, B
searches DB_B (its own build of the same documents, say in another index
format). Scores are equal when they agree to 1e-9 relative. Exit status 0 when every list is the same,
1 when some differ, 2 on usage errors.
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def run(bindir, db, qfile, mode, env, limit):
    cmd = [os.path.join(bindir, "diarium-query"), "--db", db, "--format",
           "json", "--limit", str(limit), "--queries", qfile]
    if mode == "per-document":
        cmd.append("--per-document")
    elif mode == "exact":
        cmd.append("--exact")
    e = dict(os.environ)
    e.update(env)
    out = subprocess.run(cmd, env=e, capture_output=True, text=True).stdout
    res = {}
    for line in out.splitlines():
        o = json.loads(line)
        if "doc" not in o:
            continue
        res.setdefault(o["query"], []).append(
            (o["doc"], o["passage"], o.get("complete", True), o["score"]))
    return res


def same_score(a, b):
    return abs(a - b) <= 1e-9 * max(abs(a), abs(b), 1e-300)


def main(argv):
    args, files, modes = [], [], []
    env = {"a": {}, "b": {}}
    limit, show, dbb = 10, 5, None
    i = 1
    while i < len(argv):
        a = argv[i]
        if a in ("--mode", "--env-a", "--env-b", "--limit", "--show",
                 "--db-b"):
            if i + 1 == len(argv):
                sys.stderr.write(__doc__)
                return 2
            v = argv[i + 1]
            if a == "--mode":
                modes.append(v)
            elif a == "--limit":
                limit = int(v)
            elif a == "--show":
                show = int(v)
            elif a == "--db-b":
                dbb = v
            else:
                k, _, val = v.partition("=")
                env[a[-1]][k] = val
            i += 2
            continue
        args.append(a)
        i += 1
    if len(args) < 3:
        sys.stderr.write(__doc__)
        return 2
    db, bina, binb = args[:3]
    files = args[3:] or [os.path.join(HERE, "queries.txt"),
                         os.path.join(HERE, "queries-g0vse.txt")]
    modes = modes or ["default", "per-document"]
    status = 0
    for qf in files:
        for mode in modes:
            ra = run(bina, db, qf, mode, env["a"], limit)
            rb = run(binb, dbb or db, qf, mode, env["b"], limit)
            qs = [l.strip() for l in open(qf, encoding="utf-8")]
            qs = [q for q in qs if q and not q.startswith("#")]
            same = docs_same = longer = 0
            other = []
            for q in qs:
                a, b = ra.get(q, []), rb.get(q, [])
                if len(a) == len(b) and all(
                        x[:3] == y[:3] and same_score(x[3], y[3])
                        for x, y in zip(a, b)):
                    same += 1
                elif len(a) < len(b) and all(
                        x[:3] == y[:3] and same_score(x[3], y[3])
                        for x, y in zip(a, b)):
                    longer += 1
                    other.append((q, a, b))
                elif [x[0] for x in a] == [y[0] for y in b]:
                    docs_same += 1
                    other.append((q, a, b))
                else:
                    other.append((q, a, b))
            print("%s, %s: %d queries: %d the same, %d the same and then "
                  "more in B, %d the same documents otherwise different, %d "
                  "other lists" % (
                      os.path.basename(qf), mode, len(qs), same, longer,
                      docs_same, len(other) - docs_same - longer))
            for q, a, b in other[:show]:
                print("  %s" % q)
                for k in range(max(len(a), len(b))):
                    x = a[k] if k < len(a) else None
                    y = b[k] if k < len(b) else None
                    fx = "%s #%s%s %.4f" % (x[0][-40:], x[1], "" if x[2] else " (spread)", x[3]) if x else "-"
                    fy = "%s #%s%s %.4f" % (y[0][-40:], y[1], "" if y[2] else " (spread)", y[3]) if y else "-"
                    print("    %s %-62s | %s" % ("=" if x == y else "≠", fx, fy))
            if other:
                status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
