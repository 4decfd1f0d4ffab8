#!/usr/bin/env python3
"""check_docs.py — the users' documentation against the programs.

Run by tests/e2e_docs.sh (also by hand):

    check_docs.py readme README BIN_DIR       the README's synopses and options
    check_docs.py sample README QUERY_OUTPUT  its sample result is true
    check_docs.py man MAN_DIR BIN_DIR         the man pages' options

`readme`: each synopsis block of the README (a fenced block whose lines start
with a program's name, then options) names exactly the options of that
program's --help (less --help and --version); every option a command line
in the README gives a program is in that program's --help; every other
--option the README names belongs to some program or to the build tools the
README shows (cmake, ctest, systemctl, xapian-tcpsrv); the ExecStart lines of the systemd
units in contrib/systemd give their program only options it has.

`sample`: every result heading ("1. DOC  passage P, score S — ...") and
snippet line of the README's sample result appears, in that order, in the
text output of the quick start's query (QUERY_OUTPUT, a file).

`man`: MAN_DIR/PROG.1 exists for each program; every option of PROG --help
is an entry of its OPTIONS section, and every option an entry there names
is in --help; options in its SYNOPSIS are in --help, and a SYNOPSIS that
lists options (rather than "[OPTION]...") lists all of them.

Exit 0 when all holds; else 1, each problem on its own line.
"""
import os
import re
import subprocess
import sys

PROGRAMS = ("diarium-index", "diarium-query", "diarium-serve",
            "diarium-extract")
# Options of other tools that the README shows in commands.
TOOL_OPTIONS = {"--test-dir", "--output-on-failure", "--install", "--build",
                "--prefix", "--now",
                "--port", "--interface"}  # xapian-tcpsrv (shards)
# Short forms that --help gives beside their long option ("-o, --output").
ALIASES = {"-o": "--output", "--output": "-o"}
OPTION = re.compile(r"(?<![\w-])(--[a-z][a-z0-9-]*|-o)(?![\w-])")


def help_options(bin_dir, prog):
    """The long options (and -o) named in PROG --help."""
    out = subprocess.run([f"{bin_dir}/{prog}", "--help"], capture_output=True,
                         text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"{prog} --help: exit status {out.returncode}")
    return set(OPTION.findall(out.stdout))


def fenced_blocks(text):
    """(first line number, lines) of each fenced code block."""
    blocks, cur, start = [], None, 0
    for n, line in enumerate(text.splitlines(), 1):
        if line.startswith("```"):
            if cur is None:
                cur, start = [], n + 1
            else:
                blocks.append((start, cur))
                cur = None
        elif cur is not None:
            cur.append(line)
    return blocks


def program_of(line):
    """The program a command line runs (by its file name), or None."""
    m = re.match(r"\s*(?:\S*/)?(diarium-[a-z]+)\b", line)
    return m.group(1) if m and m.group(1) in PROGRAMS else None


def check_readme(readme, bin_dir):
    text = open(readme, encoding="utf-8").read()
    helps = {p: help_options(bin_dir, p) for p in PROGRAMS}
    problems = []
    synopsis_seen = set()
    for start, lines in fenced_blocks(text):
        # A synopsis: every line is the program's name then options, or a
        # continuation line (indented, starting with "[").
        first = program_of(lines[0]) if lines else None
        is_synopsis = bool(first) and all(
            re.match(r"\s*" + re.escape(first) + r" \[", l)
            or re.match(r"\s+\[", l) for l in lines)
        if is_synopsis:
            opts = set(OPTION.findall("\n".join(lines)))
            opts |= {ALIASES[o] for o in opts if o in ALIASES}
            want = helps[first] - {"--help", "--version"}
            for o in sorted(opts - helps[first]):
                problems.append(f"README:{start}: synopsis of {first} names "
                                f"{o}, which its --help does not have")
            for o in sorted(want - opts):
                problems.append(f"README:{start}: synopsis of {first} lacks "
                                f"{o} (in its --help)")
            synopsis_seen.add(first)
            continue
        for k, line in enumerate(lines):
            # Command lines in examples, also in crontab lines and after a
            # shell prompt-less "&&".
            for part in re.split(r"&&|\|", line):
                words = part.split()
                for i, w in enumerate(words):
                    prog = program_of(w)
                    if not prog:
                        continue
                    for o in OPTION.findall(" ".join(words[i + 1:])):
                        if o not in helps[prog]:
                            problems.append(
                                f"README:{start + k}: {prog} is given {o}, "
                                "which its --help does not have")
                    break
    # The systemd units the README points to (contrib/systemd).
    units = os.path.join(os.path.dirname(os.path.abspath(readme)),
                         "contrib", "systemd")
    for name in sorted(os.listdir(units)) if os.path.isdir(units) else []:
        for n, line in enumerate(open(os.path.join(units, name),
                                      encoding="utf-8"), 1):
            if not line.startswith("ExecStart="):
                continue
            words = line[len("ExecStart="):].split()
            prog = program_of(words[0]) if words else None
            if not prog:
                problems.append(f"{name}:{n}: ExecStart runs no diarium program")
                continue
            for o in OPTION.findall(" ".join(words[1:])):
                if o not in helps[prog]:
                    problems.append(f"{name}:{n}: {prog} is given {o}, which "
                                    "its --help does not have")
    for p in PROGRAMS:
        if p not in synopsis_seen:
            problems.append(f"README: no synopsis block for {p}")
    known = set().union(*helps.values()) | TOOL_OPTIONS
    for n, line in enumerate(text.splitlines(), 1):
        for o in OPTION.findall(line):
            if o not in known:
                problems.append(f"README:{n}: {o} is no option of any "
                                "program (nor of cmake, ctest, systemctl, "
                                "xapian-tcpsrv)")
    return problems


def check_sample(readme, output_file):
    text = open(readme, encoding="utf-8").read()
    m = re.search(r"^## A sample result\n(.*?)^## ", text, re.S | re.M)
    if not m:
        return ["README: no section '## A sample result'"]
    blocks = fenced_blocks(m.group(1))
    if not blocks:
        return ["README: the sample result has no code block"]
    out = open(output_file, encoding="utf-8").read().splitlines()
    problems, pos, checked = [], 0, 0
    for line in blocks[0][1]:
        if not line.strip():
            continue
        # A shortened snippet line ends in "…" where the README cut it.
        want = line.rstrip()
        cut = want.endswith(" …") and not re.match(r"\d+\. ", want)
        if cut:
            want = want[:-2]
        for i in range(pos, len(out)):
            got = out[i].rstrip()
            if got == want or (cut and got.startswith(want)):
                pos = i + 1
                checked += 1
                break
        else:
            problems.append(f"README sample: not in the query's output (in "
                            f"this order): {line.strip()[:100]}")
    if checked == 0 and not problems:
        problems.append("README sample: nothing to check")
    return problems


def roff_text(line):
    """A roff source line as plain text: escapes for '-', fonts, spaces."""
    line = re.sub(r"\\f(\[[^]]*\]|\(..|.)", "", line)
    return (line.replace("\\-", "-").replace("\\ ", " ")
            .replace("\\&", "").replace("\\c", ""))


def man_sections(path):
    """{SECTION: [lines]} of a man page (roff requests kept)."""
    sections, cur = {}, None
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith('.\\"'):
            continue
        m = re.match(r"\.SH\s+\"?([^\"]*)\"?", line)
        if m:
            cur = m.group(1).strip().upper()
            sections[cur] = []
        elif cur:
            sections[cur].append(line)
    return sections


def check_man(man_dir, bin_dir):
    problems = []
    for prog in PROGRAMS:
        path = os.path.join(man_dir, prog + ".1")
        if not os.path.isfile(path):
            problems.append(f"{path}: missing")
            continue
        helps = help_options(bin_dir, prog)
        sec = man_sections(path)
        name = os.path.basename(path)
        for want in ("NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS",
                     "EXIT STATUS"):
            if want not in sec:
                problems.append(f"{name}: no {want} section")
        # The entries of OPTIONS: the line after each .TP.
        lines = sec.get("OPTIONS", [])
        entries = set()
        for i, line in enumerate(lines):
            if line.startswith(".TP") and i + 1 < len(lines):
                tag = roff_text(lines[i + 1])
                found = set(OPTION.findall(tag))
                for o in sorted(found - helps):
                    problems.append(f"{name}: OPTIONS has {o}, which "
                                    f"{prog} --help does not")
                entries |= found
        for o in sorted(helps - entries):
            problems.append(f"{name}: OPTIONS has no entry for {o} (in "
                            f"{prog} --help)")
        syn = roff_text("\n".join(sec.get("SYNOPSIS", [])))
        syn_opts = set(OPTION.findall(syn))
        syn_opts |= {ALIASES[o] for o in syn_opts if o in ALIASES}
        for o in sorted(syn_opts - helps):
            problems.append(f"{name}: SYNOPSIS has {o}, which {prog} --help "
                            "does not")
        if "OPTION" not in syn:
            for o in sorted(helps - {"--help", "--version"} - syn_opts):
                problems.append(f"{name}: SYNOPSIS lacks {o} (in {prog} "
                                "--help)")
    return problems


def main(argv):
    if len(argv) != 4 or argv[1] not in ("readme", "sample", "man"):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    if argv[1] == "readme":
        problems = check_readme(argv[2], argv[3])
    elif argv[1] == "sample":
        problems = check_sample(argv[2], argv[3])
    else:
        problems = check_man(argv[2], argv[3])
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
