#!/usr/bin/env python3
"""Corpus preparation for bench/speed.sh (not timed).

  speed_prep.py corpus SOURCE OUT COPIES
      SOURCE is a .tar.gz (../shared/corpus/g0vse-md.tar.gz) or a folder
      (the fallback: the repository's corpus/). Writes OUT/c0 .. OUT/c<N-1>,
      N = COPIES, as plain UTF-8 text files (.gz sources are decompressed,
      because scriptindex and FTS5 cannot read them). c0 is the source as it
      is; every other copy k is the same documents under a distinct path
      (so distinct document ids), with about 3 % of the words of four or
      more letters changed deterministically (two inner letters swapped,
      chosen by a CRC of copy, path and word number), so the copies do not
      share their whole vocabulary. Same input, same output, byte for byte.
      Prints one JSON line: {"files": n, "bytes": b}.

  speed_prep.py dumps DIR OUT_PREFIX
      scriptindex input for the text files under DIR (ids relative to DIR):
      OUT_PREFIX.file.dump  one record per file: id=, file= (the index script
                            `load`s it, so scriptindex reads the file itself)
      OUT_PREFIX.para.dump  one record per paragraph (blank-line separated):
                            id=, key=<id>#<n>, text= (newlines escaped as
                            scriptindex wants: a '=' after each newline)
      Prints {"files": n, "paragraphs": p}.
"""
import gzip
import io
import json
import os
import re
import sys
import tarfile
import zlib

TEXT_EXT = (".md", ".txt", ".md.gz", ".txt.gz")
WORD = re.compile(r"\w{4,}")


def mutate(text, copy, rel):
    """Swaps two inner letters of ~3 % of the words (deterministic)."""
    if copy == 0:
        return text
    salt = ("%d:%s:" % (copy, rel)).encode()
    counter = [0]

    def sub(m):
        i = counter[0]
        counter[0] += 1
        h = zlib.crc32(salt + str(i).encode())
        w = m.group(0)
        if h % 32 != 0:
            return w
        j = 1 + (h >> 8) % (len(w) - 2)
        return w[:j] + w[j + 1] + w[j] + w[j + 2:]

    return WORD.sub(sub, text)


def sources(src):
    """Yields (relative path without .gz, text) in a fixed order."""
    if os.path.isdir(src):
        names = []
        for dp, dn, fn in os.walk(src):
            dn[:] = sorted(d for d in dn if not d.startswith("."))
            for f in sorted(fn):
                if f.endswith(TEXT_EXT) and not f.startswith("."):
                    names.append(os.path.join(dp, f))
        for p in names:
            with open(p, "rb") as fh:
                data = fh.read()
            if p.endswith(".gz"):
                data = gzip.decompress(data)
            rel = os.path.relpath(p, src)
            yield rel[:-3] if rel.endswith(".gz") else rel, data
    else:
        docs = []
        with tarfile.open(src, "r:gz") as tar:  # read in archive order
            for m in tar:
                if m.isfile() and m.name.endswith(TEXT_EXT):
                    data = tar.extractfile(m).read()
                    if m.name.endswith(".gz"):
                        data = gzip.decompress(data)
                    rel = m.name[:-3] if m.name.endswith(".gz") else m.name
                    docs.append((rel, data))
        yield from sorted(docs)


def decode(data):
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def cmd_corpus(src, out, copies):
    docs = list(sources(src))
    files = nbytes = 0
    for k in range(copies):
        for rel, data in docs:
            if k:
                data = mutate(decode(data), k, rel).encode("utf-8")
            path = os.path.join(out, "c%d" % k, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as fh:
                fh.write(data)
            files += 1
            nbytes += len(data)
    print(json.dumps({"files": files, "bytes": nbytes}))


def cmd_dumps(root, prefix):
    names = []
    for dp, dn, fn in os.walk(root):
        dn[:] = sorted(d for d in dn if not d.startswith("."))
        for f in sorted(fn):
            if f.endswith((".md", ".txt")) and not f.startswith("."):
                names.append(os.path.join(dp, f))
    paras = 0
    with open(prefix + ".file.dump", "w", encoding="utf-8") as ff, \
            open(prefix + ".para.dump", "w", encoding="utf-8") as fp:
        for p in names:
            rel = os.path.relpath(p, root)
            ff.write("id=%s\nfile=%s\n\n" % (rel, os.path.abspath(p)))
            with open(p, "rb") as fh:
                text = decode(fh.read()).replace("\r\n", "\n")
            n = 0
            for para in re.split(r"\n[ \t\f\v\r]*\n", text):
                para = para.strip()
                if not para:
                    continue
                fp.write("id=%s\nkey=%s#%d\ntext=%s\n\n"
                         % (rel, rel, n, para.replace("\n", "\n=")))
                n += 1
            paras += n
    print(json.dumps({"files": len(names), "paragraphs": paras}))


def main(argv):
    if len(argv) == 5 and argv[1] == "corpus":
        cmd_corpus(argv[2], argv[3], int(argv[4]))
    elif len(argv) == 4 and argv[1] == "dumps":
        cmd_dumps(argv[2], argv[3])
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
