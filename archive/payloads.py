"""Every body the archive keeps, once per content: the ``payloads`` table, keyed by sha256.

A report page, an attachment, a list page, robots.txt, an error body, a challenge page, a
redirect's body, a POSTed form: each distinct byte string is stored once, compressed, and every
row that holds bytes (``versions.raw_sha256``, ``files.sha256``, ``captures.payload_sha256`` and
``captures.request_body_sha256``) points here. Storing the same bytes again costs nothing; that
is the web archive's *revisit* (``archive.warc`` writes a ``revisit`` record for it).

Compression: zstd (level ``LEVEL``) where it makes the bytes smaller, else none (a JPEG, a
gzip-encoded body). Bytes that are the decoding of another payload — a page the server sent
gzip-compressed: its body as received is kept for the web archive, its decoded bytes for the
version — are stored as that derivation (``derived_from`` + ``derivation``), not twice, when
decoding the stored body gives exactly those bytes. Every read checks the sha256.
"""

from __future__ import annotations

import gzip
import hashlib
import zlib

try:  # Python 3.14 has zstd in the standard library; before it, the backport (Scrapy needs it too)
    from compression import zstd  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - depends on the Python version
    from backports import zstd  # type: ignore[no-redef]

from .records import utcnow

LEVEL = 9  # tools/bench_warc.py measures the options; README "Storage"
KEEP_RAW_ABOVE = 0.97  # compressed ≥ 97 % of the bytes: stored as they are
DERIVATIONS = ("gzip", "x-gzip", "deflate")  # Content-Encodings undone here (no Scrapy in the library)


class PayloadError(RuntimeError):
    """Stored bytes that cannot be read back as their sha256 says: the archive is damaged."""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def compress(data: bytes) -> tuple[str, bytes]:
    """(compression, stored bytes) for ``data``."""
    if len(data) < 64:
        return "none", data
    packed = zstd.compress(data, level=LEVEL)
    if len(packed) >= KEEP_RAW_ABOVE * len(data):
        return "none", data
    return "zstd", packed


def decompress(method: str | None, data: bytes | None) -> bytes:
    if data is None:
        raise PayloadError("no stored bytes")
    if method in (None, "none"):
        return bytes(data)
    if method == "zstd":
        return zstd.decompress(data)
    if method == "zlib":
        return zlib.decompress(data)
    raise PayloadError(f"unknown compression {method!r}")


def decode_content(encoding: str, data: bytes) -> bytes:
    """A body with its Content-Encoding undone (gzip, deflate as zlib or raw)."""
    encoding = encoding.strip().lower()
    if encoding in ("gzip", "x-gzip"):
        return gzip.decompress(data)
    if encoding == "deflate":
        try:
            return zlib.decompress(data)
        except zlib.error:
            return zlib.decompress(data, -zlib.MAX_WBITS)
    raise ValueError(f"cannot undo Content-Encoding {encoding!r}")


def has(db, digest: str) -> bool:
    return db.execute("SELECT 1 FROM payloads WHERE sha256 = ?", [digest]).fetchone() is not None


def put(db, data: bytes, digest: str | None = None, now: str | None = None) -> tuple[str, bool]:
    """Store ``data`` unless its content is stored already; returns (sha256, whether it was new).
    Runs inside the caller's transaction."""
    digest = digest or sha256(data)
    if has(db, digest):
        return digest, False
    method, stored = compress(data)
    db.execute("INSERT INTO payloads (sha256, size, compression, data, stored_at) VALUES (?, ?, ?, ?, ?)",
               [digest, len(data), method, stored, now or utcnow()])
    return digest, True


def put_decoded(db, decoded: bytes, source_digest: str, encoding: str, now: str | None = None) -> tuple[str, bool]:
    """Store ``decoded``, the body of stored payload ``source_digest`` with its Content-Encoding
    ``encoding`` undone: as that derivation when decoding the stored bytes gives exactly
    ``decoded`` (nothing stored twice), else as bytes of its own."""
    digest = sha256(decoded)
    if has(db, digest):
        return digest, False
    encoding = (encoding or "").strip().lower()
    if encoding in DERIVATIONS and has(db, source_digest):
        try:
            same = decode_content(encoding, get(db, source_digest)) == decoded
        except (OSError, EOFError, ValueError, zlib.error, PayloadError):
            same = False
        if same:
            db.execute("INSERT INTO payloads (sha256, size, compression, data, derived_from, derivation, stored_at) "
                       "VALUES (?, ?, 'derived', NULL, ?, ?, ?)",
                       [digest, len(decoded), source_digest, encoding, now or utcnow()])
            return digest, True
    return put(db, decoded, digest, now)


def get(db, digest: str, _depth: int = 0) -> bytes:
    """The bytes stored under ``digest``, checked against it; KeyError when none are."""
    row = db.execute("SELECT compression, data, derived_from, derivation FROM payloads WHERE sha256 = ?",
                     [digest]).fetchone()
    if row is None:
        raise KeyError(digest)
    method, data, source, derivation = row
    if method == "derived":
        if _depth > 4 or not source:
            raise PayloadError(f"payload {digest} is derived from nothing readable")
        body = decode_content(derivation, get(db, source, _depth + 1))
    else:
        body = decompress(method, data)
    if sha256(body) != digest:
        raise PayloadError(f"stored bytes for {digest} do not match their sha256: the archive is damaged")
    return body

