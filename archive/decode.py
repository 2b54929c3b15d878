"""Bytes → text, the way a careful archivist would do it.

Order of evidence (see ``decode_html``):

1. a byte-order mark (UTF-8, UTF-16 LE/BE, UTF-32) — it wins over any declaration,
   because a page saved by a browser as UTF-16 keeps its old ``<meta charset=gb2312>``;
2. the charset declared by the HTTP ``Content-Type`` header, then by ``<meta>``,
   with the GB family (gb2312, gbk, x-gbk, …) read as gb18030, its superset —
   accepted only if the whole body decodes strictly with it;
3. a declared codec that fails on only a few bytes (a truncated character, a stray byte in an
   otherwise valid page): it still wins over a detector's guess, the bad bytes become U+FFFD and
   ``errors`` says how many;
4. chardet, when nothing is declared or the declared codec fails on more than a few bytes.

The result records which codec was used and how it was decided, so that a later
reader can redo the decoding from the stored raw bytes.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

import chardet

# Codecs whose declared name is too narrow for what servers actually send.
_WIDEN = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "cp936": "gb18030",
    "x-gbk": "gb18030",
    "gb_2312-80": "gb18030",
    "euc-cn": "gb18030",
    "hz-gb-2312": "gb18030",
    "iso-8859-1": "cp1252",  # WHATWG: latin-1 labels mean windows-1252
    "latin-1": "cp1252",
    "ascii": "cp1252",
    "us-ascii": "cp1252",
    "big5": "big5hkscs",
}

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:\-]+)", re.I)
# <meta charset="x"> and <meta http-equiv="Content-Type" content="text/html; charset=x">,
# attributes in any order; only the head of the document is searched.
_META_CHARSET = re.compile(
    rb"<meta[^>]+?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:\-]+)", re.I
)
_XML_ENCODING = re.compile(rb"\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9_.:\-]+)", re.I)
_META_SCAN_BYTES = 4096


class DecodeError(ValueError):
    """The bytes are not text in any encoding we can justify."""


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # Python codec name actually used
    method: str  # "bom" | "http-header" | "meta" | "detected" | "fallback"
    declared: str | None = None  # charset the page or server claimed, as written
    confidence: float | None = None  # detector confidence, for method == "detected"
    errors: int = 0  # bytes sequences that did not decode and became U+FFFD (declared codec, rule 3)

    def as_provenance(self) -> dict:
        return {
            "encoding": self.encoding,
            "encoding_method": self.method,
            "encoding_declared": self.declared,
            "encoding_confidence": self.confidence,
            "encoding_errors": self.errors,
        }


def normalise_codec(label: str) -> str | None:
    """Map a charset label to the Python codec we decode it with, or None if unknown."""
    label = label.strip().strip("\"'").lower()
    if not label:
        return None
    label = _WIDEN.get(label, label)
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    # codecs.lookup("gb2312") → "gb2312": widen again after aliasing.
    return _WIDEN.get(name, name)


def header_charset(content_type: str | bytes | None) -> str | None:
    if not content_type:
        return None
    if isinstance(content_type, bytes):
        content_type = content_type.decode("latin-1")
    m = _HEADER_CHARSET.search(content_type)
    return m.group(1) if m else None


def meta_charset(body: bytes) -> str | None:
    """The charset a page declares in its head: ``<meta>``, else an XML declaration's encoding."""
    head = body[:_META_SCAN_BYTES]
    m = _META_CHARSET.search(head) or _XML_ENCODING.match(head)
    return m.group(1).decode("ascii", "replace") if m else None


def _strict(body: bytes, codec: str) -> str | None:
    try:
        return body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _few_errors(body: bytes, codec: str) -> tuple[str, int] | None:
    """The body decoded with U+FFFD for what does not decode, if that is only a few sequences
    (at most 4, or 0.5 % of the non-ASCII bytes): a damaged page in its declared codec, not a
    page in another codec."""
    try:
        text = body.decode(codec, "replace")
        already = body.count("\ufffd".encode(codec))
    except (LookupError, UnicodeEncodeError):
        return None
    errors = text.count("\ufffd") - already
    non_ascii = sum(1 for b in body if b > 0x7F)
    return (text, errors) if 0 < errors <= max(4, non_ascii // 200) else None


def _bom(body: bytes) -> tuple[str, int] | None:
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return codec, len(bom)
    return None


def decode_html(body: bytes, content_type: str | bytes | None = None) -> Decoded:
    """Decode an HTML (or other text) body; see the module docstring for the rules."""
    if not isinstance(body, (bytes, bytearray)):
        raise TypeError("decode_html takes bytes, not %s" % type(body).__name__)
    body = bytes(body)

    bom = _bom(body)
    if bom:
        codec, skip = bom
        text = _strict(body[skip:], codec)
        if text is not None:
            declared = meta_charset(text[:_META_SCAN_BYTES].encode("ascii", "replace")) or header_charset(content_type)
            return Decoded(text, codec, "bom", declared=declared)

    declared_header = header_charset(content_type)
    declared_meta = meta_charset(body)
    candidates = []
    for method, label in (("http-header", declared_header), ("meta", declared_meta)):
        if not label:
            continue
        codec = normalise_codec(label)
        if codec is None or codec.startswith("utf-16") or codec.startswith("utf-32"):
            # A UTF-16 declaration without a BOM on an HTML page is almost always a lie
            # (the meta tag itself was readable as ASCII); let detection decide.
            continue
        if codec == "cp1252" and not body.isascii():
            # Servers (Tomcat, IIS) add "charset=ISO-8859-1" by default; on a page with
            # non-ASCII bytes it is never the truth for a Chinese government site.
            continue
        text = _strict(body, codec)
        if text is not None:
            return Decoded(text, codec, method, declared=label)
        candidates.append((method, label, codec))
    for method, label, codec in candidates:  # rule 3: declared, and valid but for a few bytes
        damaged = _few_errors(body, codec)
        if damaged:
            return Decoded(damaged[0], codec, method, declared=label, errors=damaged[1])

    return _detect(body, declared_header or declared_meta)


def _detect(body: bytes, declared: str | None) -> Decoded:
    if not body:
        return Decoded("", "utf-8", "fallback", declared=declared)
    # Pure ASCII and valid UTF-8 need no guessing.
    text = _strict(body, "utf-8")
    if text is not None:
        return Decoded(text, "utf-8", "detected", declared=declared, confidence=1.0)
    guess = chardet.detect(body)
    label = guess.get("encoding")
    confidence = guess.get("confidence")
    codec = normalise_codec(label) if label else None
    if codec:
        text = _strict(body, codec)
        if text is not None:
            return Decoded(text, codec, "detected", declared=declared, confidence=confidence)
    # Chinese pages that fool the detector: try the GB superset before giving up.
    text = _strict(body, "gb18030")
    if text is not None:
        return Decoded(text, "gb18030", "fallback", declared=declared, confidence=None)
    raise DecodeError(
        "cannot decode %d bytes: declared %r, detector guessed %r (confidence %s)"
        % (len(body), declared, label, confidence)
    )
