"""Chrome lines, cut at the top and bottom of the text only — never a body line for a word it holds.

At the top: 听全文, date/source/views lines (kept as metadata), 字号, 打印/关闭, 分享到, the page
title repeated above the body, document-information labels. At the bottom: 扫一扫, related-item
labels, a site footer block from its first footer-only line. Anywhere: runs of lines that are
nothing but link text (navigation and related-article lists).
"""

from __future__ import annotations

import re

from archive import meta as meta_mod
from archive.vocab import DOCINFO_LINE, EDGE_CHROME, FILE_LINK, FOOTER_START

from .text import squash

_DATE_TAIL = re.compile(r"[\s(（]*((19|20)\d{2}[-/年.]\d{1,2}[-/月.]\d{1,2}日?[\s\d:]*)?[)）]?\s*"
                        r"((来源|信息来源|发布机构)[:：]\s*\S{1,30})?\s*")
_SOURCE = re.compile(r"(?:来源|來源|信息来源)\s*[:：]\s*(.+?)(?:\s+(?:发布|發布|发表|浏览|阅读|字体|时间)|$)")
_VIEWS = re.compile(r"(?:浏览次数|阅读次数|浏览量|点击数|访问量)\s*[:：]\s*(\d+)")


def chrome_reason(line: str) -> str | None:
    """Why a line is page chrome when it stands at an edge of the text, or None."""
    for reason, rx in EDGE_CHROME:
        if rx.match(line):
            return reason
    if DOCINFO_LINE.match(squash(line)):
        return "document-info"
    return None


class EdgePass:
    """Remove chrome lines at the top and bottom. With ``title`` (whole-page extraction, no known
    container), a top line repeating the page title — alone or followed by its date and source —
    is the page heading, not body; ``header_title`` is the title a known container's first line
    may repeat above the page's date line. Date, source and views seen go into ``found``."""

    def __init__(self, removed: list[dict], found: dict, title: str | None = None, header_title: str | None = None):
        self.removed, self.found = removed, found
        self.title, self.header_title = title, header_title
        self.title_key = squash(title or "")
        self.title_left = self.title_key  # what of the title the top lines have not shown yet

    def __call__(self, lines: list[str]) -> list[str]:
        start = self._cut_top(lines)
        end = self._cut_footer(lines, start)
        while end > start:
            reason = chrome_reason(lines[end - 1])
            if not reason:
                break
            self.removed.append({"line": lines[end - 1], "reason": f"{reason} (bottom)"})
            end -= 1
        return lines[start:end]

    def _cut_top(self, lines: list[str]) -> int:
        start = 0
        # Inside a known container a leading title line is body (a report's text opens with its
        # own title) unless the page's date/source line follows it: then the two are the header.
        if self.header_title and len(lines) >= 2 and squash(lines[0]) == squash(self.header_title) and \
                chrome_reason(lines[1]) in ("date", "date-source"):
            self.removed.append({"line": lines[0], "reason": "title above date/source (top)"})
            start = 1
        while start < len(lines):
            line = lines[start]
            reason = chrome_reason(line) or ("title" if self.title_key and self._title_line(line) else None)
            if not reason:
                break
            self._harvest(line, reason)
            self.removed.append({"line": line, "reason": f"{reason} (top)"})
            start += 1
        return start

    def _cut_footer(self, lines: list[str], start: int) -> int:
        """A site footer block: from a line that can only be footer (主办单位, 版权所有, 免责声明,
        ICP …) within the last lines, everything below is footer."""
        end = len(lines)
        for i in range(max(start, end - 15), end):
            if FOOTER_START.match(lines[i]) and all(len(x) <= 300 for x in lines[i:end]):
                for x in lines[i:end]:
                    self.removed.append({"line": x, "reason": "site footer block (bottom)"})
                return i
        return end

    def _title_line(self, line: str) -> bool:
        key = squash(line)
        # a title broken over two lines: each line is the next piece of it
        if len(key) >= 4 and self.title_left and self.title_left.startswith(key) and key != self.title_left:
            self.title_left = self.title_left[len(key):]
            return True
        if self.title_left != self.title_key and key == self.title_left:
            self.title_left = ""
            return True
        if not self.title_key or not key.startswith(self.title_key):
            return False
        rest = _rest_after(line, self.title)
        return not rest or bool(_DATE_TAIL.fullmatch(rest))

    def _harvest(self, line: str, reason: str) -> None:
        if reason not in ("date", "date-source"):
            return
        d = meta_mod.parse_date(line)
        if d and "pub_date_on_page" not in self.found:
            self.found["pub_date_on_page"] = d
        m = _SOURCE.search(line)
        if m and "source_on_page" not in self.found:
            self.found["source_on_page"] = m.group(1).strip()
        m = _VIEWS.search(line)
        if m:
            self.found["views"] = int(m.group(1))


def drop_link_runs(lines: list[str], anchors: set[str], removed: list[dict]) -> list[str]:
    """Navigation and related-article lists: runs of lines that are nothing but link text
    (a link, maybe with a date) — five or more anywhere, three or more at the top or bottom."""
    long_anchors = sorted((a for a in anchors if len(a) >= 4), key=len, reverse=True)

    def is_link(line: str) -> bool:
        key = squash(line)
        if FILE_LINK.search(line):
            return False
        if key in anchors or link_row(line, anchors):
            return True
        # several links on one line (a title and its tooltip copy, a row of related links)
        rest = key
        for a in long_anchors:
            if a in rest:
                rest = rest.replace(a, "")
                if not rest:
                    break
        rest = re.sub(r"(19|20)\d{2}[-/.年]\d{1,2}[-/.月]\d{1,2}日?|[\W_]", "", rest)
        return len(rest) <= 0.1 * len(key)

    flags = [is_link(x) for x in lines]
    keep = [True] * len(lines)
    i = 0
    while i < len(lines):
        if not flags[i]:
            i += 1
            continue
        j = i
        while j < len(lines) and flags[j]:
            j += 1
        at_edge = i == 0 or j == len(lines)
        if j - i >= 5 or (at_edge and j - i >= 3):
            for k in range(i, j):
                keep[k] = False
                removed.append({"line": lines[k], "reason": "link list"})
        i = j
    return [x for x, k in zip(lines, keep) if k]


def link_row(line: str, anchors: set[str]) -> bool:
    """A list row: a link's text followed by a date (``标题 2024-01-25``)."""
    m = re.match(r"^(.*?)[\s|]*((19|20)\d{2}[-/.年]\d{1,2}[-/.月]\d{1,2}日?)?\s*$", line)
    return bool(m and m.group(2) and squash(m.group(1)) in anchors)


def _rest_after(line: str, title: str) -> str:
    """What follows the title in a line that starts with it (whitespace-insensitive)."""
    want = squash(title)
    i = n = 0
    while i < len(line) and n < len(want):
        if not line[i].isspace() and line[i] not in "\u3000\xa0":
            n += 1
        i += 1
    return line[i:]
