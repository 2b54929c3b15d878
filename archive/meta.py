"""Page metadata: the standard government-site meta tags, title, agency, dates, report year."""

from __future__ import annotations

import re
from datetime import date

# 政府网站发展指引 meta names (plus the common generic ones), matched case-insensitively.
STANDARD_META = (
    "SiteName", "SiteDomain", "SiteIDCode", "ColumnName", "ColumnDescription", "ColumnKeywords",
    "ColumnType", "ArticleTitle", "PubDate", "ContentSource", "Keywords", "Author", "Description",
    "Image", "Url",
)
_META_BY_LOWER = {m.lower(): m for m in STANDARD_META}

_YMD = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?!\d)")
_YEAR_IN_TITLE = re.compile(r"((?:19|20)\d{2})\s*年\s*度?")
_AGENCY_AFTER_YEAR = re.compile(
    r"(?:19|20)\d{2}\s*年度?\s*(?P<agency>[^\d\s（(]{2,40}?)\s*(?:政府信息公开|政務公開|政府信息公開|信息公开|信息公開|政务公开)"
)
_AGENCY_BEFORE_YEAR = re.compile(r"^(?P<agency>[^\d（(]{2,40}?)\s*(?:关于)?\s*(?:19|20)\d{2}\s*年")
_TITLE_SUFFIX = re.compile(r"\s*[-_|－—]+\s*[^-_|－—]{2,40}(?:网站|门户网站|人民政府|政府网|网)\s*$")


def meta_tags(doc) -> dict[str, str]:
    """Standard meta tags of an lxml document; attribute order does not matter."""
    found: dict[str, str] = {}
    for el in doc.iter("meta"):
        name = (el.get("name") or el.get("property") or "").strip()
        key = _META_BY_LOWER.get(name.lower())
        if key and key not in found:
            content = (el.get("content") or "").strip()
            if content:
                found[key] = content
    return found


def parse_date(text: str | None) -> str | None:
    """First YYYY-MM-DD / YYYY/MM/DD / YYYY年M月D日 in ``text``, as ISO date, if valid."""
    if not text:
        return None
    for m in _YMD.finditer(text):
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
        except ValueError:
            continue
    return None


def clean_title(title: str | None) -> str | None:
    if not title:
        return None
    title = re.sub(r"\s+", " ", title).strip()
    title = _TITLE_SUFFIX.sub("", title)
    return title or None


def report_year(title: str | None) -> int | None:
    """The year a report covers, from its title (2013年…报告, …2021 年度…)."""
    if not title:
        return None
    years = [int(m.group(1)) for m in _YEAR_IN_TITLE.finditer(title)]
    if years:
        return years[0]
    m = re.search(r"(?:19|20)\d{2}", title)
    return int(m.group()) if m else None


def is_report_title(title: str | None) -> bool:
    if not title:
        return False
    t = re.sub(r"\s+", "", title)
    return ("年度报告" in t or "年報" in t or "年报" in t or "年度報告" in t or
            ("报告" in t and ("信息公开" in t or "政务公开" in t)) or
            ("報告" in t and "公開" in t))


def agency_from_title(title: str | None) -> str | None:
    """The publishing agency a report title names: 「淮安市人民政府2024年…」, 「2013年广州市人社局政府信息公开…」."""
    if not title:
        return None
    t = title.strip()
    for rx in (_AGENCY_BEFORE_YEAR, _AGENCY_AFTER_YEAR):
        m = rx.search(t)
        if m:
            agency = m.group("agency").strip()
            # 「2023年政府信息公开工作年度报告」 names no agency: its 政府 is the phrase's own
            if agency != "政府" and not agency.startswith(("政府信息", "政务", "信息公开")):
                return agency
    return None


def parse_years(value: str | None) -> tuple[int, int] | None:
    """``2019-2024`` / ``2021`` / ``2019,2021`` → (lowest, highest)."""
    if not value:
        return None
    years = [int(y) for y in re.findall(r"(?:19|20)\d{2}", str(value))]
    if not years or not re.fullmatch(r"\s*\d{4}\s*(?:[-,~]\s*\d{4}\s*)*", str(value)):
        raise ValueError(f"years must look like 2019-2024 or 2021, not {value!r}")
    return min(years), max(years)
