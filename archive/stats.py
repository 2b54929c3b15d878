"""What an archive file holds and what it costs (``archive stats``): rows and bytes per table
(indexes counted with their table; SQLite's ``dbstat`` where it is compiled in, else the sum of
the values' lengths), bytes per report, and how the stored bytes compare with what was fetched.
"""

from __future__ import annotations

import os
from typing import Iterable

_FTS = "versions_fts"


def _owner(name: str, kind: str, table: str) -> str:
    """The table a b-tree belongs to (an index to its table, FTS shadow tables to the index)."""
    if name.startswith(_FTS) or table.startswith(_FTS):
        return _FTS
    return table if kind == "index" else name


def _dbstat(db) -> dict[str, int] | None:
    try:
        return {name: size for name, size in db.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name")}
    except Exception:  # noqa: BLE001 - dbstat is an optional SQLite module
        return None


def _lengths(db, table: str) -> int:
    columns = [r[1] for r in db.execute(f"PRAGMA table_info([{table}])")]
    if not columns:
        return 0
    total = " + ".join(f"coalesce(length([{c}]), 0)" for c in columns)
    return db.execute(f"SELECT coalesce(sum({total}), 0) FROM [{table}]").fetchone()[0]


def _one(db, sql: str, params: Iterable = ()) -> int:
    row = db.execute(sql, list(params)).fetchone()
    return int(row[0] or 0) if row else 0


def stats(archive) -> dict:
    """Counts and sizes of one archive (``archive.store.Archive`` or ``Reader``)."""
    db = archive.db
    page_size = _one(db, "PRAGMA page_size")
    pages = _one(db, "PRAGMA page_count")
    free = _one(db, "PRAGMA freelist_count")
    schema = list(db.execute("SELECT name, type, tbl_name FROM sqlite_master WHERE type IN ('table', 'index') "
                             "AND name NOT LIKE 'sqlite_stat%'"))
    measured = _dbstat(db)
    tables: dict[str, dict] = {}
    for name, kind, table in schema:
        owner = _owner(name, kind, table)
        entry = tables.setdefault(owner, {"rows": 0, "bytes": 0, "index_bytes": 0})
        if measured is not None:
            size = measured.get(name, 0)
        else:
            size = _lengths(db, name) if kind == "table" and not name.startswith("sqlite_") else 0
        entry["index_bytes" if kind == "index" else "bytes"] += size
    if measured is not None:  # the schema table itself (autoindexes are in sqlite_master with their table)
        for name, size in measured.items():
            if name in ("sqlite_schema", "sqlite_master"):
                tables.setdefault("sqlite_schema", {"rows": 0, "bytes": 0, "index_bytes": 0})["bytes"] += size
    for name in list(tables):
        if name == _FTS or name == "sqlite_schema":
            tables[name]["rows"] = _one(db, f"SELECT count(*) FROM [{_FTS}_docsize]") if name == _FTS else \
                _one(db, "SELECT count(*) FROM sqlite_master")
        elif name in {n for n, k, _ in schema if k == "table"}:
            tables[name]["rows"] = _one(db, f"SELECT count(*) FROM [{name}]")
    for entry in tables.values():
        entry["total_bytes"] = entry["bytes"] + entry["index_bytes"]
    reports = _one(db, "SELECT count(*) FROM reports WHERE current_version IS NOT NULL")
    used = (pages - free) * page_size
    names = {n for n, k, _ in schema if k == "table"}
    fetched = _one(db, "SELECT sum(bytes) FROM fetches")
    out = {
        "file": {"path": getattr(archive, "path", None), "bytes": pages * page_size, "used_bytes": used,
                 "free_bytes": free * page_size, "page_size": page_size,
                 "wal_bytes": _wal_size(getattr(archive, "path", None)),
                 "measured_with": "dbstat" if measured is not None else "sum of value lengths"},
        "tables": dict(sorted(tables.items(), key=lambda kv: -kv[1]["total_bytes"])),
        "reports": reports,
        "versions": _one(db, "SELECT count(*) FROM versions"),
        "fetches": _one(db, "SELECT count(*) FROM fetches"),
        "bytes_per_report": round(used / reports) if reports else None,
        "fetched": {"body_bytes": fetched, "fetches_with_body": _one(db, "SELECT count(*) FROM fetches WHERE bytes > 0")},
    }
    if "payloads" in names:
        received = _one(db, "SELECT sum(payload_size) FROM captures") if "captures" in names else 0
        distinct = _one(db, "SELECT sum(size) FROM payloads")
        kept = _one(db, "SELECT sum(length(data)) FROM payloads")
        out["payloads"] = {
            "distinct": _one(db, "SELECT count(*) FROM payloads"), "bytes": distinct, "stored_bytes": kept,
            "received_bytes": received, "derived": _one(db, "SELECT count(*) FROM payloads WHERE compression = 'derived'"),
            "by_compression": {k: {"count": n, "bytes": b, "stored_bytes": s or 0} for k, n, b, s in db.execute(
                "SELECT compression, count(*), sum(size), sum(length(data)) FROM payloads GROUP BY 1 ORDER BY 1")},
            "compression_ratio": round(kept / distinct, 3) if distinct else None,
        }
        out["captures"] = _one(db, "SELECT count(*) FROM captures") if "captures" in names else 0
    out["stored_vs_fetched"] = round(used / fetched, 3) if fetched else None
    return out


def _wal_size(path: str | None) -> int:
    if not path:
        return 0
    try:
        return os.path.getsize(path + "-wal")
    except OSError:
        return 0


def _kb(n: int | None) -> str:
    return "-" if n is None else f"{n / 1024:,.1f} KB"


def render(s: dict) -> str:
    """The statistics as text for people."""
    f = s["file"]
    lines = [f"{f['path']}: {f['bytes']:,} bytes ({f['used_bytes']:,} used, {f['free_bytes']:,} free — "
             f"`sqlite-utils vacuum` gives them back), measured with {f['measured_with']}",
             f"reports {s['reports']:,}, versions {s['versions']:,}, fetches {s['fetches']:,}"
             + (f", captures {s['captures']:,}" if "captures" in s else ""),
             f"bytes per report: {_kb(s['bytes_per_report'])}",
             f"body bytes fetched (decoded, every fetch): {s['fetched']['body_bytes']:,}; archive / fetched: "
             f"{s['stored_vs_fetched']}", ""]
    if "payloads" in s:
        p = s["payloads"]
        lines += [f"payloads: {p['distinct']:,} distinct bodies, {p['bytes']:,} bytes, stored in {p['stored_bytes']:,} "
                  f"(ratio {p['compression_ratio']}); bodies received on the wire {p['received_bytes']:,} bytes; "
                  f"{p['derived']} kept as the decoding of a gzip body",
                  "  " + ", ".join(f"{k}: {v['count']:,} ({v['bytes']:,} → {v['stored_bytes']:,})"
                                   for k, v in p["by_compression"].items()), ""]
    width = max(len(n) for n in s["tables"]) if s["tables"] else 5
    lines.append(f"{'table':<{width}} {'rows':>10} {'bytes':>13} {'index bytes':>13} {'total':>13} {'share':>6}")
    used = sum(t["total_bytes"] for t in s["tables"].values()) or 1
    for name, t in s["tables"].items():
        lines.append(f"{name:<{width}} {t['rows']:>10,} {t['bytes']:>13,} {t['index_bytes']:>13,} "
                     f"{t['total_bytes']:>13,} {100 * t['total_bytes'] / used:>5.1f}%")
    return "\n".join(lines)
