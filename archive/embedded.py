"""Articles that a page carries in a script and draws with JavaScript.

Guangdong's 政府信息公开目录平台 (gkmlpt) sends its detail pages with an empty article area and
the document in ``window._CONFIG.DETAIL`` (``content`` holds the body's HTML; docs/portals.md).
A browser shows that HTML; so does the archive: ``find_embedded_article`` returns it, and the
cleaner reads it where the page's own article area is empty.

Only JSON-style string values (double quotes, JSON escapes) are read: that is what a server
writes when it serialises a record into a page. The exact shape of real gkmlpt pages is not
verified here, so the search is loose about what surrounds the ``DETAIL`` object.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

# DETAIL = {…} or DETAIL: {…}, as a property of _CONFIG or assigned on its own
DETAIL_MARK = r"""\bDETAIL['"]?\s*[:=]\s*\{"""
_DETAIL = re.compile(DETAIL_MARK)
_JSON_STRING = r'"((?:[^"\\]|\\.)*)"'
_MIN_CONTENT = 20  # characters of text; shorter "content" values are labels, not articles


@dataclass(frozen=True)
class EmbeddedArticle:
    content_html: str
    title: str | None
    date: str | None
    where: str  # what was read, for the extractor's record


def _field(script: str, start: int, name: str) -> str | None:
    m = re.compile(rf"""['"]?{name}['"]?\s*:\s*{_JSON_STRING}""").search(script, start)
    if not m:
        return None
    try:
        return json.loads(f'"{m.group(1)}"')
    except ValueError:
        return None


def find_embedded_article(scripts: list[str]) -> EmbeddedArticle | None:
    """The first ``DETAIL`` record with an HTML ``content`` among the page's script texts."""
    for script in scripts:
        if "DETAIL" not in script:  # a plain substring test first: most pages have many scripts, none a record
            continue
        for m in _DETAIL.finditer(script):
            content = _field(script, m.end(), "content")
            if content is None or len(re.sub(r"<[^>]*>|\s", "", content)) < _MIN_CONTENT:
                continue
            return EmbeddedArticle(content_html=content, title=_field(script, m.end(), "title"),
                                   date=_field(script, m.end(), "date"), where="script DETAIL.content")
    return None
