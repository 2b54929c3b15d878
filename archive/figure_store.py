"""The statutory tables of stored versions, as rows: ``figure_sets`` (one per version looked
at), ``figures`` (one per cell), ``figure_checks`` (one per check). ``archive.store.Archive``
writes them in the transaction that stores a version or links an attachment; ``rebuild``
recomputes them for a whole archive (after an upgrade, or a better parser).

Reading the figures never stops a store: an error in the parser is kept as the set's problem,
and the version and its bytes are stored all the same.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Iterator

from . import __version__
from .figures import T3_COLUMNS, T4_COLUMNS, T4_GROUPS, Figures, read_figures
from .records import utcnow

log = logging.getLogger(__name__)

# The canonical cells, in a stable order: the columns of ``archive export --format figures``.
T2_CELLS = (
    ("rules", ("issued", "repealed", "in_force", "made", "published", "total_published")),
    ("normative_docs", ("issued", "repealed", "in_force", "made", "published", "total_published")),
    ("licensing", ("decisions", "last_year", "change")),
    ("other_services", ("last_year", "change", "decisions")),
    ("penalty", ("decisions", "last_year", "change")),
    ("enforcement", ("decisions", "last_year", "change")),
    ("fees", ("amount", "last_year", "change")),
    ("procurement", ("projects", "amount")),
)
T3_ROWS = ("new", "carried_over", "granted", "partly_granted", *(f"refused_{i}" for i in range(1, 9)),
           *(f"unavailable_{i}" for i in range(1, 4)), *(f"not_handled_{i}" for i in range(1, 6)),
           "other", "other_1", "other_2", "other_3", "total", "carried_forward")
CELLS = (tuple(f"t2.{row}.{col}" for row, cols in T2_CELLS for col in cols)
         + tuple(f"t3.{row}.{col}" for row in T3_ROWS for col in T3_COLUMNS)
         + tuple(f"t4.{group}.{col}" for group in T4_GROUPS for col in T4_COLUMNS))
_SHORT = {"table2": "t2", "table3": "t3", "table4": "t4"}


def _cell_rows(version_id: int, url: str, f: Figures) -> Iterator[dict]:
    for table in ("table2", "table3", "table4"):
        where = json.dumps(f.source.get(table), ensure_ascii=False)
        for row, cols in getattr(f, table).items():
            for col, cell in cols.items():
                yield {"version_id": version_id, "report_url": url, "template": f.template, "table_name": table,
                       "row_key": row, "column_key": col, "value": cell["value"], "raw": cell["raw"],
                       "position": json.dumps(cell["position"]), "source": where}
    where = json.dumps(f.source.get("table_pre2019"), ensure_ascii=False)
    for r in f.table_pre2019:
        for j, (value, raw, pos) in enumerate(zip(r["values"], r["raw"], r["positions"])):
            yield {"version_id": version_id, "report_url": url, "template": f.template,
                   "table_name": "table_pre2019", "row_key": r["label"], "column_key": f"value_{j + 1}",
                   "value": value, "raw": raw, "position": json.dumps(pos), "source": where,
                   "section": r["section"], "unit": r["unit"]}


def write(db, url: str, version_id: int, sources) -> dict:
    """(Re)write the figures of one version from its table sources; returns its ``figure_sets``
    row. Called inside the caller's transaction."""
    for table in ("figures", "figure_checks", "figure_sets"):
        db.execute(f"DELETE FROM {table} WHERE version_id = ?", [version_id])
    try:
        f = read_figures(sources or [])
        problems = list(f.problems) if f else []
    except Exception as exc:  # a parser bug must not cost the version: say it, store the rest
        log.exception("figures of %s (version %s) could not be read", url, version_id)
        f, problems = None, [f"figures could not be read: {type(exc).__name__}: {exc}"]
    cells = list(_cell_rows(version_id, url, f)) if f else []
    checks = f.checks if f else []
    failed = [f"{c['rule']}:{c['column']}" for c in checks if not c["ok"]]
    if cells:
        _insert_rows(db, "figures", cells)
    if checks:
        _insert_rows(db, "figure_checks",
                     [{"version_id": version_id, "report_url": url, "rule": c["rule"], "column_key": c["column"],
                       "ok": int(c["ok"]), "expected": c["expected"], "found": c["found"],
                       "nulls_as_zero": int(bool(c.get("nulls_as_zero")))} for c in checks])
    row = {"version_id": version_id, "report_url": url, "template": f.template if f else None,
           "statutory": int(bool(f and f.statutory)), "cells": len(cells), "checks_run": len(checks),
           "checks_failed": len(failed), "failed": json.dumps(failed), "problems": json.dumps(problems, ensure_ascii=False),
           "source": json.dumps(f.source if f else {}, ensure_ascii=False), "computed_at": utcnow(),
           "software": json.dumps({"archive": __version__})}
    _insert_rows(db, "figure_sets", [row])
    return row


def _insert_rows(db, table: str, rows: list[dict]) -> None:
    """Rows of one table in one statement (sqlite-utils' insert_all looks the table up in SQLite on
    every call; a crawl writes a figure set per report). The rows' values are SQL values already."""
    columns = sorted({c for r in rows for c in r})
    db.conn.executemany(f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in columns)}) "
                        f"VALUES ({', '.join('?' for _ in columns)})", [[r.get(c) for c in columns] for r in rows])


def rebuild(archive, progress=None) -> dict:
    """Recompute the figures of every stored version; returns counts and the time taken."""
    started = time.perf_counter()
    ids = [(r["id"], r["report_url"]) for r in archive.db.query("SELECT id, report_url FROM versions ORDER BY id")]
    counts = {"versions": 0, "statutory": 0, "pre2019": 0, "none": 0, "checks_failed": 0}
    batch = 200
    for start in range(0, len(ids), batch):
        with archive.write():
            for version_id, url in ids[start:start + batch]:
                row = write(archive.db, url, version_id, archive.table_sources(url, version_id))
                counts["versions"] += 1
                kind = "statutory" if row["statutory"] else ("pre2019" if row["template"] == "pre2019" else "none")
                counts[kind] += 1
                counts["checks_failed"] += bool(row["checks_failed"])
        if progress:
            progress(counts["versions"], len(ids))
    counts["seconds"] = round(time.perf_counter() - started, 3)
    return counts


def current_sets(archive, portals=(), years=None) -> Iterator[dict]:
    """The figure set of each report's current version, with the report's metadata (reports
    never looked at have template None and no cells)."""
    where, params = ["1 = 1"], []
    if portals:
        where.append(f"r.portal IN ({', '.join('?' * len(portals))})")
        params += list(portals)
    if years:
        where.append("r.report_year BETWEEN ? AND ?")
        params += list(years)
    yield from archive.db.query(
        "SELECT r.url, r.portal, r.agency, r.report_year, r.title, r.current_version AS version_id, "
        "s.template, s.statutory, s.checks_run, s.checks_failed, s.failed, s.problems "
        "FROM reports r LEFT JOIN figure_sets s ON s.version_id = r.current_version "
        f"WHERE {' AND '.join(where)} ORDER BY r.portal, r.report_year, r.url", params)


def cells_of(archive, version_id: int) -> dict[str, float | None]:
    """``{"t3.new.natural_person": value, …}`` of one version's statutory tables."""
    return {f"{_SHORT[r['table_name']]}.{r['row_key']}.{r['column_key']}": r["value"] for r in archive.db.query(
        "SELECT table_name, row_key, column_key, value FROM figures WHERE version_id = ? "
        "AND table_name != 'table_pre2019'", [version_id])}


def failing_checks(archive, portals=(), years=None) -> Iterator[dict]:
    """Every failed check of the current versions, with its report."""
    for s in current_sets(archive, portals, years):
        if not s["checks_failed"]:
            continue
        for c in archive.db.query("SELECT rule, column_key, expected, found, nulls_as_zero FROM figure_checks "
                                  "WHERE version_id = ? AND ok = 0 ORDER BY id", [s["version_id"]]):
            yield {**{k: s[k] for k in ("url", "portal", "agency", "report_year", "template")}, **c}
