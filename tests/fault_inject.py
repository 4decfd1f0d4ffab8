#!/usr/bin/env python3
"""fault_inject.py - random kill -9 and byte flips against diarium-index.

Usage: fault_inject.py IDX WORKDIR FIRST_SEED COUNT

Run by tests/e2e_fault_inject.sh (issue 38: the fault-injection pass of
CI). Each seed, from FIRST_SEED on, picks one fault with random.Random(seed):

  kill-nightly  a nightly run (adds, changes, removals, a rename; a commit
                per file) killed with SIGKILL after a random delay
  kill-full     the same for --full (built beside the database, swapped in)
  kill-first    a first build, in one thread or in two (shards), killed
  flip          1 to 40 bits flipped in one table file of the database (or
                its version file), then --check and a nightly run

and requires of what follows: no program ever ends by a signal (other than
the SIGKILL sent) or hangs; after a kill, --check finds the database sound
(or there is none yet), and the next run exits 0 with a sound database as
the result; after a flip, --check and the run agree: both exit 3 (the run
naming the database as damaged and writing nothing), or the database is
sound and the run exits 0. Exit status 0 when every seed held, 1 with the
seeds that did not (each with its command, status and output).
"""
import os
import random
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e_lib import flip_bits  # noqa: E402

TIMEOUT = 60
WORDS = ("skolan eleverna huvudmannen kommunen beslutet åtgärder "
         "undervisningen betygen tryggheten studieron rektorn elevhälsan "
         "analysen resurserna kompensatoriska särskilt stöd").split()


def text(r, paras):
    return "\n\n".join(" ".join(r.choice(WORDS) for _ in range(40))
                       for _ in range(paras)) + "\n"


class Failed(Exception):
    pass


def run(args, what):
    """Runs args; returns (status, stdout, stderr). A signal or a hang
    fails the seed."""
    try:
        p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        raise Failed("%s: hung (over %d s): %s" % (what, TIMEOUT, " ".join(args)))
    out = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace")
    if p.returncode < 0:
        raise Failed("%s: killed by signal %d: %s\n%s%s" % (
            what, -p.returncode, " ".join(args), out[-800:], err[-800:]))
    return p.returncode, out, err


def check(idx, db, what):
    rc, out, err = run([idx, "--db", db, "--check"], what + ", --check")
    if rc not in (0, 3):
        raise Failed("%s, --check: exit %d\n%s%s" % (what, rc, out, err))
    return rc, out + err


def must_be_sound(idx, db, what):
    rc, msg = check(idx, db, what)
    if rc != 0:
        raise Failed("%s: not sound:\n%s" % (what, msg[-1500:]))


def make_docs(d, r, n):
    os.makedirs(d)
    for i in range(n):
        with open(os.path.join(d, "b%03d.txt" % i), "w", encoding="utf-8") as f:
            f.write(text(r, r.randint(1, 4)))


def change_docs(d, r):
    """Changes, removes, renames and adds files, as a night brings."""
    names = sorted(os.listdir(d))
    for n in r.sample(names, 4):
        with open(os.path.join(d, n), "a", encoding="utf-8") as f:
            f.write(text(r, 1))
    for n in r.sample(names, 2):
        p = os.path.join(d, n)
        if os.path.exists(p):
            os.unlink(p)
    left = sorted(os.listdir(d))
    os.rename(os.path.join(d, left[0]), os.path.join(d, "renamed-" + left[0]))
    for i in range(3):
        with open(os.path.join(d, "ny%d.txt" % i), "w", encoding="utf-8") as f:
            f.write(text(r, 2))


def killed(idx, args, delay, what):
    """Starts diarium-index with args, kills it after delay seconds."""
    p = subprocess.Popen([idx] + args, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE)
    try:
        p.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        p.send_signal(signal.SIGKILL)
    try:
        _, err = p.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        p.kill()
        raise Failed("%s: did not end after SIGKILL" % what)
    if p.returncode < 0 and p.returncode != -signal.SIGKILL:
        raise Failed("%s: killed by signal %d\n%s" % (
            what, -p.returncode, err.decode("utf-8", "replace")[-800:]))
    if p.returncode > 0 and p.returncode != 1:
        raise Failed("%s: exit %d before the kill\n%s" % (
            what, p.returncode, err.decode("utf-8", "replace")[-800:]))
    return p.returncode == -signal.SIGKILL


def tables(db):
    out = {}
    for n in sorted(os.listdir(db)):
        if n.endswith(".glass") or n == "iamglass":
            with open(os.path.join(db, n), "rb") as f:
                out[n] = f.read()
    return out


def one(seed, idx, work, pristine_db, pristine_docs, stats):
    r = random.Random(seed)
    kind = ("kill-nightly", "kill-full", "kill-first", "flip")[seed % 4]
    what = "seed %d (%s)" % (seed, kind)
    d = os.path.join(work, "docs")
    db = os.path.join(work, "db")
    shutil.rmtree(d, ignore_errors=True)
    shutil.rmtree(db, ignore_errors=True)
    for x in os.listdir(work):
        if x.startswith("db."):
            shutil.rmtree(os.path.join(work, x), ignore_errors=True)
    shutil.copytree(pristine_docs, d)
    if kind != "kill-first":
        shutil.copytree(pristine_db, db)

    if kind == "flip":
        names = [n for n in sorted(os.listdir(db))
                 if n.endswith(".glass") or n == "iamglass"]
        table = r.choice(names)
        flip_bits(os.path.join(db, table), r, r.choice((1, 2, 5, 20, 40)))
        what += " %s" % table
        before = tables(db)
        crc, msg = check(idx, db, what)
        change_docs(d, r)
        rc, out, err = run([idx, "--db", db, "--quiet", d], what + ", nightly run")
        if crc == 3:
            if rc != 3:
                raise Failed("%s: --check said NOT sound, the run exited %d\n%s%s"
                             % (what, rc, msg[-800:], err[-800:]))
            if tables(db) != before:
                raise Failed("%s: the run refused, yet the tables changed" % what)
            stats["flip: damaged, refused"] += 1
        else:
            if rc != 0:
                raise Failed("%s: --check said sound, the run exited %d\n%s"
                             % (what, rc, err[-800:]))
            must_be_sound(idx, db, what + ", after the run")
            stats["flip: sound, run"] += 1
        return

    if kind == "kill-nightly":
        change_docs(d, r)
        args = ["--db", db, "--batch", "1", "--jobs", "1", d]
    elif kind == "kill-full":
        change_docs(d, r)
        args = ["--db", db, "--full", "--batch", "2",
                "--jobs", str(r.choice((1, 2))), d]
    else:
        args = ["--db", db, "--batch", "2", "--jobs", str(r.choice((1, 2))), d]
    delay = r.uniform(0.0, 0.15)
    hit = killed(idx, args, delay, what)
    stats["%s: %s" % (kind, "killed" if hit else "finished first")] += 1
    if os.path.exists(os.path.join(db, "iamglass")):
        must_be_sound(idx, db, what + ", after the kill")
    rc, out, err = run([idx, "--db", db, "--quiet", d], what + ", the next run")
    if rc != 0:
        raise Failed("%s: the run after the kill exited %d\n%s" % (what, rc, err[-800:]))
    leftovers = [x for x in os.listdir(work) if x.startswith("db.")]
    if leftovers:
        raise Failed("%s: left beside the database: %s" % (what, leftovers))
    if seed % 10 < 4:  # (the next run checked it before writing anyway)
        must_be_sound(idx, db, what + ", after the next run")


def main():
    idx, work = sys.argv[1], sys.argv[2]
    first, count = int(sys.argv[3]), int(sys.argv[4])
    pristine_docs = os.path.join(work, "pristine-docs")
    pristine_db = os.path.join(work, "pristine-db")
    make_docs(pristine_docs, random.Random(38), 24)
    rc, out, err = run([idx, "--db", pristine_db, "--quiet", "--jobs", "1",
                        pristine_docs], "the first build")
    if rc != 0:
        sys.exit("fault_inject: the first build failed: %s" % err)
    run_dir = os.path.join(work, "run")
    os.makedirs(run_dir)
    stats = {}
    for k in ("kill-nightly", "kill-full", "kill-first"):
        stats[k + ": killed"] = stats[k + ": finished first"] = 0
    stats["flip: damaged, refused"] = stats["flip: sound, run"] = 0
    failed = []
    t0 = time.monotonic()
    for seed in range(first, first + count):
        try:
            one(seed, idx, run_dir, pristine_db, pristine_docs, stats)
        except Failed as e:
            failed.append(str(e))
    print("fault_inject: seeds %d..%d in %.1f s: %s" % (
        first, first + count - 1, time.monotonic() - t0,
        ", ".join("%s %d" % kv for kv in sorted(stats.items()))))
    for f in failed:
        print("FAILED " + f)
    sys.exit(1 if failed else 0)


main()
