"""Small PDFs built here with fonts borrowed from the corpus's report PDFs.

The PDF readers (``archive.files.pdf`` and ``pdf_pdfium``) behave differently on embedded and
non-embedded fonts, so pages that exercise the fast reader need a real embedded font: ``Borrowed``
copies one (its Type 0 dictionary, descendant CID font, descriptor, font program and ToUnicode
map) out of a corpus PDF, and ``encode`` writes text in it. ``build`` writes a one-page PDF from
a content stream and the page's fonts, forms and extra objects.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from pdfminer.cmapdb import CMapParser, FileUnicodeMap
from pdfminer.pdftypes import PDFStream, resolve1
from pdfminer.psparser import PSKeyword, PSLiteral

from tests.paths import corpus_file


def pdf_value(value) -> bytes:
    """A pdfminer value written back as PDF syntax (references resolved, strings as hex)."""
    value = resolve1(value)
    if isinstance(value, PSLiteral):
        return b"/" + value.name.encode("utf-8") if isinstance(value.name, str) else b"/" + value.name
    if isinstance(value, PSKeyword):
        return value.name if isinstance(value.name, bytes) else value.name.encode()
    if isinstance(value, bool):
        return b"true" if value else b"false"
    if isinstance(value, (int, float)):
        return repr(value).encode()
    if isinstance(value, bytes):
        return b"<" + value.hex().encode() + b">"
    if isinstance(value, str):
        return b"<" + value.encode("latin-1").hex().encode() + b">"
    if isinstance(value, list):
        return b"[" + b" ".join(pdf_value(v) for v in value) + b"]"
    if isinstance(value, dict):
        return b"<<" + b" ".join(b"/" + k.encode() + b" " + pdf_value(v) for k, v in value.items()) + b">>"
    raise TypeError(f"cannot write {type(value).__name__}")


@dataclass
class Borrowed:
    """An embedded Type 0 font copied out of a corpus PDF, as objects ``first``, ``first``+1 …"""

    objects: dict[int, tuple[bytes, bytes | None]]  # number → (dictionary, stream data or None)
    font: int  # the Type 0 font's object number
    cids: dict[str, int]  # character → CID, from the font's ToUnicode map

    @classmethod
    def load(cls, rel: str, basefont: str, first: int = 100) -> "Borrowed":
        import pdfplumber

        with pdfplumber.open(io.BytesIO(corpus_file(rel))) as pdf:
            for page in pdf.pages:
                fonts = resolve1(resolve1(page.page_obj.resources).get("Font")) or {}
                for ref in fonts.values():
                    font = resolve1(ref)
                    if resolve1(font.get("BaseFont")).name == basefont:
                        return cls._copy(font, first)
        raise LookupError(f"{basefont} not in {rel}")

    @classmethod
    def _copy(cls, font: dict, first: int) -> "Borrowed":
        descendant = resolve1(resolve1(font["DescendantFonts"])[0])
        descriptor = resolve1(descendant["FontDescriptor"])
        program_key = next(k for k in ("FontFile2", "FontFile", "FontFile3") if k in descriptor)
        program = resolve1(descriptor[program_key])
        to_unicode = resolve1(font["ToUnicode"]).get_data()
        n_font, n_descendant, n_descriptor, n_program, n_unicode = range(first, first + 5)

        def plain(d: dict, skip=()) -> bytes:
            parts = []
            for k, v in d.items():
                if k in skip:
                    continue
                if isinstance(resolve1(v), PDFStream):
                    raise ValueError(f"cannot copy the stream /{k}")
                parts.append(b"/" + k.encode() + b" " + pdf_value(v))
            return b" ".join(parts)

        objects = {
            n_font: (b"<< /Type /Font /Subtype /Type0 /BaseFont " + pdf_value(font["BaseFont"])
                     + b" /Encoding /Identity-H /DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>" % (n_descendant, n_unicode),
                     None),
            n_descendant: (b"<< " + plain(descendant, ("FontDescriptor", "Type"))
                           + b" /Type /Font /FontDescriptor %d 0 R >>" % n_descriptor, None),
            n_descriptor: (b"<< " + plain(descriptor, (program_key, "Type"))
                           + b" /Type /FontDescriptor /%s %d 0 R >>" % (program_key.encode(), n_program), None),
            n_program: (b"<< /Length1 %d >>" % len(program.get_data()), program.get_data()),
            n_unicode: (b"<< >>", to_unicode),
        }
        unicode_map = FileUnicodeMap()
        CMapParser(unicode_map, io.BytesIO(to_unicode)).run()
        cids = {}
        for cid, text in sorted(unicode_map.cid2unichr.items()):
            cids.setdefault(text, cid)
        return cls(objects, n_font, cids)

    def encode(self, text: str) -> bytes:
        """``text`` as a hex string of CIDs (Identity-H)."""
        return b"<" + b"".join(b"%04x" % self.cids[ch] for ch in text) + b">"


def build(content: bytes, fonts: dict[str, Borrowed | bytes], *, forms: dict[str, bytes] | None = None,
          page_extra: bytes = b"", width: int = 400, height: int = 800) -> bytes:
    """A one-page PDF: ``content`` drawn with ``fonts`` (a borrowed font, or a font dictionary
    written out), ``forms`` (name → content of a form XObject using the same fonts),
    ``page_extra`` (more page dictionary entries, e.g. ``/Rotate 90``; a ``/MediaBox`` there replaces
    the default one)."""
    objects: dict[int, tuple[bytes, bytes | None]] = {1: (b"<< /Type /Catalog /Pages 2 0 R >>", None),
                                                       2: (b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", None)}
    refs, number = [], 10
    for name, font in fonts.items():
        if isinstance(font, Borrowed):
            objects.update(font.objects)
            refs.append(b"/%s %d 0 R" % (name.encode(), font.font))
        else:
            objects[number] = (font, None)
            refs.append(b"/%s %d 0 R" % (name.encode(), number))
            number += 1
    resources = b"/Font << " + b" ".join(refs) + b" >>"
    if forms:
        names = []
        for name, form in forms.items():
            objects[number] = (b"<< /Type /XObject /Subtype /Form /BBox [0 0 %d %d] /Resources << %s >> >>"
                               % (width, height, resources), form)
            names.append(b"/%s %d 0 R" % (name.encode(), number))
            number += 1
        resources += b" /XObject << " + b" ".join(names) + b" >>"
    media = b"" if b"/MediaBox" in page_extra else b"/MediaBox [0 0 %d %d] " % (width, height)
    objects[3] = (b"<< /Type /Page /Parent 2 0 R %s/Contents 4 0 R /Resources << %s >> %s >>"
                  % (media, resources, page_extra), None)
    objects[4] = (b"<< >>", content)
    return write_pdf(objects)


def write_pdf(objects: dict[int, tuple[bytes, bytes | None]], *, version: bytes = b"1.7", trailer: bytes = b"",
              seal=None) -> bytes:
    """A PDF file of ``objects`` (number → (dictionary, stream or None); object 1 the catalogue),
    with its cross-reference table. ``trailer``: entries added to the trailer dictionary;
    ``seal(number, stream)``: the stream as stored (encrypted, say)."""
    out = bytearray(b"%%PDF-%s\n%%\xe2\xe3\xcf\xd3\n" % version)
    offsets = {}
    for num in sorted(objects):
        offsets[num] = len(out)
        head, stream = objects[num]
        if stream is None:
            out += b"%d 0 obj\n%s\nendobj\n" % (num, head)
            continue
        if seal is not None:
            stream = seal(num, stream)
        head = head[:-2].rstrip() + b" /Length %d >>" % len(stream)
        out += b"%d 0 obj\n%s\nstream\n%s\nendstream\nendobj\n" % (num, head, stream)
    size = max(objects) + 1
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for num in range(1, size):
        out += b"%010d 00000 n \n" % offsets[num] if num in offsets else b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (size, trailer, xref)
    return bytes(out)
