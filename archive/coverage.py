"""Coverage: agencies × years, each cell the report the archive holds (or its absence), and the gaps
the regulation says should not exist.

Deadlines (政府信息公开条例): since the revised regulation (2019, art. 49–50), a report of year Y is
due by 31 January of Y+1 from a department (县级以上人民政府部门) and by 31 March of Y+1 from a government
(its 政府信息公开工作主管部门 publishes it); under the 2008 regulation (art. 31) every agency's by 31
March of Y+1 — reports of 2008 to 2018. Nothing is owed for a year before 2008. A year whose
deadline has passed with no report stored is *missing*; a report published after its deadline is
*late*; a year not yet due is *pending*.

Agencies come from the registry (``archive.registry``: agency, region code, level, the row that is
its portal) and from the reports' ``agency`` field (an agency no registry row names: its region is
that of the registry row it was crawled under, its level read from its name — a name ending in
政府, or a place name, is a government). An agency's reports are the stored reports (current
versions) whose agency is its name, whatever column they were found in.

``coverage(reader, registry, …)`` computes it; ``text()`` and ``csv_rows()`` show it; ``canned_sql()``
is the same as one SQL query, for the web view (``archive serve``: ``/archive/coverage``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from .registry import GOVERNMENT_LEVELS, Row

FIRST_YEAR = 2008  # the first year a report was owed (2008 regulation, in force 1 May 2008)
REVISED_FROM = 2019  # reports of 2019 on: the revised regulation's deadlines
STATUSES = ("found", "late", "missing", "pending", "not-owed")
_PLACE = re.compile(r"(省|市|区|县|旗|州|盟|自治区|特别行政区|镇|乡|街道)$")


def deadline(year: int, government: bool) -> date | None:
    """When the report of ``year`` is due, or None for a year before any was owed."""
    if year < FIRST_YEAR:
        return None
    if year >= REVISED_FROM and not government:
        return date(year + 1, 1, 31)
    return date(year + 1, 3, 31)


def agency_key(name: str | None) -> str:
    return re.sub(r"[\s\u3000\xa0]+", "", name or "")


def is_government_name(name: str) -> bool:
    """A government by its name: …人民政府 / …政府, or a bare place name (广州市番禺区)."""
    key = agency_key(name)
    return key.endswith("政府") or bool(_PLACE.search(key))


def region_matches(code: str | None, region: str | None) -> bool:
    """Is ``code`` within ``region`` (a province's code covers its cities and counties, a city's its
    counties)?"""
    if not region:
        return True
    if not code:
        return False
    if region.endswith("0000"):
        return code[:2] == region[:2]
    if region.endswith("00"):
        return code[:4] == region[:4]
    return code == region


@dataclass
class Agency:
    name: str
    region_code: str
    level: str  # a registry level, or government / department for an agency known from reports
    portal: str  # its registry row, or the portal its reports were crawled under
    source: str  # registry | reports

    @property
    def government(self) -> bool:
        return self.level in GOVERNMENT_LEVELS or self.level == "government"


@dataclass
class Cell:
    year: int
    status: str
    deadline: date | None
    reports: list[dict] = field(default_factory=list)  # url, title, pub_date, portal


@dataclass
class Coverage:
    years: list[int]
    today: date
    agencies: list[Agency]
    cells: dict[tuple[str, int], Cell]  # (agency key, year) → cell
    unnamed: int  # stored reports that name no agency (not in the matrix)

    def count(self, status: str) -> int:
        return sum(c.status == status for c in self.cells.values())

    def missing(self) -> list[tuple[Agency, Cell]]:
        return [(a, self.cells[agency_key(a.name), y]) for a in self.agencies for y in self.years
                if self.cells[agency_key(a.name), y].status == "missing"]


def _status(year: int, due: date | None, found: list[dict], today: date) -> str:
    if found:
        published = min((r["pub_date"] for r in found if r.get("pub_date")), default=None)
        return "late" if due and published and published > due.isoformat() else "found"
    if due is None:
        return "not-owed"
    return "missing" if today > due else "pending"


def coverage(reader, rows: list[Row], years: tuple[int, int], region: str | None = None,
             today: date | None = None) -> Coverage:
    """The matrix of the registry's agencies and the archive's (``reader``: ``archive.store.Reader``)."""
    today = today or date.today()
    reports = list(reader.db.query(
        "SELECT url, portal, agency, title, report_year, pub_date FROM reports WHERE current_version IS NOT NULL"))
    agencies: dict[str, Agency] = {}
    portal_region = {r.id: r.region_code for r in rows}
    for r in rows:
        key = agency_key(r.agency)
        if key and key not in agencies:
            agencies[key] = Agency(r.agency, r.region_code, r.level, r.id, "registry")
    unnamed = 0
    seen: dict[str, tuple[str, str]] = {}  # agency key → (lowest spelling, lowest portal), as the SQL takes them
    for rep in reports:
        key = agency_key(rep["agency"])
        if not key:
            unnamed += 1
        elif key not in agencies:
            name, portal = seen.get(key, (rep["agency"], rep["portal"] or ""))
            seen[key] = (min(name, rep["agency"]), min(portal, rep["portal"] or ""))
    for key, (name, portal) in seen.items():
        agencies[key] = Agency(name, portal_region.get(portal, ""),
                               "government" if is_government_name(name) else "department", portal, "reports")
    chosen = sorted((a for a in agencies.values() if region_matches(a.region_code, region)),
                    key=lambda a: (a.region_code or "~", a.source, agency_key(a.name)))
    by_key_year: dict[tuple[str, int], list[dict]] = {}
    for rep in reports:
        if rep["report_year"] is not None and agency_key(rep["agency"]):
            by_key_year.setdefault((agency_key(rep["agency"]), int(rep["report_year"])), []).append(rep)
    span = list(range(years[0], years[1] + 1))
    cells = {}
    for a in chosen:
        key = agency_key(a.name)
        for y in span:
            found = sorted(by_key_year.get((key, y), []), key=lambda r: (r.get("pub_date") or "", r["url"]))
            due = deadline(y, a.government)
            cells[key, y] = Cell(y, _status(y, due, found, today), due, found)
    return Coverage(span, today, chosen, cells, unnamed)


# --- showing it ---------------------------------------------------------------------------------
MARKS = {"found": "ok", "late": "late", "missing": "MISSING", "pending": "pending", "not-owed": "-"}


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def text(cov: Coverage) -> str:
    head = ["region", "level", "agency"] + [str(y) for y in cov.years]
    table = [head]
    for a in cov.agencies:
        key = agency_key(a.name)
        marks = []
        for y in cov.years:
            cell = cov.cells[key, y]
            mark = MARKS[cell.status]
            if len(cell.reports) > 1:
                mark += f"×{len(cell.reports)}"
            marks.append(mark)
        table.append([a.region_code or "?", a.level, a.name] + marks)
    widths = [max(_width(row[i]) for row in table) for i in range(len(head))]
    lines = ["  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip() for row in table]
    lines.insert(1, "-" * len(lines[0]))
    missing = cov.missing()
    summary = (f"{len(cov.agencies)} agencies × {len(cov.years)} years as of {cov.today.isoformat()}: "
               f"{cov.count('found')} found, {cov.count('late')} late, {len(missing)} missing past their deadline, "
               f"{cov.count('pending')} not yet due")
    if cov.unnamed:
        summary += f"; {cov.unnamed} stored reports name no agency (not counted)"
    out = lines + ["", summary, "ok found · late published after its deadline · MISSING none stored though due · "
                                "pending not yet due · - nothing owed (before 2008) · ×N reports found"]
    if missing:
        out += ["", "missing past the deadline (none stored):"]
        by_agency: dict[str, list[Cell]] = {}
        for a, c in missing:
            by_agency.setdefault(agency_key(a.name), []).append(c)
        for a in cov.agencies:
            cells = by_agency.get(agency_key(a.name))
            if cells:
                kind = ("a government, due by 31 March" if a.government else
                        "a department, due by 31 January; 31 March for years before 2019")
                out.append(f"  {a.region_code or '?':<6}  {a.name} ({kind}): " + " ".join(str(c.year) for c in cells))
    return "\n".join(out)


CSV_COLUMNS = ("region_code", "level", "agency", "portal", "source", "year", "status", "deadline", "reports",
               "pub_date", "url", "title")


def csv_rows(cov: Coverage):
    for a in cov.agencies:
        key = agency_key(a.name)
        for y in cov.years:
            cell = cov.cells[key, y]
            first = cell.reports[0] if cell.reports else {}
            yield {"region_code": a.region_code, "level": a.level, "agency": a.name, "portal": a.portal,
                   "source": a.source, "year": y, "status": cell.status,
                   "deadline": cell.deadline.isoformat() if cell.deadline else "", "reports": len(cell.reports),
                   "pub_date": first.get("pub_date") or "", "url": first.get("url") or "", "title": first.get("title") or ""}


# --- the same as SQL, for the web view ------------------------------------------------------------
def _q(value: str | None) -> str:
    return "NULL" if value is None else "'" + str(value).replace("'", "''") + "'"


def _key_sql(column: str) -> str:
    return f"replace(replace(replace({column}, ' ', ''), char(12288), ''), char(160), '')"


def canned_sql(years: list[int], rows: list[Row] = (), params: bool = True) -> str:
    """Agencies (the registry's, then those only the reports name, then per portal the reports that
    name none) × ``years``: per year the number of reports stored; ``reports`` all of the agency's;
    ``missing`` the years whose deadline had passed on ``:today`` (empty: today) with none stored;
    ``gaps`` the years between its first and last stored report with none. ``:region`` (a 行政区划代码,
    empty: all) keeps the agencies within it. ``params=False``: no parameters (today, every region)."""
    first: dict[str, Row] = {}
    for r in rows:
        if agency_key(r.agency):
            first.setdefault(agency_key(r.agency), r)
    registry = ", ".join(f"({_q(r.agency)}, {_q(k)}, {_q(r.region_code)}, {_q(r.level)}, {_q(r.id)})"
                         for k, r in first.items())
    registry_cte = (f"registry(agency, akey, region_code, level, portal) AS (VALUES {registry})" if registry else
                    "registry(agency, akey, region_code, level, portal) AS (SELECT NULL, NULL, NULL, NULL, NULL WHERE 0)")
    # every portal's region, also of a row whose agency another row names first
    portals = ", ".join(f"({_q(r.id)}, {_q(r.region_code)})" for r in rows)
    portals_cte = (f"portals(portal, region_code) AS (VALUES {portals})" if portals else
                   "portals(portal, region_code) AS (SELECT NULL, NULL WHERE 0)")
    today = "coalesce(nullif(:today, ''), date('now', 'localtime'))" if params else "date('now', 'localtime')"
    region = ("(:region = '' OR (CASE WHEN :region LIKE '%0000' THEN substr(region_code, 1, 2) = substr(:region, 1, 2) "
              "WHEN :region LIKE '%00' THEN substr(region_code, 1, 4) = substr(:region, 1, 4) "
              "ELSE region_code = :region END))") if params else "1"
    year_values = ", ".join(f"({int(y)})" for y in years) or "(NULL)"
    cells = ", ".join(f'sum(CASE WHEN y = {int(y)} THEN n END) AS "{int(y)}"' for y in years) or "NULL AS years"
    government = "level IN ('province', 'city', 'county', 'township', 'government')"
    by_name = ("(s.akey LIKE '%政府' OR substr(s.akey, -1) IN ('省', '市', '区', '县', '旗', '州', '盟', '镇', '乡') "
               "OR s.akey LIKE '%街道')")
    return (
        f"WITH {registry_cte}, {portals_cte}, "
        f"stored AS MATERIALIZED (SELECT portal, agency, coalesce({_key_sql('agency')}, '') AS akey, report_year "
        "FROM reports WHERE current_version IS NOT NULL), "
        # counted once, then joined (no correlated scans: an archive of every agency stays fast)
        "counts AS MATERIALIZED (SELECT akey, portal, report_year AS y, count(*) AS n FROM stored "
        "GROUP BY akey, CASE WHEN akey = '' THEN portal END, report_year), "
        "totals AS MATERIALIZED (SELECT akey, CASE WHEN akey = '' THEN portal END AS unknown_portal, count(*) AS total, "
        "min(report_year) AS first, max(report_year) AS last FROM stored "
        "GROUP BY akey, CASE WHEN akey = '' THEN portal END), "
        "named AS (SELECT akey, min(agency) AS agency, min(portal) AS portal FROM stored "
        "WHERE akey != '' AND akey NOT IN (SELECT akey FROM registry) GROUP BY akey), "
        "agencies AS MATERIALIZED (SELECT * FROM ("
        "SELECT agency, akey, region_code, level, portal, 'registry' AS source FROM registry "
        "UNION ALL SELECT s.agency, s.akey, (SELECT p.region_code FROM portals p WHERE p.portal = s.portal), "
        f"CASE WHEN {by_name} THEN 'government' ELSE 'department' END, s.portal, 'reports' FROM named s "
        "UNION ALL SELECT '(agency unknown)', '', (SELECT p.region_code FROM portals p WHERE p.portal = s.portal), "
        f"NULL, s.portal, 'reports' FROM stored s WHERE s.akey = '' GROUP BY s.portal) WHERE {region}), "
        f"years(y) AS (VALUES {year_values}), "
        "allyears(y) AS (SELECT min(report_year) FROM stored UNION ALL SELECT y + 1 FROM allyears "
        "WHERE y < (SELECT max(report_year) FROM stored)), "
        "gaps AS (SELECT t.akey, group_concat(a.y, ' ') AS gaps FROM totals t JOIN allyears a "
        "ON a.y > t.first AND a.y < t.last LEFT JOIN counts k ON k.akey = t.akey AND k.y = a.y "
        "WHERE t.akey != '' AND k.n IS NULL GROUP BY t.akey), "
        "cells AS (SELECT c.*, years.y, coalesce(k.n, 0) AS n, "
        f"CASE WHEN years.y < {FIRST_YEAR} THEN NULL WHEN years.y >= {REVISED_FROM} AND NOT (c.{government}) "
        "THEN (years.y + 1) || '-01-31' ELSE (years.y + 1) || '-03-31' END AS deadline "
        "FROM agencies c CROSS JOIN years LEFT JOIN counts k ON k.akey = c.akey AND k.y = years.y "
        "AND (c.akey != '' OR k.portal = c.portal)) "
        f"SELECT c.region_code, c.level, c.agency, c.portal, c.source, {cells}, "
        "coalesce(max(t.total), 0) AS reports, "
        "group_concat(CASE WHEN n = 0 AND c.akey != '' AND deadline IS NOT NULL "
        f"AND {today} > deadline THEN y END, ' ') AS missing, max(g.gaps) AS gaps "
        "FROM cells c LEFT JOIN totals t ON t.akey = c.akey AND (c.akey != '' OR t.unknown_portal = c.portal) "
        "LEFT JOIN gaps g ON g.akey = c.akey AND c.akey != '' "
        "GROUP BY c.source, c.akey, c.portal ORDER BY coalesce(c.region_code, '~'), c.source, c.akey"
    )
