"""Page furniture inside an article container: attachment lists (their links collected first),
share, QR-code, print and font-size widgets — dropped as whole subtrees, by class and id."""

from __future__ import annotations

from urllib.parse import urljoin

from archive.vocab import CHROME_BLOCK, FILE_LINK

from .container import select
from .text import squash_ws

_ATTACHMENT_LISTS = "#ul_xgfj, .info_xgfj"


def _classes(el) -> str:
    return f"{el.get('class') or ''} {el.get('id') or ''}"


def collect_attachments(doc, scope, base_url: str | None) -> list[dict]:
    """File links in the container and in the page's 相关附件 list (gz ``ul#ul_xgfj``)."""
    seen: set[str] = set()
    out: list[dict] = []
    candidates = list(scope.iter("a")) if scope is not None else []
    for ul in select(doc, _ATTACHMENT_LISTS):
        candidates.extend(ul.iter("a"))
    for a in candidates:
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "#", "mailto:")):
            continue
        in_list = any(anc.get("id") == "ul_xgfj" or "xgfj" in (anc.get("class") or "") for anc in a.iterancestors())
        if not (FILE_LINK.search(href) or FILE_LINK.search(squash_ws(a.text_content())) or in_list):
            continue
        absolute = urljoin(base_url, href) if base_url else href
        if absolute in seen:
            continue
        seen.add(absolute)
        out.append({"url": absolute, "name": squash_ws(a.text_content()) or None})
    return out


_NEVER_DROPPED = frozenset(("p", "span", "td", "tr", "table", "strong", "b", "font"))


def drop_chrome_blocks(container, removed: list[dict]) -> None:
    gone: set = set()  # the elements of dropped subtrees (the list below keeps their proxies alive)
    for el in list(container.iter()):
        if el in gone or not isinstance(el.tag, str) or el is container:
            continue
        if el.tag in ("script", "style", "noscript", "template"):
            gone.update(el.iter())
            el.drop_tree()
            continue
        if el.tag in _NEVER_DROPPED:
            continue  # content elements are never dropped for a class name
        m = CHROME_BLOCK.search(_classes(el))
        if m and el.getparent() is not None:
            text = squash_ws(el.text_content())
            if text:
                removed.append({"line": text[:200], "reason": f"furniture block .{m.group(1)}"})
            gone.update(el.iter())
            el.drop_tree()
