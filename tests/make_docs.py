#!/usr/bin/env python3
"""make_docs.py - writes the test documents of extract/ into a folder.

Usage: make_docs.py OUTDIR [MAKER...]   (MAKER: a function below, e.g.
                                         scans; default all)

Every PDF, Word and OpenDocument file the tests read is made here, at test
time, each with one trap of issue 30 and a known answer (the tests hold the
answers). PDFs are drawn with reportlab (Debian python3-reportlab) in DejaVu
Sans (fonts-dejavu-core), so that ligature glyphs exist and carry their code
points; encrypted copies come from qpdf; .docx and .odt files are zip files
of XML written here. Exit status 0, or 1 with a message when something
needed is missing (the caller skips then).
"""
import io
import os
import subprocess
import sys
import zipfile
import zlib

try:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas
except ImportError:
    sys.exit("make_docs.py: python3-reportlab is not installed")

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
if not os.path.exists(FONT):
    sys.exit("make_docs.py: %s is missing (fonts-dejavu-core)" % FONT)
pdfmetrics.registerFont(TTFont("DejaVu", FONT))

OUT = sys.argv[1]
W, H = A4


def pdf(name):
    c = canvas.Canvas(os.path.join(OUT, name), pagesize=A4,
                      invariant=1)
    c.setFont("DejaVu", 11)
    return c


def lines(c, x, y, texts, lead=14, size=11):
    c.setFont("DejaVu", size)
    for t in texts:
        c.drawString(x, y, t)
        y -= lead
    return y


# Running headers and footers: a header of two parts (left, right), a
# footer "Sida N (4)" with the page number, on every page; body text that
# differs from page to page.
def headers():
    c = pdf("headers.pdf")
    bodies = [
        ["Sidan ett handlar om elevhälsan i kommunen och hur",
         "skolan arbetar med den."],
        ["Sidan två beskriver trygghet och studiero under",
         "läsåret."],
        ["Sidan tre redovisar betyg och bedömning i",
         "årskurs nio."],
        ["Sidan fyra avslutar med beslutet om uppföljning."],
    ]
    for i, body in enumerate(bodies):
        c.setFont("DejaVu", 9)
        c.drawString(72, H - 40, "Skolinspektionen")
        c.drawRightString(W - 72, H - 40, "Dnr 400-2022:5678")
        lines(c, 72, H - 120, body)
        c.setFont("DejaVu", 9)
        c.drawCentredString(W / 2, 40, "Sida %d (%d)" % (i + 1, len(bodies)))
        c.showPage()
    c.save()


# Line-end hyphens: one paragraph whose lines end where the trap is.
def hyphens():
    c = pdf("hyphens.pdf")
    lines(c, 72, H - 100, [
        "Huvudmannen behöver vidta flera åt-",
        "gärder inom elevhälsan. Enligt nya EU-",
        "regler ska beslutet med Dnr 400-",
        "2022:5678 följas upp under läsåret 2022-",
        "2023 av barn-",
        "och utbildningsnämnden som svarar via e-",
        "post och genom kompen\u00ad",
        "satoriska insatser för elever i Stockholms-",
        "Uppsala län, mellan för- eller",
        "eftermiddag enligt plan.",
    ])
    c.showPage()
    c.save()


# Ligatures: glyphs U+FB00-FB04 in the text layer.
def ligatures():
    c = pdf("ligatures.pdf")
    lines(c, 72, H - 100, [
        "Skolans \ufb01nansiering och e\ufb00ekten av o\ufb03ciella",
        "beslut, \ufb02era e\ufb04uenter och kommunens sta\ufb00.",
    ])
    c.showPage()
    c.save()


# Two columns side by side: a phrase read across the rows would join the
# last word of a left line with the first of the right line beside it.
def columns():
    c = pdf("columns.pdf")
    left = ["Kommunen har under året arbetat med",
            "elevhälsan och granskat hur skolorna",
            "följer upp frånvaron bland eleverna",
            "i grundskolan och i gymnasiet."]
    right = ["Nämnden beslutade därefter att ge",
             "förvaltningen i uppdrag att ta fram",
             "en plan för det fortsatta arbetet",
             "med trygghet och studiero."]
    lines(c, 72, H - 80, ["Tvåspaltig sida"], size=14)
    lines(c, 72, H - 120, left)
    lines(c, 310, H - 120, right)
    c.showPage()
    c.save()


# Page labels: i, ii, then 1, 2, 3; and a document without labels.
def labels():
    words = ["förord", "innehåll", "bakgrund", "bedömning", "beslut"]
    c = pdf("labels.pdf")
    for i in range(5):
        lines(c, 72, H - 100, ["Den här sidan har rubriken %s." % words[i]])
        c.showPage()
    c.addPageLabel(0, style="ROMAN_LOWER")
    c.addPageLabel(2, style="ARABIC", start=1)
    c.save()
    c = pdf("nolabels.pdf")
    for i in range(3):
        lines(c, 72, H - 100, ["Utan etikett, om %s." % words[i]])
        c.showPage()
    c.save()


# A page with text, a page that is only an image (a scan), a blank page.
def scan():
    from reportlab.lib.utils import ImageReader
    try:
        from PIL import Image, ImageDraw
    except ImportError:
        sys.exit("make_docs.py: python3-pil is not installed")
    img = Image.new("L", (200, 100), 255)
    ImageDraw.Draw(img).rectangle([20, 20, 180, 80], fill=0)
    c = pdf("scan.pdf")
    lines(c, 72, H - 100, ["Första sidan har ett textlager."])
    c.showPage()
    c.drawImage(ImageReader(img), 72, H - 300, 200, 100)
    c.showPage()
    c.showPage()
    c.save()


# Encrypted (needs a password), copy-restricted (only an owner password),
# truncated, and not a PDF at all.
def broken():
    c = pdf("plain.pdf")
    for t in ("Ett vanligt beslut om elevhälsa.", "Skälen för beslutet.",
              "Hur man överklagar."):
        lines(c, 72, H - 100, [t])
        c.showPage()
    c.save()
    src = os.path.join(OUT, "plain.pdf")
    subprocess.run(["qpdf", "--encrypt", "hemligt", "agare", "256", "--",
                    src, os.path.join(OUT, "encrypted.pdf")], check=True)
    subprocess.run(["qpdf", "--encrypt", "", "agare", "256", "--extract=n",
                    "--print=none", "--modify=none", "--",
                    src, os.path.join(OUT, "restricted.pdf")], check=True)
    data = open(src, "rb").read()
    open(os.path.join(OUT, "truncated.pdf"), "wb").write(
        data[:len(data) * 6 // 10])
    open(os.path.join(OUT, "notpdf.pdf"), "wb").write(
        b"Detta \xe4r ingen PDF, bara text.\n")


def write_pdf(name, objs):
    """A PDF of the objects given (object 1 is the catalog), by hand."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offs = []
    for i, o in enumerate(objs):
        offs.append(out.tell())
        out.write(b"%d 0 obj\n" % (i + 1) + o + b"\nendobj\n")
    x = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1))
    for o in offs:
        out.write(b"%010d 00000 n \n" % o)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objs) + 1, x))
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(out.getvalue())


# Many pages that share one content stream of thousands of words, each at
# its own place: cheap to write (a few hundred KB), costly to read (the CPU
# time and memory limits stop it; poppler itself caps the characters of
# one page, so the cost is in the number of pages).
def heavy():
    npages = 2000
    line = b"(abcdefgh) Tj 9 0 Td " * 60 + b"-540 -10 Td\n"
    content = b"BT /F1 8 Tf 20 820 Td\n" + line * 80 + b"ET\n"
    stream = zlib.compress(content, 9)
    first_page = 6
    kids = b" ".join(b"%d 0 R" % (first_page + i) for i in range(npages))
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % npages,
        b"<< /Font << /F1 5 0 R >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream)
        + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    for i in range(npages):
        objs.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                    b"/Contents 4 0 R /Resources 3 0 R >>")
    write_pdf("heavy.pdf", objs)


# A font program that inflates to 320 MiB: poppler reads an embedded
# Type 1 font whole to learn its encoding (the memory limit stops it).
def memory():
    z = zlib.compressobj(9)
    chunk = b"\0" * (1 << 20)
    font = b"".join([z.compress(chunk) for _ in range(320)] + [z.flush()])
    content = b"BT /F1 12 Tf 72 720 Td (Minnesbomb) Tj ET\n"
    write_pdf("memory.pdf", [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content
        + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Bomb "
        b"/FontDescriptor 6 0 R >>",
        b"<< /Type /FontDescriptor /FontName /Bomb /Flags 32 /FontBBox "
        b"[0 0 1000 1000] /ItalicAngle 0 /Ascent 800 /Descent -200 "
        b"/CapHeight 700 /StemV 80 /FontFile 7 0 R >>",
        b"<< /Length %d /Length1 100 /Length2 100 /Length3 0 "
        b"/Filter /FlateDecode >>\nstream\n" % len(font) + font
        + b"\nendstream",
    ])


W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
WPS_NS = "http://schemas.microsoft.com/office/word/2010/wordprocessingShape"

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Default Extension="xml" ContentType="application/xml"/>'
    '</Types>')
RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/></Relationships>')


def docx_file(name, body, footnotes=None, raw_document=None):
    with zipfile.ZipFile(os.path.join(OUT, name), "w",
                         zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", RELS)
        doc = raw_document or (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<w:document xmlns:w="%s" xmlns:mc="%s" xmlns:wps="%s">'
            '<w:body>%s</w:body></w:document>' % (W_NS, MC_NS, WPS_NS, body))
        z.writestr("word/document.xml", doc)
        if footnotes:
            z.writestr("word/footnotes.xml",
                       '<?xml version="1.0" encoding="UTF-8"?>'
                       '<w:footnotes xmlns:w="%s">%s</w:footnotes>'
                       % (W_NS, footnotes))


def p(*runs):
    return "<w:p><w:pPr><w:pStyle w:val=\"Normal\"/></w:pPr>%s</w:p>" % \
        "".join(runs)


def r(text):
    return '<w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">%s</w:t>' \
        '</w:r>' % text


def docx():
    body = "".join([
        p(r("Beslut om "), r("kompensatoriska åtgärder")),
        p(r("Skolan ska "), "<w:del><w:r><w:delText>inte </w:delText></w:r>"
          "</w:del>", r("vidta åtgärder"), "<w:r><w:tab/></w:r>",
          r("senast"), "<w:r><w:br/></w:r>", r("den 1 juni.")),
        p(r("Barn"), "<w:r><w:noBreakHyphen/></w:r>",
          r("och elevhälsa, "), r("kom\u00adpensatorisk "),
          r("e\ufb00ekt.")),
        "<w:tbl><w:tr><w:tc>%s</w:tc><w:tc>%s</w:tc></w:tr></w:tbl>"
        % (p(r("Kommun")), p(r("Gävle"))),
        p(r("Se rutan: "),
          '<w:r><mc:AlternateContent><mc:Choice Requires="wps">'
          '<w:drawing><wps:txbx><w:txbxContent>%s</w:txbxContent></wps:txbx>'
          '</w:drawing></mc:Choice><mc:Fallback><w:pict><w:txbxContent>%s'
          '</w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent>'
          '</w:r>' % (p(r("Text i en ruta.")), p(r("Text i en ruta."))),
          '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
          '<w:r><w:instrText> PAGE </w:instrText></w:r>',
          r(" efter rutan.")),
    ])
    docx_file("decision.docx", body,
              footnotes='<w:footnote w:id="1">%s</w:footnote>'
              % p(r("Fotnot om skollagen.")))
    # Broken ones.
    data = open(os.path.join(OUT, "decision.docx"), "rb").read()
    open(os.path.join(OUT, "truncated.docx"), "wb").write(
        data[:len(data) // 2])
    open(os.path.join(OUT, "encrypted.docx"), "wb").write(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    laughs = ('<?xml version="1.0"?><!DOCTYPE w:document ['
              '<!ENTITY a "hahahahahahahahahaha">'
              '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
              '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">'
              '<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>'
              '<w:document xmlns:w="%s"><w:body><w:p><w:r><w:t>&d;</w:t>'
              '</w:r></w:p></w:body></w:document>' % W_NS)
    docx_file("laughs.docx", "", raw_document=laughs)
    # A zip bomb: 64 MiB of spaces in the document part (a few KB zipped).
    with zipfile.ZipFile(os.path.join(OUT, "bomb.docx"), "w",
                         zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", RELS)
        z.writestr("word/document.xml", b" " * (64 << 20))


T_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
O_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
TB_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"


def odt_file(name, body, encrypted=False):
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="%s" xmlns:text="%s" '
        'xmlns:table="%s" office:version="1.2"><office:body><office:text>'
        '%s</office:text></office:body></office:document-content>'
        % (O_NS, T_NS, TB_NS, body))
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
        'opendocument:xmlns:manifest:1.0"><manifest:file-entry '
        'manifest:full-path="content.xml" manifest:media-type="text/xml">%s'
        '</manifest:file-entry></manifest:manifest>'
        % ('<manifest:encryption-data manifest:checksum-type="SHA1" '
           'manifest:checksum="x"/>' if encrypted else ""))
    with zipfile.ZipFile(os.path.join(OUT, name), "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"),
                   "application/vnd.oasis.opendocument.text")
        z.writestr("META-INF/manifest.xml", manifest,
                   compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)


def odt():
    body = "".join([
        '<text:sequence-decls><text:sequence-decl text:name="Table"/>'
        '</text:sequence-decls>',
        '<text:tracked-changes><text:changed-region text:id="c1">'
        '<text:deletion><text:p>Borttagen mening.</text:p></text:deletion>'
        '</text:changed-region></text:tracked-changes>',
        '<text:h text:outline-level="1">Tillsynsbeslut</text:h>',
        '<text:p>Skolan <text:span>har brister</text:span> i'
        '<text:s text:c="2"/>arbetet<text:tab/>med'
        '<text:line-break/>studiero och o\ufb03ciella rutiner.'
        '<text:note text:note-class="footnote"><text:note-citation>1'
        '</text:note-citation><text:note-body><text:p>Enligt skollagen.'
        '</text:p></text:note-body></text:note> Mer text.</text:p>',
        '<text:list><text:list-item><text:p>Första punkten</text:p>'
        '</text:list-item><text:list-item><text:p>Andra punkten</text:p>'
        '</text:list-item></text:list>',
        '<table:table><table:table-row><table:table-cell><text:p>Kommun'
        '</text:p></table:table-cell><table:table-cell><text:p>Umeå</text:p>'
        '</table:table-cell></table:table-row></table:table>',
    ])
    odt_file("decision.odt", body)
    odt_file("encrypted.odt", "<text:p>x</text:p>", encrypted=True)


# ------------------------------------------------------------------ scans
# Scanned pages (issue 31): Swedish text drawn into grey page images at
# 300 dpi with DejaVu Serif (fonts-dejavu-core) by Pillow, then put into
# PDFs as images (no text layer) or written as image files. The tests
# hold the text and check what OCR reads against it.
SERIF = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
DPI = 300
A4PX = (2480, 3508)

SCAN_BODY = [
    "Skolinspektionen förelägger Västerås kommun",
    "att vidta åtgärder enligt 26 kap. 10 § skollagen.",
    "Överklagandenämnden avslår överklagandet.",
    "Beslutet får överklagas enligt 28 kap. 5 §",
    "skollagen hos allmän förvaltningsdomstol.",
]
SCAN_PAGE1 = [
    "Huvudmannen ska senast den 1 juni vidta åt-",
    "gärder så att eleverna får det stöd de behöver.",
]
SCAN_PAGE2 = [
    "Rektorn ansvarar för att skolans elevhälsa",
    "arbetar förebyggande och hälsofrämjande.",
]


def page_image(body, header=None, footer=None, size=A4PX, top=420,
               px=46, lead=70):
    from PIL import Image, ImageDraw, ImageFont
    img = Image.new("L", size, 255)
    d = ImageDraw.Draw(img)
    f = ImageFont.truetype(SERIF, px)
    small = ImageFont.truetype(SERIF, 36)
    if header:
        d.text((300, 160), header[0], font=small, fill=0)
        w = d.textlength(header[1], font=small)
        d.text((size[0] - 300 - w, 160), header[1], font=small, fill=0)
    y = top
    for t in body:
        d.text((300, y), t, font=f, fill=0)
        y += lead
    if footer:
        w = d.textlength(footer, font=small)
        d.text(((size[0] - w) / 2, size[1] - 220), footer, font=small, fill=0)
    return img


def image_page(c, img):
    from reportlab.lib.utils import ImageReader
    c.drawImage(ImageReader(img), 0, 0, W, H)


def scans():
    try:
        from PIL import Image
    except ImportError:
        sys.exit("make_docs.py: python3-pil is not installed")
    if not os.path.exists(SERIF):
        sys.exit("make_docs.py: %s is missing (fonts-dejavu-core)" % SERIF)
    # A mixed PDF: a text page, a scanned page, a blank page.
    c = pdf("scanmixed.pdf")
    lines(c, 72, H - 100, ["Första sidan har ett textlager."])
    c.showPage()
    image_page(c, page_image(SCAN_BODY))
    c.showPage()
    c.showPage()
    c.save()
    # Only scanned pages, with a running header and footer and a word
    # split at a line end.
    c = pdf("scanonly.pdf")
    for i, body in enumerate((SCAN_PAGE1, SCAN_PAGE2)):
        image_page(c, page_image(body, ("Skolinspektionen", "Dnr 2022:5678"),
                                 "Sida %d (2)" % (i + 1)))
        c.showPage()
    c.save()
    # A scan with a few characters of text laid over it (a stamp).
    c = pdf("stamp.pdf")
    image_page(c, page_image(SCAN_BODY))
    c.setFont("DejaVu", 9)
    c.drawString(W - 150, H - 30, "Inkom 2022-03-04")
    c.showPage()
    c.save()
    # A scan under a junk text layer: invisible text whose characters are
    # private-use code points (a font without a usable character map).
    c = pdf("junk.pdf")
    image_page(c, page_image(SCAN_BODY))
    t = c.beginText(72, H - 100)
    t.setTextRenderMode(3)
    t.setFont("DejaVu", 11)
    for k in range(3):
        t.textLine("".join(chr(0xE000 + (k * 40 + j) % 64) for j in range(40)))
    c.drawText(t)
    c.showPage()
    c.save()
    # Image files: PNG, JPEG, and a TIFF of two pages.
    strip = (A4PX[0], 900)
    page_image(SCAN_BODY, size=strip, top=200).save(
        os.path.join(OUT, "scan.png"), dpi=(DPI, DPI))
    page_image(SCAN_BODY, size=strip, top=200).save(
        os.path.join(OUT, "scan.jpg"), dpi=(DPI, DPI), quality=90)
    p1 = page_image(SCAN_PAGE1, size=strip, top=200)
    p2 = page_image(SCAN_PAGE2, size=strip, top=200)
    p1.save(os.path.join(OUT, "scan2.tif"), dpi=(DPI, DPI), save_all=True,
            append_images=[p2], compression="tiff_deflate")
    # Bad images: one cut in half, one whose header claims 100000 x 100000
    # pixels.
    with open(os.path.join(OUT, "scan.png"), "rb") as f:
        png = f.read()
    with open(os.path.join(OUT, "cut.png"), "wb") as f:
        f.write(png[:len(png) // 2])

    def chunk(kind, data):
        return (len(data).to_bytes(4, "big") + kind + data
                + (zlib.crc32(kind + data) & 0xFFFFFFFF).to_bytes(4, "big"))
    ihdr = (100000).to_bytes(4, "big") * 2 + bytes([8, 0, 0, 0, 0])
    with open(os.path.join(OUT, "huge.png"), "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
                + chunk(b"IDAT", zlib.compress(b"\0" * 100)) + chunk(b"IEND", b""))
    # A page too large to read (200 x 200 inches), then a text page.
    c = canvas.Canvas(os.path.join(OUT, "hugepage.pdf"), invariant=1)
    c.setPageSize((14400, 14400))
    from reportlab.lib.utils import ImageReader
    c.drawImage(ImageReader(page_image(SCAN_BODY, size=(600, 400), top=50,
                                       px=20, lead=30)), 0, 0, 14400, 14400)
    c.showPage()
    c.setPageSize(A4)
    lines(c, 72, H - 100, ["Sidan efter den stora sidan läses."])
    c.showPage()
    c.save()
    # A page dense with small text: far more than a second of OCR.
    dense = ["Skolinspektionen förelägger Västerås kommun att vidta "
             "åtgärder %d enligt skollagen." % i for i in range(110)]
    c = pdf("dense.pdf")
    image_page(c, page_image(dense, top=150, px=26, lead=30))
    c.showPage()
    lines(c, 72, H - 100, ["Sidan efter den täta sidan läses."])
    c.showPage()
    c.save()


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    makers = (headers, hyphens, ligatures, columns, labels, scan, broken,
              heavy, memory, docx, odt, scans)
    chosen = sys.argv[2:]
    for make in makers:
        if not chosen or make.__name__ in chosen:
            make()
