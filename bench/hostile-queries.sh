#!/usr/bin/env bash
# Benchmark (not a test): what hostile and careless queries cost diarium-query
# — wall time, peak RSS and exit status of each query of a generated set, for
# one or more builds, on one index (issue 38, item 8).
#
# Usage: bench/hostile-queries.sh DB [BIN_DIR...]
#   DB       a database built by diarium-index (e.g. g0vse, see
#            query-latency.sh)
#   BIN_DIR  directories holding a diarium-query (default: build/bin); with
#            several (a baseline and a candidate), the runs alternate
#            between them, so that the load of the machine falls on both.
# Environment: RUNS (default 3; the median is shown), TIMEOUT (seconds per
# run, default 120: a run that hits it shows as "timeout"), MEM_KB (address
# space cap per run, default 8 GB: a run over it fails and shows its exit
# status), LIMIT (--limit, default 10), ONLY (names of the queries to run,
# separated by spaces; default all).
#
# The queries are built from the words of corpus/ (deterministic, no
# ../shared needed), each under the 64 KiB query limit:
#   prefix-or-3000   skol* OR skol* OR ... (3,000 times)
#   skola-10900      skola skola ... (10,900 times)
#   case-variants    skola in 32 spellings of upper and lower case, repeated
#   words-and        distinct words, as many as fit
#   words-or         the same, joined by OR
#   prefixes-or      distinct three-letter prefixes* joined by OR
#   phrase-long      one "phrase" of 5,000 words
#   near-chain       w1 NEAR w2 NEAR ... as many as fit
#   nested-64        64 levels of (w OR (w OR ...))
#   fields-many      kommun:, typ:, dnr: filters with distinct values
#   not-many         skola -w1 -w2 ... with distinct words
#   hyphen-word      one word w1-w2-w3-... (a word of many tokens)
# and, at the default limits (the most a query that is let through does):
#   at-words-and     256 distinct words
#   at-words-or      the same, joined by OR
#   at-not           skola and 255 excluded words
#   at-prefixes-or   16 four-letter prefixes* joined by OR
#   at-phrase        a "phrase" of 64 words
#   at-near          a NEAR chain of 64 words
#   at-fields-or     32 kommun: filters joined by OR
# Each line: query, build, median seconds, median peak RSS (MB), exit
# status of the runs, and the first line the program wrote to stderr.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
db=${1:?usage: bench/hostile-queries.sh DB [BIN_DIR...]}
shift
bins=("$@")
[ ${#bins[@]} -gt 0 ] || bins=("$root/build/bin")
runs=${RUNS:-3}
timeout_s=${TIMEOUT:-120}
mem_kb=${MEM_KB:-8388608}
limit=${LIMIT:-10}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$root/corpus" "$work" <<'PY'
import os, re, sys, gzip
corpus, work = sys.argv[1], sys.argv[2]
words = []
seen = set()
for name in sorted(os.listdir(corpus)):
    p = os.path.join(corpus, name)
    if name.endswith(".gz"):
        text = gzip.open(p, "rb").read()
    elif name.endswith((".txt", ".md")):
        text = open(p, "rb").read()
    else:
        continue
    text = text.decode("utf-8", "replace")
    for w in re.findall(r"[a-zåäöéA-ZÅÄÖÉ]{4,}", text):
        w = w.lower()
        if w not in seen:
            seen.add(w)
            words.append(w)
MAX = 65000

def fill(sep, items, wrap=lambda s: s):
    out, n = [], 0
    for it in items:
        if n + len(it.encode()) + len(sep) > MAX - 10:
            break
        out.append(it)
        n += len(it.encode()) + len(sep)
    return wrap(sep.join(out))

def cycle(n):
    return [words[i % len(words)] for i in range(n)]

q = {}
q["prefix-or-3000"] = " OR ".join(["skol*"] * 3000)
q["skola-10900"] = " ".join(["skola"] * 10900)
variants = []
for i in range(32):
    variants.append("".join(c.upper() if i >> k & 1 else c
                            for k, c in enumerate("skola")))
q["case-variants"] = fill(" ", variants * 400)
q["words-and"] = fill(" ", words)
q["words-or"] = fill(" OR ", words)
prefixes = []
for w in words:
    p = w[:3] + "*"
    if p not in prefixes:
        prefixes.append(p)
q["prefixes-or"] = fill(" OR ", prefixes)
q["phrase-long"] = '"' + " ".join(cycle(5000)) + '"'
q["near-chain"] = fill(" NEAR ", words)
nest = "skola"
for i in range(63):
    nest = "(%s OR %s)" % (words[i], nest)
q["nested-64"] = nest
fields = []
for i, w in enumerate(words):
    fields.append(("kommun:%s" % w, "typ:%s" % w, "dnr:2021:%d" % i)[i % 3])
q["fields-many"] = fill(" ", fields)
q["not-many"] = "skola " + fill(" ", ["-" + w for w in words])
q["hyphen-word"] = fill("-", words)
# At the default limits (dq_bound.c): what a query that is let through
# may cost at most.
freq = words[:256]
q["at-words-and"] = " ".join(freq)
q["at-words-or"] = " OR ".join(freq)
q["at-not"] = "skola " + " ".join("-" + w for w in words[1:256])
q["at-prefixes-or"] = " OR ".join(
    p for p in dict.fromkeys(w[:4] + "*" for w in words)) .split(" OR ")[:16]
q["at-prefixes-or"] = " OR ".join(q["at-prefixes-or"])
q["at-phrase"] = '"' + " ".join(words[:64]) + '"'
q["at-near"] = " NEAR ".join(words[:64])
q["at-fields-or"] = " OR ".join("kommun:%s" % w for w in words[:32])
for name, text in q.items():
    assert len(text.encode()) <= 65536, name
    open(os.path.join(work, name + ".q"), "w").write(text)
open(os.path.join(work, "names"), "w").write("\n".join(q) + "\n")
PY

printf '%-16s %-40s %8s %8s  %-10s %s\n' query build "s" "MB" status stderr
while read -r name; do
    case " ${ONLY:-$name} " in *" $name "*) ;; *) continue ;; esac
    query=$(cat "$work/$name.q")
    for r in $(seq 1 "$runs"); do
        for i in "${!bins[@]}"; do
            out=$work/$name.$i.$r
            ( ulimit -v "$mem_kb"
              /usr/bin/time -f '%e %M' -o "$out.time" \
                  timeout "$timeout_s" "${bins[$i]}/diarium-query" \
                  --db "$db" --limit "$limit" --format json -- "$query" \
                  >/dev/null 2>"$out.err"; echo $? >"$out.rc" ) || true
        done
    done
    for i in "${!bins[@]}"; do
        python3 - "$work" "$name" "$i" "$runs" "${bins[$i]}" <<'PY'
import os, statistics, sys
work, name, i, runs, binp = sys.argv[1:6]
secs, mbs, rcs = [], [], []
first = ""
for r in range(1, int(runs) + 1):
    base = os.path.join(work, "%s.%s.%d" % (name, i, r))
    rc = open(base + ".rc").read().strip()
    rcs.append("timeout" if rc == "124" else rc)
    try:
        t = open(base + ".time").read().split()
        secs.append(float(t[-2]))
        mbs.append(int(t[-1]) / 1024.0)
    except (OSError, ValueError, IndexError):
        pass
    if not first:
        for line in open(base + ".err", errors="replace"):
            if line.strip() and not line.startswith("Command"):
                first = line.strip()[:110]
                break
med = lambda xs: "%.2f" % statistics.median(xs) if xs else "-"
medm = lambda xs: "%.0f" % statistics.median(xs) if xs else "-"
print("%-16s %-40s %8s %8s  %-10s %s" % (name, binp[-40:], med(secs),
      medm(mbs), ",".join(sorted(set(rcs))), first))
PY
    done
done <"$work/names"
