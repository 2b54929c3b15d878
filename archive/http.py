"""HTTP headers as the archive keeps them: ``{name: [value, …]}`` with str names and values,
whatever the source (Scrapy's bytes ``Headers``, a plain dict, a cassette's lists)."""

from __future__ import annotations

from typing import Mapping

Headers = dict[str, list[str]]


def _text(value) -> str:
    return value.decode("latin-1") if isinstance(value, (bytes, bytearray)) else str(value)


def normalise_headers(headers: Mapping | None) -> Headers:
    """Any header mapping → ``{str: [str, …]}`` (names as sent, every value kept)."""
    out: Headers = {}
    for key, values in (headers or {}).items():
        if not isinstance(values, (list, tuple)):
            values = [values]
        out.setdefault(_text(key), []).extend(_text(v) for v in values)
    return out


def header_values(headers: Mapping | list | None, name: str) -> list[str]:
    """All values of header ``name`` (case-insensitive); ``headers`` a mapping or ``[(name, value), …]``."""
    wanted = name.lower()
    out: list[str] = []
    for key, values in (headers.items() if isinstance(headers, Mapping) else headers or ()):
        if _text(key).lower() == wanted:
            out.extend(_text(v) for v in (values if isinstance(values, (list, tuple)) else [values]))
    return out


def header_value(headers: Mapping | list | None, name: str) -> str | None:
    """The first value of header ``name`` (case-insensitive), or None."""
    values = header_values(headers, name)
    return values[0] if values else None


def mime_type(headers: Mapping | None) -> str:
    """The Content-Type's media type, lower case, without parameters ("" when absent)."""
    return (header_value(headers, "Content-Type") or "").split(";")[0].strip().lower()


def url_key(url: str) -> str:
    """A URL as one form whatever its escaping: ``/files/附件.docx`` as linked on a page and
    ``/files/%E9%99%84%E4%BB%B6.docx`` as requested are one file."""
    from urllib.parse import quote, unquote

    return quote(unquote(url), safe=":/?#[]@!$&'()*+,;=~")
