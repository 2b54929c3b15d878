"""Decoded HTML → the report as a reader sees it: body text, tables, metadata, and what was cut.

Steps (each recorded in ``Cleaned.removed`` / ``Cleaned.extractor``):

1. Find the main-text container: the portal's own selectors first, then the known CMS
   containers (NFCMS ``#zoomcon``, TRS ``.TRS_Editor``, Hanweb ``#zoom``, UCAP …).
2. Inside it, drop whole subtrees that are page furniture by structure (attachment lists,
   share/QR/print widgets), collecting attachment links first.
3. trafilatura extracts the container (or the whole page when no container is known),
   as XML so that paragraphs and tables stay separate. If it lost body text that the
   container plainly holds, a plain block walk of the container is used instead, and the
   provenance says so.
   A page whose article area is empty and whose script carries the document (gkmlpt's
   ``DETAIL.content``, ``archive.embedded``) is read as a browser draws it: that HTML is put
   into the article area first.
4. Tables are re-read from the HTML (``archive.tables``): one text line per row, and a grid.
5. A conservative pass removes chrome lines at the top and bottom only (听全文, date/source
   lines, 分享到, 扫一扫…, footers); a line inside the body is never removed for a word it
   contains. Date, source and view count found there go into metadata.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Sequence

import trafilatura
from lxml import etree
from lxml import html as lxml_html

from . import meta as meta_mod
from .embedded import EmbeddedArticle, find_embedded_article
from .tables import Table, _BLOCK_TAGS, parse_table

TRAFILATURA_VERSION = getattr(trafilatura, "__version__", "unknown")

# Main-text containers of the CMS families (see notes/portals.md), most specific first.
KNOWN_CONTAINERS: tuple[str, ...] = (
    "#zoomcon",
    "#zhengwen",
    "div.TRS_Editor",
    "div.Custom_UnionStyle",
    "#UCAP-CONTENT",
    "ucapcontent",
    "#cmsArticleContent",
    "div.bt-article-02",
    "td.bt_content",
    "#zoom",
)

# Subtrees inside a container that are furniture, by class/id (whole-token matches).
_CHROME_BLOCK = re.compile(
    r"(?:^|[\s_-])(info_xgfj|xgfj|info_xgxw|xgxw|xgwz|share|bdshare|bdsharebuttonbox|fenxiang|"
    r"qrcode|ewm|content_ewm|erweima|print|dayin|fontsize|zihao|content_attr|article-tools|"
    r"attachment-list)(?:$|[\s_-])",
    re.I,
)
_FILE_LINK = re.compile(r"\.(pdf|docx?|xlsx?|wps|ofd|zip|rar|et|dps)(?:$|[?#])", re.I)

_MIN_CONTAINER_CHARS = 20

# --- line-level chrome, only at the edges of the text --------------------------------------
_EDGE_CHROME: tuple[tuple[str, re.Pattern], ...] = tuple(
    (reason, re.compile(rx))
    for reason, rx in (
        ("text-to-speech", r"^[•·]?\s*(听全文|語音播報|语音播报|听新闻)$"),
        ("share", r"^[•·]?\s*(分享到|分享)\s*[:：]?\s*(微信|微博|QQ空间|\s)*$"),
        ("separator", r"^[-•·—|]+$"),
        ("qr-code", r"^(扫一扫|掃一掃|手机扫一扫|微信扫一扫).{0,20}$"),
        ("related", r"^(相关附件|相關附件|相关新闻|相關新聞|相关稿件|相关链接|相关阅读|相关文章)\s*[:：]?$"),
        ("follow", r"^关注\s*[·•]\s*.{0,20}$"),
        ("toolbar", r"^[【\[]?\s*(打印本页|打印|关闭窗口|关闭|返回顶部|收藏|纠错|我要纠错)\s*[】\]]?(\s*[|/·]?\s*[【\[]?\s*(打印本页|打印|关闭窗口|关闭|返回顶部|收藏)\s*[】\]]?)*$"),
        ("font-size", r"^(字号|字体|字体大小)\s*[:：]?\s*[【\[]?\s*(大|中|小|\s)*[】\]]?$"),
        ("accessibility", r"^(繁體|繁体|简体|無障礙|无障碍|长者版|關懷版|关怀版|English)(\s*[|/]\s*(繁體|繁体|简体|無障礙|无障碍|长者版|关怀版|English))*$"),
        ("date-source", r"^(发布时间|發布時間|发表日期|發表日期|发布日期|时间|来源|來源|信息来源|浏览次数|瀏覽次數|阅读次数|浏览量|点击数|访问量|作者|字体)\s*[:：].{0,80}$"),
        ("date", r"^[•·]?\s*((19|20)\d{2}-\d{1,2}-\d{1,2}(\s+\d{1,2}:\d{2}(:\d{2})?)?)$"),
        ("footer", r"^(主办|承办|主辦|承辦|版权所有|版權所有|网站标识码|網站標識碼|联系我们|聯繫我們|技术支持|技術支持)\s*[:：]?.*$"),
        ("footer", r"^.{0,30}(ICP备|ICP備|公网安备|公網安備)\s*\S*.*$"),
        ("breadcrumb", r"^(当前位置|當前位置|您的位置|您现在的位置)\s*[:：].*$"),
        # 【字体：大 中 小】 【打印文章】 【关闭窗口】 …: a line made only of short bracketed tools
        ("toolbar", r"^([·•▪]?\s*[【\[]\s*[^】\]]{1,24}\s*[】\]]\s*)+$"),
        ("prev-next", r"^[▪·•]?\s*(上一篇|下一篇|上一条|下一条)\s*[:：]?.{0,60}$"),
        ("editor", r"^[（(]?\s*(责任编辑|编辑|责编|审核|校对|审校|终审)\s*[:：].{0,24}[)）]?$"),
        ("empty-label", r"^(附件|相关附件|关联文件|附件下载)\s*[:：]?$"),
        ("leaving-site", r"^.{0,30}(即将离开|是否继续[？?]?).{0,30}$"),
        ("follow", r"^.{0,16}(微信公众号|官方微博|官方微信|政务微博|客户端|官微)$"),
        ("wechat-overlay", r"^(点击右上角|选择在浏览器中打开).{0,20}$"),
        ("date-source", r"^(日期|发布日期|信息来源|文章来源|稿件来源|发稿时间|更新时间|访问次数|访问量)\s*[:：].{0,80}$"),
        # a date followed by its time, source or tools (a bare date may be a signature: kept)
        ("date-source", r"^[•·]?\s*(19|20)\d{2}[-年/.]\d{1,2}[-月/.]\d{1,2}日?\s*((\d{1,2}:\d{2}(:\d{2})?)|"
                        r"(来源|信息来源)\s*[:：]\s*\S{0,30}|[【\[][^】\]]{1,10}[】\]]|\s)+$"),
    )
)

_FOOTER_START = re.compile(
    r"^(主办单位|主办|承办单位|承办|主辦單位|版权所有|版權所有|版权与免责声明|免责声明|网站标识码|網站標識碼|"
    r"政府网站标识码|网站声明|关于我们)\s*[:：]?|^.{0,40}(ICP备|ICP備|公网安备|公網安備)"
)
# Labels of the document-information block some sites put above the body (索引号, 发文字号 …):
# as a grid (a table, read into metadata) or as lines (removed at the top or bottom).
_DOCINFO_LABELS = ("索引号", "索取号", "信息索引", "发布机构", "发文机构", "发文机关", "办文部门", "生成日期",
                   "成文日期", "发文日期", "发文字号", "文件编号", "公文名称", "信息名称", "主题分类", "信息类别",
                   "内容概述", "公开方式", "公开范围", "发布日期", "有效性", "文号", "主题词")
_DOCINFO_LINE = re.compile(f"^({'|'.join(_DOCINFO_LABELS)})[:：]")


_T2S = None


def simplified(text: str) -> str:
    """Traditional → simplified characters (OpenCC t2s), for search; the stored text stays as published."""
    global _T2S
    if _T2S is None:
        import opencc

        _T2S = opencc.OpenCC("t2s.json")
    return _T2S.convert(text)


_HAN = re.compile(r"[\u4e00-\u9fff]")


def is_traditional(text: str) -> bool:
    """True when a meaningful share of the Han characters have a different simplified form."""
    han = _HAN.findall(text)
    if len(han) < 10:
        return False
    changed = sum(1 for a, b in zip(text, simplified(text)) if a != b)
    return changed >= 5 and changed / len(han) >= 0.02


@dataclass
class Cleaned:
    text: str
    tables: list[dict] = field(default_factory=list)
    metadata: dict = field(default_factory=dict)
    removed: list[dict] = field(default_factory=list)
    container: str | None = None
    extractor: str = ""
    attachments: list[dict] = field(default_factory=list)
    text_simplified: str | None = None  # set when the page is in traditional characters
    link_ratio: float = 0.0  # share of the text that is link text (a list page is mostly links)

    @property
    def empty(self) -> bool:
        return not self.text.strip()


class NotAPage(ValueError):
    """The input is not an HTML page we can read at all."""


def _classes(el) -> str:
    return f"{el.get('class') or ''} {el.get('id') or ''}"


def _select(doc, selector: str) -> list:
    try:
        return doc.cssselect(selector)
    except Exception:  # an invalid selector in a portal config must not stop cleaning
        return []


def find_container(doc, selectors: Sequence[str]) -> tuple[object, str] | tuple[None, None]:
    for sel in selectors:
        found = _select(doc, sel)
        for el in found:
            # outermost match: TRS_Editor nests inside TRS_Editor
            outer = el
            for anc in el.iterancestors():
                if anc in found:
                    outer = anc
            if len(_squash(outer.text_content())) >= _MIN_CONTAINER_CHARS:
                return outer, sel
    return None, None


_END_TAGS = re.compile(r"</\s*(?:html|body)\s*>", re.I)
_TEXT_BLOCKS = ("p", "div", "td", "section", "span", "font", "center", "li")


def guess_container(doc):
    """No known container: the element holding most paragraph text that is not link text.

    Each text block (a <p>, or another block with text of its own) gives its length to its
    parent, and half of it to the grandparent; link-heavy blocks (navigation, related lists)
    give nothing. The best-scoring element, if it holds at least 150 characters, is the body.
    """
    scores: dict = {}
    for el in doc.iter(*_TEXT_BLOCKS):
        own = _squash((el.text or "") + "".join((c.tail or "") for c in el)) if el.tag != "p" else _squash(el.text_content())
        if len(own) < 10:
            continue
        links = sum(len(_squash(a.text_content())) for a in el.iter("a"))
        if links > 0.3 * max(len(_squash(el.text_content())), 1):
            continue
        if any(anc.tag in ("a", "nav", "header", "footer", "script", "style", "ul", "ol") for anc in el.iterancestors()):
            continue
        parent = el.getparent()
        if parent is None:
            continue
        scores[parent] = scores.get(parent, 0) + len(own)
        grand = parent.getparent()
        if grand is not None:
            scores[grand] = scores.get(grand, 0) + len(own) / 2
    # footers (ICP numbers, site ids, copyright) are never the body, however dense
    for el in list(scores):
        text = el.text_content()
        if any(w in text for w in ("ICP备", "ICP備", "网站标识码", "網站標識碼", "公网安备", "版权所有")) and \
                len(_squash(text)) < 600:
            del scores[el]
    if not scores:
        return None
    best = max(scores, key=scores.get)
    if scores[best] < 150 or best.tag in ("html", "body"):
        return None
    # the body's first or last paragraphs sometimes sit beside the densest block: take the
    # parent in when it adds real paragraphs and little link text
    for _ in range(2):
        parent = best.getparent()
        if parent is None or parent.tag in ("html", "body"):
            break
        extra = sum(len(_squash(sib.text_content())) for sib in parent
                    if sib is not best and isinstance(sib.tag, str) and sib.tag == "p"
                    and len(_squash(sib.text_content())) >= 30 and sib.find(".//a") is None)
        links = sum(len(_squash(a.text_content())) for a in parent.iter("a"))
        if extra == 0 or links > 0.2 * len(_squash(parent.text_content())):
            break
        best = parent
    return best


def _describe(el) -> str:
    cls = (el.get("class") or "").split()
    return el.tag + (f"#{el.get('id')}" if el.get("id") else "") + "".join(f".{c}" for c in cls[:2])


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s.replace("\u3000", " ").replace("\xa0", " "))


def collect_attachments(doc, scope, base_url: str | None) -> list[dict]:
    """File links in the container and in the page's 相关附件 list (gz ``ul#ul_xgfj``)."""
    seen: set[str] = set()
    out: list[dict] = []
    candidates = list(scope.iter("a")) if scope is not None else []
    for ul in doc.cssselect("#ul_xgfj, .info_xgfj"):
        candidates.extend(ul.iter("a"))
    for a in candidates:
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "#", "mailto:")):
            continue
        in_list = any(anc.get("id") == "ul_xgfj" or "xgfj" in (anc.get("class") or "") for anc in a.iterancestors())
        if not (_FILE_LINK.search(href) or _FILE_LINK.search(_squash_ws(a.text_content())) or in_list):
            continue
        absolute = _urljoin(base_url, href)
        if absolute in seen:
            continue
        seen.add(absolute)
        out.append({"url": absolute, "name": _squash_ws(a.text_content()) or None})
    return out


def _urljoin(base: str | None, href: str) -> str:
    from urllib.parse import urljoin

    return urljoin(base, href) if base else href


def _squash_ws(s: str) -> str:
    return re.sub(r"[\s\u3000\xa0]+", " ", s).strip()


def _drop_chrome_blocks(container, removed: list[dict]) -> None:
    dropped: list = []
    for el in list(container.iter()):
        if not isinstance(el.tag, str) or el is container:
            continue
        if any(anc in dropped for anc in el.iterancestors()):
            continue
        if el.tag in ("script", "style", "noscript", "template"):
            el.drop_tree()
            dropped.append(el)
            continue
        if el.tag in ("p", "span", "td", "tr", "table", "strong", "b", "font"):
            continue  # content elements are never dropped for a class name
        m = _CHROME_BLOCK.search(_classes(el))
        if m and el.getparent() is not None:
            text = _squash_ws(el.text_content())
            if text:
                removed.append({"line": text[:200], "reason": f"furniture block .{m.group(1)}"})
            el.drop_tree()
            dropped.append(el)


# --- block walk -------------------------------------------------------------------------

def _walk(el, out: list, buf: list[str]) -> None:
    """Append ('line', text) and ('table', element) to ``out`` in document order."""
    for child in el:
        if not isinstance(child.tag, str):
            if child.tail:
                buf.append(child.tail)
            continue
        tag = child.tag.lower()
        if tag in ("script", "style", "noscript"):
            pass
        elif tag == "table":
            _flush(buf, out)
            if _squash(child.text_content()):  # a table with no text is a spacer, not data
                out.append(("table", child))
        elif tag == "br":
            _flush(buf, out)
        elif tag in _BLOCK_TAGS or tag in ("blockquote", "pre", "center", "dl", "dt", "dd", "h1", "section"):
            _flush(buf, out)
            if child.text:
                buf.append(child.text)
            _walk(child, out, buf)
            _flush(buf, out)
        else:
            if child.text:
                buf.append(child.text)
            _walk(child, out, buf)
        if child.tail:
            buf.append(child.tail)


def _flush(buf: list[str], out: list) -> None:
    line = _squash_ws("".join(buf))
    buf.clear()
    if line:
        out.append(("line", line))


def walk_blocks(container) -> list:
    out: list = []
    buf: list[str] = []
    if container.text:
        buf.append(container.text)
    _walk(container, out, buf)
    _flush(buf, out)
    return out


def _source_table(traf_table, html_tables: list, used: set[int]):
    """The HTML table a trafilatura <table> was made from: the unused one sharing most cell texts."""
    want = {_squash("".join(c.itertext())) for c in traf_table.iter("cell")} - {""}
    if not want:
        return None
    best, best_score = None, 0.0
    for i, t in enumerate(html_tables):
        if i in used:
            continue
        have = {_squash(td.text_content()) for td in t.iter("td", "th")} - {""}
        if not have:
            continue
        overlap = len(want & have) / len(want | have)
        if overlap > best_score:
            best, best_score = i, overlap
    if best is None or best_score < 0.3:
        return None
    used.add(best)
    return html_tables[best]


def _drop_link_runs(lines: list[str], anchors: set[str], removed: list[dict]) -> list[str]:
    """Navigation and related-article lists: runs of lines that are nothing but link text
    (a link, maybe with a date) — five or more anywhere, three or more at the top or bottom."""
    long_anchors = sorted((a for a in anchors if len(a) >= 4), key=len, reverse=True)

    def is_link(line: str) -> bool:
        key = _squash(line)
        if _FILE_LINK.search(line):
            return False
        if key in anchors or _link_row(line, anchors):
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


def _link_row(line: str, anchors: set[str]) -> bool:
    """A list row: a link's text followed by a date (``标题 2024-01-25``)."""
    m = re.match(r"^(.*?)[\s|]*((19|20)\d{2}[-/.年]\d{1,2}[-/.月]\d{1,2}日?)?\s*$", line)
    return bool(m and m.group(2) and _squash(m.group(1)) in anchors)


class _Items(list):
    walked = False


def _container_items(container) -> list:
    """trafilatura on the container; the plain block walk if trafilatura lost body text."""
    reference = walk_blocks(container)
    fragment = "<html><body>" + lxml_html.tostring(container, encoding="unicode") + "</body></html>"
    items = _trafilatura_lines(fragment)
    if items is None or not _covers(items, reference):
        out = _Items(reference)
        out.walked = True
        return out
    return _Items(items)


def _widen_for_tables(doc, container, part: list, whole: list):
    """The nearest ancestor of ``container`` that also holds the data tables trafilatura found on
    the page but not in the container (a summary table above a notice), if it is not the body."""
    have = {_squash("".join(c.itertext())) for k, t in part if k == "table" for c in t.iter("cell")}
    missing = [t for k, t in whole if k == "table"
               and len({_squash("".join(c.itertext())) for c in t.iter("cell")} - have) > 2]
    if not missing:
        return None
    sources = [src for t in missing if (src := _source_table(t, list(doc.iter("table")), set())) is not None]
    if not sources:
        return None
    ancestors = list(container.iterancestors())
    for anc in ancestors:
        if anc.tag in ("body", "html"):
            return None
        if all(anc in set(src.iterancestors()) for src in sources):
            return anc
    return None


def _focused_subset(part: list, whole: list) -> bool:
    """``part``'s text lines are (nearly all) in ``whole`` and carry most of its text."""
    part_lines = [_squash(v) for k, v in part if k == "line" and len(_squash(v)) > 2]
    whole_lines = [_squash(v) for k, v in whole if k == "line"]
    if not part_lines:
        return False
    if not whole_lines:
        return True
    whole_text = "".join(whole_lines)
    inside = sum(len(x) for x in part_lines if x in whole_text)
    total_part = sum(len(x) for x in part_lines)
    return inside >= 0.8 * total_part and total_part >= 0.6 * len(whole_text)


def _is_data_table(table_el) -> bool:
    """Layout tables (a whole page body inside one cell) are walked as text, not kept as tables."""
    if table_el.find(".//table") is not None:
        return False
    return True


# --- trafilatura ---------------------------------------------------------------------------

def _trafilatura_lines(fragment_html: str) -> list | None:
    xml = trafilatura.extract(
        fragment_html,
        output_format="xml",
        include_tables=True,
        include_comments=False,
        include_images=False,
        include_links=False,
        include_formatting=False,
        favor_recall=True,
        deduplicate=False,
    )
    if not xml:
        return None
    root = etree.fromstring(xml.encode("utf-8"))
    main = root.find("main")
    if main is None:
        main = root
    out: list = []
    for el in main.iter():
        tag = el.tag
        if tag == "table":
            out.append(("table", el))
        elif tag in ("p", "head", "item", "quote", "code") and not any(a.tag == "table" for a in el.iterancestors()):
            # text of this block without nested blocks' text
            parts = [el.text or ""]
            for child in el:
                if child.tag in ("lb",):
                    parts.append("\n")
                elif child.tag not in ("p", "head", "list", "item", "table"):
                    parts.append("".join(child.itertext()))
                parts.append(child.tail or "")
            for piece in "".join(parts).split("\n"):
                piece = _squash_ws(piece)
                if piece:
                    out.append(("line", piece))
    return out


def _covers(candidate: list, reference: list) -> bool:
    """Does ``candidate`` contain every text line of ``reference`` (tables compared by count)?"""
    got = "".join(_squash(x[1]) for x in candidate if x[0] == "line")
    for kind, value in reference:
        if kind == "line" and _squash(value) not in got:
            return False
    ref_tables = sum(1 for k, _ in reference if k == "table")
    cand_tables = sum(1 for k, _ in candidate if k == "table")
    return ref_tables == cand_tables


def _edge_pass(lines: list[str], removed: list[dict], found: dict, title: str | None = None,
               header_title: str | None = None) -> list[str]:
    """Remove chrome lines at the top and bottom only. With ``title`` (whole-page extraction,
    no known container), a top line repeating the page title — alone or followed by its
    date and source — is the page heading, not body."""
    title_key = _squash(title or "")

    def match(line: str) -> str | None:
        for reason, rx in _EDGE_CHROME:
            if rx.match(line):
                return reason
        if _DOCINFO_LINE.match(_squash(line)):
            return "document-info"
        return None

    title_left = [title_key]  # what of the title the top lines have not shown yet

    def title_line(line: str) -> bool:
        key = _squash(line)
        # a title broken over two lines: each line is the next piece of it
        if len(key) >= 4 and title_left[0] and title_left[0].startswith(key) and key != title_left[0]:
            title_left[0] = title_left[0][len(key):]
            return True
        if title_left[0] != title_key and key == title_left[0]:
            title_left[0] = ""
            return True
        if not title_key or not key.startswith(title_key):
            return False
        rest = _rest_after(line, title)
        return not rest or bool(re.fullmatch(r"[\s(（]*((19|20)\d{2}[-/年.]\d{1,2}[-/月.]\d{1,2}日?[\s\d:]*)?[)）]?\s*"
                                             r"((来源|信息来源|发布机构)[:：]\s*\S{1,30})?\s*", rest))

    def harvest(line: str, reason: str) -> None:
        if reason in ("date", "date-source"):
            d = meta_mod.parse_date(line)
            if d and "pub_date_on_page" not in found:
                found["pub_date_on_page"] = d
            m = re.search(r"(?:来源|來源|信息来源)\s*[:：]\s*(.+?)(?:\s+(?:发布|發布|发表|浏览|阅读|字体|时间)|$)", line)
            if m and "source_on_page" not in found:
                found["source_on_page"] = m.group(1).strip()
            m = re.search(r"(?:浏览次数|阅读次数|浏览量|点击数|访问量)\s*[:：]\s*(\d+)", line)
            if m:
                found["views"] = int(m.group(1))

    start = 0
    # Inside a known container a leading title line is body (a report's text opens with its own
    # title) unless the page's date/source line follows it: then the two are the page header.
    if header_title and len(lines) >= 2 and _squash(lines[0]) == _squash(header_title) and \
            match(lines[1]) in ("date", "date-source"):
        removed.append({"line": lines[0], "reason": "title above date/source (top)"})
        start = 1
    while start < len(lines):
        reason = match(lines[start]) or ("title" if title_key and title_line(lines[start]) else None)
        if not reason:
            break
        harvest(lines[start], reason)
        removed.append({"line": lines[start], "reason": f"{reason} (top)"})
        start += 1
    end = len(lines)
    # a site footer block: from a line that can only be footer (主办单位, 版权所有, 免责声明, ICP …)
    # within the last lines, everything below is footer
    for i in range(max(start, end - 15), end):
        if _FOOTER_START.match(lines[i]) and all(len(x) <= 300 for x in lines[i:end]):
            for x in lines[i:end]:
                removed.append({"line": x, "reason": "site footer block (bottom)"})
            end = i
            break
    while end > start:
        reason = match(lines[end - 1])
        if not reason:
            break
        removed.append({"line": lines[end - 1], "reason": f"{reason} (bottom)"})
        end -= 1
    return lines[start:end]


def _rest_after(line: str, title: str) -> str:
    """What follows the title in a line that starts with it (whitespace-insensitive)."""
    want = _squash(title)
    i = n = 0
    while i < len(line) and n < len(want):
        if not line[i].isspace() and line[i] not in "\u3000\xa0":
            n += 1
        i += 1
    return line[i:]


def _docinfo(table_el) -> dict | None:
    """A document-information grid (索引号 | … | 发文字号 | …) → {label: value}, else None.

    Two layouts occur: label/value pairs along a row, and a row of labels over a row of values."""
    def label(cell: str) -> str:
        return cell.rstrip(":：")

    rows = [[_squash_ws(td.text_content()) for td in tr if isinstance(td.tag, str) and td.tag in ("td", "th")]
            for tr in table_el.iter("tr")]
    cells = [c for row in rows for c in row]
    if len(cells) > 40 or sum(1 for c in cells if label(c) in _DOCINFO_LABELS) < 2:
        return None
    info: dict = {}
    header: list[str] | None = None
    for row in rows:
        if row and all(label(c) in _DOCINFO_LABELS for c in row):
            header = [label(c) for c in row]  # values are in the next row
        elif header and len(row) == len(header):
            info.update({k: v for k, v in zip(header, row) if v})
            header = None
        else:
            info.update({label(k): v for k, v in zip(row[::2], row[1::2]) if label(k) in _DOCINFO_LABELS})
    return info


def _fill_from_script(doc, selectors: Sequence[str], embedded: EmbeddedArticle):
    """Put the script's article HTML where a browser would: into the page's (empty) article
    area, or at the end of the body when the page has none we know."""
    fragment = lxml_html.fragment_fromstring(embedded.content_html, create_parent="div")
    for sel in selectors:
        found = _select(doc, sel)
        if found:
            found[0].append(fragment)
            return found[0], f"{sel} (filled from {embedded.where})"
    body = doc.find("body")
    (body if body is not None else doc).append(fragment)
    return fragment, embedded.where


def clean_html(html: str, url: str | None = None, containers: Sequence[str] = ()) -> Cleaned:
    """Clean a decoded page. ``containers`` are portal-specific selectors tried first."""
    if not isinstance(html, str):
        raise TypeError("clean_html takes decoded text; decode bytes with archive.decode first")
    if not html.strip():
        return Cleaned(text="", extractor="none", metadata={})
    # Pages assembled from server-side includes carry a </html> (or </body>) in the middle;
    # libxml2 drops everything after it. The end tags are optional in HTML: parse without them.
    html = _END_TAGS.sub("", html)
    try:
        doc = lxml_html.fromstring(html)
    except (etree.ParserError, ValueError) as exc:
        raise NotAPage(f"not an HTML page: {exc}") from exc

    tags = meta_mod.meta_tags(doc)
    h1 = doc.find(".//h1")
    page_title = doc.findtext(".//title")
    title = (
        meta_mod.clean_title(tags.get("ArticleTitle"))
        or (meta_mod.clean_title(h1.text_content()) if h1 is not None else None)
        or meta_mod.clean_title(page_title)
    )
    removed: list[dict] = []
    found: dict = {}

    selectors = tuple(containers) + KNOWN_CONTAINERS
    container, selector = find_container(doc, selectors)
    embedded = None
    if container is None:  # an empty article area: the page may draw its article from a script
        embedded = find_embedded_article([s.text or "" for s in doc.iter("script")])
        if embedded is not None:
            container, selector = _fill_from_script(doc, selectors, embedded)
            # the record's own title beats the page's <title>/<h1>, which the script would fill
            title = (meta_mod.clean_title(tags.get("ArticleTitle")) or meta_mod.clean_title(embedded.title)
                     or title)
    guessed = False
    if container is None:
        container = guess_container(doc)
        if container is not None:
            guessed, selector = True, f"densest text block {_describe(container)}"
    attachments = collect_attachments(doc, container, url)
    if container is not None:
        _drop_chrome_blocks(container, removed)
        scope = container
    else:
        body = doc.find("body")
        scope = body if body is not None else doc

    if container is not None:
        items = _container_items(container)
    else:
        items = _trafilatura_lines(html)
    extractor = f"trafilatura {TRAFILATURA_VERSION}" + (f" on {selector}" if selector else " on page")
    if items is not None and getattr(items, "walked", False):
        extractor = f"block walk on {selector} (trafilatura {TRAFILATURA_VERSION} lost body text)"
    if guessed:
        # A guessed container must be a focused part of what trafilatura finds on the whole
        # page; otherwise (a disclaimer, a sidebar) trust trafilatura on the page.
        whole = _trafilatura_lines(html) or []
        wider = _widen_for_tables(doc, container, items or [], whole)
        if wider is not None:  # a data table of the article sits beside the densest block
            container, selector = wider, f"densest text block widened to {_describe(wider)}"
            _drop_chrome_blocks(container, removed)
            scope = container
            items = _container_items(container)
        if not _focused_subset(items or [], whole):
            container, selector, guessed = None, None, False
            body = doc.find("body")
            scope = body if body is not None else doc
            items = whole
            extractor = f"trafilatura {TRAFILATURA_VERSION} on page"
    items = items or []

    # Tables: the i-th table item ↔ the i-th data table of the scope, re-read from HTML.
    html_tables = [t for t in scope.iter("table") if _is_data_table(t)] if container is not None else []
    if container is None:
        html_tables = [t for t in doc.iter("table") if _is_data_table(t)]
    lines: list[str] = []
    tables: list[dict] = []
    used: set[int] = set()

    docinfo: dict = {}

    def emit_table(src) -> None:
        if len(lines) <= 3 and not tables:
            info = _docinfo(src)
            if info is not None:  # metadata grid above the body: metadata, not text
                docinfo.update(info)
                removed.append({"line": " | ".join(f"{k}: {v}" for k, v in info.items())[:200],
                                "reason": "document-information table (metadata)"})
                return
        if not _is_data_table(src):  # a layout table: its content is text (and maybe data tables)
            for kind2, v2 in walk_blocks(src):
                if kind2 == "line":
                    lines.append(v2)
                else:
                    emit_table(v2)
            return
        table: Table = parse_table(src)
        tables.append(table.to_json())
        lines.extend(table.text_lines())

    for kind, value in items:
        if kind == "line":
            lines.append(value)
        elif value.getroottree().getroot().tag == "doc":
            # a table as trafilatura saw it: re-read the HTML table it came from (best cell overlap)
            src = _source_table(value, html_tables, used)
            if src is not None:
                emit_table(src)
            else:  # no source found: keep trafilatura's rows rather than lose them
                for row in value.iter("row"):
                    cells = [_squash_ws("".join(c.itertext())) for c in row.iter("cell")]
                    if any(cells):
                        lines.append(" | ".join(cells))
        else:
            emit_table(value)

    anchors = {_squash(a.text_content()) for a in doc.iter("a")} - {""}
    extracted = list(lines)  # before link lists go: a list page is mostly links
    lines = _drop_link_runs(lines, anchors, removed)
    lines = _edge_pass(lines, removed, found, title=None if container is not None and not guessed else title,
                       header_title=title)
    text = "\n".join(lines)

    metadata = {
        "title": title,
        "page_title": _squash_ws(page_title) if page_title else None,
        "meta": tags,
        "pub_date": meta_mod.parse_date(tags.get("PubDate")) or found.get("pub_date_on_page")
        or (meta_mod.parse_date(embedded.date) if embedded is not None and embedded.date else None),
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
    total = sum(len(_squash(x)) for x in extracted) or 1
    in_links = sum(len(_squash(x)) for x in extracted if _squash(x) in anchors or _link_row(x, anchors))
    return Cleaned(
        link_ratio=in_links / total,
        text_simplified=simplified(text) if metadata["traditional"] else None,
        text=text,
        tables=tables,
        metadata=metadata,
        removed=removed,
        container=selector,
        extractor=extractor,
        attachments=attachments,
    )


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
        header_text = _squash_ws(" ".join(chunks))[-600:]
    if not metadata.get("source"):
        m = _HEADER_SOURCE.search(header_text)
        if m:
            metadata["source"] = m.group(1)
    if not metadata.get("pub_date"):
        m = _HEADER_DATE.search(header_text)
        if m:
            metadata["pub_date"] = meta_mod.parse_date(m.group(1))
