"""Datasette metadata for an archive: every table and column described (from
``archive.dictionary``), labels for the foreign keys, default facets, internal tables hidden,
and the canned queries a reader of the archive asks first."""

from __future__ import annotations

import sqlite3

from .. import __version__
from ..dictionary import TABLES

DATABASE = "archive"  # the name the archive is served under, whatever its file is called

LABELS = {"reports": "title", "fetches": "url", "files": "sha256", "crawls": "job_id", "versions": "report_url"}
FACETS = {
    "reports": ["portal", "agency", "report_year"],
    "figure_sets": ["template", "checks_failed"],
    "figure_checks": ["rule", "ok"],
    "fetches": ["outcome", "status"],
    "files": ["kind", "error_kind"],
    "captures": ["status", "cassette", "source"],
    "payloads": ["compression"],
}
SORT_DESC = {"reports": "report_year", "fetches": "id", "crawls": "started_at", "versions": "id", "captures": "id"}
FTS_SHADOW = ("versions_fts", "versions_fts_data", "versions_fts_idx", "versions_fts_docsize", "versions_fts_config",
              "versions_fts_content")

_CURRENT = "r.current_version IS NOT NULL"


def _years(path: str) -> list[int]:
    """The report years the archive holds (the coverage matrix has a column for each)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return [y for (y,) in conn.execute(
            "SELECT DISTINCT report_year FROM reports WHERE report_year IS NOT NULL ORDER BY 1")]
    finally:
        conn.close()


def coverage_sql(years: list[int]) -> str:
    """Agencies × years: each cell how many reports of that agency and year are stored, and the
    years between an agency's first and last report that have none (its gaps)."""
    cells = ", ".join(f'sum(report_year = {int(y)}) AS "{int(y)}"' for y in years) or "NULL AS years"
    return (
        "WITH agencies AS (SELECT portal, coalesce(agency, '(agency unknown)') AS agency, report_year FROM reports r "
        f"WHERE {_CURRENT}), "
        "span AS (SELECT portal, agency, min(report_year) AS first, max(report_year) AS last FROM agencies "
        "WHERE report_year IS NOT NULL GROUP BY portal, agency), "
        "years(y) AS (SELECT (SELECT min(report_year) FROM reports) UNION ALL SELECT y + 1 FROM years "
        "WHERE y < (SELECT max(report_year) FROM reports)), "
        "gaps AS (SELECT s.portal, s.agency, group_concat(y, ' ') AS missing FROM span s JOIN years "
        "ON y BETWEEN s.first AND s.last WHERE NOT EXISTS (SELECT 1 FROM agencies a WHERE a.portal = s.portal "
        "AND a.agency = s.agency AND a.report_year = y) GROUP BY s.portal, s.agency) "
        f"SELECT a.portal, a.agency, {cells}, count(*) AS reports, g.missing AS gaps FROM agencies a "
        "LEFT JOIN gaps g ON g.portal = a.portal AND g.agency = a.agency "
        "GROUP BY a.portal, a.agency ORDER BY a.portal, a.agency"
    )


def queries(years: list[int]) -> dict:
    return {
        "reports_by_agency_year": {
            "title": "Reports by agency and year",
            "description": "Stored reports whose agency contains the text given (empty: all), of one year (empty: all).",
            "sql": ("SELECT r.agency, r.report_year, r.pub_date, r.title, r.url, r.portal, r.version_count, "
                    "r.gone_since FROM reports r WHERE " + _CURRENT + " AND (:agency = '' OR instr(r.agency, :agency) > 0) "
                    "AND (:year = '' OR r.report_year = CAST(:year AS INTEGER)) ORDER BY r.agency, r.report_year, r.url"),
        },
        "coverage": {
            "title": "Coverage: agencies × years",
            "description": "For each agency, how many reports of each year are stored; gaps are the years between its "
                           "first and last stored report with none.",
            "sql": coverage_sql(years),
        },
        "failing_checks": {
            "title": "Reports whose statistics tables fail a consistency check",
            "description": "Every failed check of the template (表三 and 表四 sums) on the current version of a report.",
            "sql": ("SELECT r.agency, r.report_year, r.title, r.url, c.rule, c.column_key, c.expected, c.found, "
                    "c.nulls_as_zero FROM figure_checks c JOIN reports r ON r.current_version = c.version_id "
                    "WHERE c.ok = 0 ORDER BY r.portal, r.report_year, r.url, c.id"),
        },
        "recently_changed": {
            "title": "Recently changed reports",
            "description": "Reports with more than one version, the most recent change first.",
            "sql": ("SELECT max(v.created_at) AS changed_at, r.agency, r.report_year, r.title, r.url, r.version_count "
                    "FROM reports r JOIN versions v ON v.report_url = r.url WHERE r.version_count > 1 "
                    "GROUP BY r.url ORDER BY changed_at DESC LIMIT 500"),
        },
        "gone": {
            "title": "Reports gone from their column",
            "description": "Reports no longer listed on their portal's column since the time given; the archive keeps them.",
            "sql": ("SELECT r.gone_since, r.agency, r.report_year, r.title, r.url, r.last_listed FROM reports r "
                    "WHERE r.gone_since IS NOT NULL ORDER BY r.gone_since DESC, r.url"),
        },
    }


def metadata(path: str) -> dict:
    tables = {}
    for name, entry in TABLES.items():
        t = {"title": entry["title"], "description": entry["description"], "columns": dict(entry["columns"])}
        if entry.get("hidden"):
            t["hidden"] = True
        if name in LABELS:
            t["label_column"] = LABELS[name]
        if name in FACETS:
            t["facets"] = FACETS[name]
        if name in SORT_DESC:
            t["sort_desc"] = SORT_DESC[name]
        tables[name] = t
    for name in FTS_SHADOW:
        tables[name] = {"hidden": True}
    tables["versions"]["description"] += (" The search box of this table uses the trigram index and finds terms of "
                                          "three or more characters only; /search finds shorter ones too.")
    return {
        "title": "政府信息公开年度报告 archive",
        "description": "Chinese government information-disclosure annual reports, as published, with where and when "
                       "each was fetched. Search at /search; each report has a page at /report?url=…",
        "source": f"annual-report-archive {__version__}",
        "databases": {DATABASE: {"tables": tables, "queries": queries(_years(path))}},
    }
