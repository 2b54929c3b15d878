"""The page's metadata: title, date, source, agency, report year, the standard meta tags, and
the document-information grid."""

from __future__ import annotations

import re

from archive import meta as meta_mod

from .text import squash_ws
from .traditional import is_traditional


def page_title(doc, tags: dict) -> str | None:
    """The article's title: the ArticleTitle meta tag, else the <h1>, else the <title>."""
    h1 = doc.find(".//h1")
    return (meta_mod.clean_title(tags.get("ArticleTitle"))
            or (meta_mod.clean_title(h1.text_content()) if h1 is not None else None)
            or meta_mod.clean_title(doc.findtext(".//title")))


def page_metadata(doc, container, tags: dict, title: str | None, text: str, found: dict,
                  docinfo: dict, embedded_date: str | None) -> dict:
    title_tag = doc.findtext(".//title")
    metadata = {
        "title": title,
        "page_title": squash_ws(title_tag) if title_tag else None,
        "meta": tags,
        "pub_date": meta_mod.parse_date(tags.get("PubDate")) or found.get("pub_date_on_page")
        or meta_mod.parse_date(embedded_date),
        "source": tags.get("ContentSource") or found.get("source_on_page"),
        "views": found.get("views"),
        "report_year": meta_mod.report_year(title),
        "agency": meta_mod.agency_from_title(title),
        "document_info": docinfo or None,
    }
    _header_metadata(doc, container, metadata)
    if not metadata["agency"] and metadata["source"] and metadata["source"] not in ("本网", "本站"):
        metadata["agency"] = metadata["source"]
    metadata["traditional"] = is_traditional((title or "") + text)
    return metadata


_HEADER_SOURCE = re.compile(r"(?:来源|來源|信息来源|发布机构|發布機構)\s*[:：]\s*([^\s:：]{2,40})")
_HEADER_DATE = re.compile(r"(?:发布时间|發布時間|发表日期|發表日期|发布日期|成文日期)\s*[:：]\s*([0-9年月日\-/. :]{8,25})")


def _header_metadata(doc, container, metadata: dict) -> None:
    """Date and source printed above the body (gz: ``• 2014-03-11 • 来源:本网``)."""
    if metadata.get("pub_date") and metadata.get("source"):
        return
    header_text = ""
    if container is not None:
        # text of the page before the container, last 600 characters
        chunks = []
        for el in doc.iter():
            if el is container:
                break
            if isinstance(el.tag, str) and el.tag not in ("script", "style") and el.text:
                chunks.append(el.text)
            if el.tail:
                chunks.append(el.tail)
        header_text = squash_ws(" ".join(chunks))[-600:]
    if not metadata.get("source"):
        m = _HEADER_SOURCE.search(header_text)
        if m:
            metadata["source"] = m.group(1)
    if not metadata.get("pub_date"):
        m = _HEADER_DATE.search(header_text)
        if m:
            metadata["pub_date"] = meta_mod.parse_date(m.group(1))
