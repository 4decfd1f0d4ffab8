#!/usr/bin/python3
"""make_pairs.py - training pages for the OCR damage model (issue 37).

Usage: make_pairs.py CORPUS_TAR OUT_DIR N [SEED [BLUR]]

Picks N documents of the corpus tarball (../shared/corpus/g0vse-md.tar.gz;
a fixed seed, so every run picks the same), turns each one's Markdown into
plain lines (headings, emphasis and links stripped, wrapped at 80
characters, at most 34 lines), draws them on a page with PIL, makes the
page look like a poor scan (a font size, blur and downscaling drawn from
the seed per page; BLUR, default 1: 1.4 blurs more and shrinks more, for
the rarer confusions of a bad scan: h/b, i/t, l/j), and reads the page with `tesseract -l eng` (the
English model: it knows no å, ä or ö, as in ../shared/eval-dev). Writes
OUT_DIR/clean/tNNNN.txt (the lines drawn) and OUT_DIR/observed/tNNNN.txt
(what Tesseract read). Pages already written are kept (a rerun resumes).

The pages are for learning only; they stay out of the repository (the
corpus is data for tests and benchmarks, see its README). Needs Pillow
(python3-pil), fonts-dejavu-core and tesseract-ocr-eng. One Tesseract at
a time, one thread (OMP_THREAD_LIMIT=1): the machine is shared.
"""
import os
import random
import re
import subprocess
import sys
import tarfile
import tempfile
import textwrap

from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONTS = ["/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
         "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"]


def plain(md):
    """Markdown to paragraphs of plain text."""
    out = []
    for para in re.split(r"\n\s*\n", md):
        t = para.strip()
        if not t or t.startswith("---") or t.startswith("|"):
            continue
        t = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", t)
        t = re.sub(r"^#+\s*", "", t, flags=re.M)
        t = re.sub(r"^\s*[-*+]\s+", "", t, flags=re.M)
        t = t.replace("**", "").replace("__", "").replace("*", "")
        t = re.sub(r"<[^>]*>", "", t)
        t = " ".join(t.split())
        if len(t) > 20 and not re.match(r"^\w+:\s", t):
            out.append(t)
    return out


def lines_of(paras):
    lines = []
    for p in paras:
        lines.extend(textwrap.wrap(p, 80, break_long_words=False,
                                   break_on_hyphens=False))
        lines.append("")
        if len(lines) >= 34:
            break
    return [x for x in lines[:34]]


def render(lines, rnd, blur):
    size = rnd.choice([30, 32, 34, 36])
    font = ImageFont.truetype(rnd.choice(FONTS), size)
    w, h = 2480, 120 + int(size * 1.5) * (len(lines) + 2)
    img = Image.new("L", (w, h), 255)
    d = ImageDraw.Draw(img)
    y = 60
    for t in lines:
        d.text((100, y), t, font=font, fill=0)
        y += int(size * 1.5)
    img = img.filter(ImageFilter.GaussianBlur(rnd.uniform(0.8, 1.8) * blur))
    scale = rnd.uniform(0.4, 0.62) / blur ** 0.5
    img = img.resize((int(w * scale), int(h * scale)), Image.BILINEAR)
    return img


def main():
    tar, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    rnd = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 37)
    blur = float(sys.argv[5]) if len(sys.argv) > 5 else 1.0
    os.makedirs(os.path.join(out, "clean"), exist_ok=True)
    os.makedirs(os.path.join(out, "observed"), exist_ok=True)
    # One pass through the (gzip: sequential) tarball: the documents at
    # positions drawn from the seed, in the order drawn.
    with tarfile.open(tar) as tf:
        names = sorted(m.name for m in tf if m.isfile()
                       and m.name.endswith(".md"))
    order = list(range(len(names)))
    rnd.shuffle(order)
    want = {names[i]: k for k, i in enumerate(order[:4 * n])}
    texts = {}
    with tarfile.open(tar) as tf:
        for m in tf:
            if m.name in want:
                texts[want[m.name]] = tf.extractfile(m).read().decode(
                    "utf-8", "replace")
    picked = []
    for k in sorted(texts):
        if len(picked) == n:
            break
        lines = lines_of(plain(texts[k]))
        words = sum(len(x.split()) for x in lines)
        if words < 120 or not re.search("[åäö]", " ".join(lines)):
            continue
        picked.append(lines)
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    for k, lines in enumerate(picked, 1):
        name = "t%04d.txt" % k
        obs = os.path.join(out, "observed", name)
        page_rnd = random.Random(rnd.random())
        img = render(lines, page_rnd, blur)
        if os.path.exists(obs):
            continue
        with tempfile.TemporaryDirectory() as tmp:
            png = os.path.join(tmp, "p.png")
            img.save(png, dpi=(150, 150))
            r = subprocess.run(["tesseract", png, "stdout", "-l", "eng"],
                               capture_output=True, env=env)
            if r.returncode != 0:
                print("%s: tesseract failed: %s" % (name, r.stderr[-200:]),
                      file=sys.stderr)
                continue
        with open(os.path.join(out, "clean", name), "w",
                  encoding="utf-8") as fh:
            fh.write("\n".join(lines) + "\n")
        with open(obs, "wb") as fh:
            fh.write(r.stdout)
        print(name, flush=True)


if __name__ == "__main__":
    main()
