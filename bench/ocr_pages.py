#!/usr/bin/env python3
"""ocr_pages.py - scanned pages of known text for bench/ocr.sh (issue 31).

Usage: ocr_pages.py CLEAN_DIR OUT_DIR N

Takes the first N texts of CLEAN_DIR (sorted by name; for instance
../shared/eval-dev/dev/clean), wraps each to lines of at most 72
characters at spaces, and draws its first 40 lines on a grey A4 page at
300 dpi in DejaVu Serif 11 pt (fonts-dejavu-core), then makes it look
scanned: turned by a small angle (up to 0.8 degrees either way), a little
blur, speckle (dark dots) and a faint grey background noise, all from a
fixed seed, so every run makes the same pages. Writes for page k
(k = 001 ...):
  pk.png   the page image (300 dpi)
  pk.pdf   that image as a one-page PDF without a text layer
  pk.txt   the lines drawn (the reference for word accuracy)
Needs Pillow and reportlab (python3-pil, python3-reportlab).
"""
import os
import random
import sys
import textwrap

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

SERIF = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
SIZE = (2480, 3508)


def lines_of(text):
    out = []
    for para in text.split("\n\n"):
        para = " ".join(para.split())
        if not para:
            continue
        out.extend(textwrap.wrap(para, 72, break_long_words=False,
                                 break_on_hyphens=False))
    return out[:40]


def page(lines, rnd):
    img = Image.new("L", SIZE, 255)
    d = ImageDraw.Draw(img)
    f = ImageFont.truetype(SERIF, 46)
    y = 260
    for t in lines:
        d.text((260, y), t, font=f, fill=0)
        y += 72
    img = img.rotate(rnd.uniform(-0.8, 0.8), resample=Image.BICUBIC,
                     fillcolor=255)
    img = img.filter(ImageFilter.GaussianBlur(0.8))
    px = img.load()
    for _ in range(3000):  # speckle
        x, yy = rnd.randrange(SIZE[0]), rnd.randrange(SIZE[1])
        px[x, yy] = rnd.randrange(0, 120)
    # A faint grey grain over the paper.
    grain = Image.effect_noise(SIZE, 16).point(
        lambda v: 255 - min(40, abs(v - 128) // 2))
    return ImageChops.darker(img, grain)


def main():
    clean, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    os.makedirs(out, exist_ok=True)
    rnd = random.Random(31)
    names = sorted(x for x in os.listdir(clean) if x.endswith(".txt"))[:n]
    for k, name in enumerate(names, 1):
        with open(os.path.join(clean, name), encoding="utf-8") as fh:
            lines = lines_of(fh.read())
        img = page(lines, rnd)
        base = os.path.join(out, "p%03d" % k)
        img.save(base + ".png", dpi=(300, 300))
        c = canvas.Canvas(base + ".pdf", pagesize=A4, invariant=1)
        c.drawImage(ImageReader(img), 0, 0, A4[0], A4[1])
        c.showPage()
        c.save()
        with open(base + ".txt", "w", encoding="utf-8") as fh:
            fh.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
