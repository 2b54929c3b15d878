"""Datasette metadata for an archive: every table and column described (from
``archive.dictionary``), labels for the foreign keys, default facets, internal tables hidden,
and the canned queries a reader of the archive asks first."""

from __future__ import annotations

import sqlite3
from datetime import date

from .. import __version__
from ..coverage import REVISED_FROM, canned_sql
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
    """The coverage matrix's years: every report year the archive holds, and every year from 2019
    (the revised regulation) to last year, whose reports are owed whether stored or not."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        stored = [y for (y,) in conn.execute(
            "SELECT DISTINCT report_year FROM reports WHERE report_year IS NOT NULL ORDER BY 1")]
    finally:
        conn.close()
    return sorted(set(stored) | set(range(REVISED_FROM, date.today().year)))


def coverage_sql(years: list[int], rows=(), params: bool = False) -> str:
    """Agencies × years (``archive.coverage.canned_sql``): per year the number of reports stored,
    ``missing`` the years past their deadline with none, ``gaps`` the years between an agency's first
    and last report with none; with ``params`` the query takes ``:region`` and ``:today``."""
    return canned_sql(years, rows, params)


def queries(years: list[int], registry_rows=()) -> dict:
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
            "description": "Every agency of the registry and every agency the reports name, by region: how many "
                           "reports of each year are stored; missing: the years whose deadline had passed (on today, "
                           "or the date given) with none — since the 2019 regulation 31 January of the next year for "
                           "a department, 31 March for a government; before, 31 March; nothing before 2008; gaps: "
                           "the years between its first and last stored report with none. Region: a 6-digit "
                           "行政区划代码 (a province's or city's takes in those within it); empty for all.",
            "sql": coverage_sql(years, registry_rows, params=True),
            "params": ["region", "today"],
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


def metadata(path: str, registry_rows=None) -> dict:
    """``registry_rows``: the registry's rows for the coverage query (default: the registry in use,
    ``$ARCHIVE_REGISTRY`` or the shipped one; none if it cannot be read)."""
    if registry_rows is None:
        from ..registry import RegistryError, read

        try:
            registry_rows = read().rows
        except RegistryError:
            registry_rows = []
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
        "databases": {DATABASE: {"tables": tables, "queries": queries(_years(path), registry_rows)}},
    }
