"""The archive database (SQLite through sqlite-utils).

Tables
------
``reports``   one row per canonical report URL: where it was listed, what it is, which
              version is current, when it was first and last seen.
``versions``  one row per distinct cleaned content of a report: text, tables, the raw
              bytes (zlib), their hashes, how they were decoded and cleaned, with which versions.
``fetches``   one row per HTTP exchange, whatever came of it (list pages, blocked and failed
              fetches included): URL, final URL and redirect chain, status, validators, size,
              sha256, timing, spider, crawl job, the list page it was found on.
``crawls``    one row per crawl job, with its finish reason and stats.
``meta``      key/value; ``schema_version``.

Every stored item is written in one transaction: a crash leaves either all of it or none.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils

SCHEMA_VERSION = 1
DEFAULT_PATH = "archive.db"
ENV_VAR = "ARCHIVE_DB"


def utcnow() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def sha256(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def default_path() -> str:
    return os.environ.get(ENV_VAR) or DEFAULT_PATH


@dataclass(frozen=True)
class Stored:
    outcome: str  # "new" | "changed" | "unchanged"
    report_url: str
    version_id: int
    fetch_id: int


def _schema_v1(db: sqlite_utils.Database) -> None:
    db["crawls"].create(
        {"job_id": str, "spider": str, "started_at": str, "finished_at": str, "finish_reason": str,
         "stats": str, "versions": str},
        pk="job_id", if_not_exists=True,
    )
    db["fetches"].create(
        {"id": int, "job_id": str, "spider": str, "url": str, "final_url": str, "redirect_chain": str,
         "method": str, "status": int, "outcome": str, "reason": str, "content_type": str,
         "content_length": int, "etag": str, "last_modified": str, "response_headers": str,
         "bytes": int, "sha256": str, "fetched_at": str, "duration_ms": int, "found_on": str,
         "flags": str, "report_url": str, "version_id": int},
        pk="id", if_not_exists=True,
    )
    db["reports"].create(
        {"url": str, "portal": str, "section": str, "agency": str, "title": str, "report_year": int,
         "pub_date": str, "source": str, "list_title": str, "list_date": str, "found_on": str,
         "site_meta": str, "attachments": str, "first_seen": str, "last_seen": str,
         "current_version": int, "version_count": int},
        pk="url", if_not_exists=True,
    )
    db["versions"].create(
        {"id": int, "report_url": str, "created_at": str, "fetch_id": int, "raw_sha256": str,
         "clean_sha256": str, "text": str, "tables": str, "raw": bytes, "raw_compression": str,
         "raw_size": int, "content_type": str, "encoding": str, "encoding_method": str,
         "encoding_declared": str, "encoding_confidence": float, "extractor": str,
         "software": str, "container": str, "removed": str, "metadata": str},
        pk="id", if_not_exists=True,
    )
    db["fetches"].create_index(["url"], if_not_exists=True)
    db["fetches"].create_index(["job_id"], if_not_exists=True)
    db["versions"].create_index(["report_url"], if_not_exists=True)
    db["versions"].create_index(["report_url", "clean_sha256"], if_not_exists=True)
    db["reports"].create_index(["portal", "report_year"], if_not_exists=True)
    if "versions_fts" not in db.table_names():
        # trigram: Chinese has no spaces; 3+ character terms match (see README for 1–2 characters)
        db["versions"].enable_fts(["text"], tokenize="trigram", create_triggers=True)


MIGRATIONS = {1: _schema_v1}


class ArchiveError(RuntimeError):
    pass


class Archive:
    """The archive database. ``Archive(path)`` creates or upgrades the schema."""

    def __init__(self, path: str | os.PathLike | None = None):
        self.path = str(path or default_path())
        parent = Path(self.path).parent
        if not parent.exists():
            raise ArchiveError(f"directory for the archive database does not exist: {parent}")
        try:
            self.db = sqlite_utils.Database(self.path)
            self.db.execute("PRAGMA busy_timeout = 10000")
            self.db.enable_wal()
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise ArchiveError(f"{self.path} is not a usable SQLite archive: {exc}") from exc

    @property
    def conn(self) -> sqlite3.Connection:
        return self.db.conn

    def close(self) -> None:
        self.db.close()

    # --- schema ---------------------------------------------------------------------------
    def schema_version(self) -> int:
        if "meta" not in self.db.table_names():
            return 0
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return int(row[0]) if row else 0

    def _migrate(self) -> None:
        current = self.schema_version()
        if current > SCHEMA_VERSION:
            raise ArchiveError(
                f"{self.path} has schema version {current}, newer than this code ({SCHEMA_VERSION}); upgrade the code"
            )
        if current == SCHEMA_VERSION:
            return
        with self.conn:
            self.db["meta"].create({"key": str, "value": str}, pk="key", if_not_exists=True)
            for version in range(current + 1, SCHEMA_VERSION + 1):
                MIGRATIONS[version](self.db)
            self.conn.execute(
                "INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
            )

    # --- writing --------------------------------------------------------------------------
    def _insert(self, table: str, row: dict) -> int:
        cols = ", ".join(f"[{k}]" for k in row)
        marks = ", ".join("?" for _ in row)
        cur = self.conn.execute(f"INSERT INTO [{table}] ({cols}) VALUES ({marks})", [_sql(v) for v in row.values()])
        return cur.lastrowid

    def start_crawl(self, job_id: str, spider: str, versions: dict) -> None:
        with self.conn:
            self.conn.execute(
                "INSERT OR REPLACE INTO crawls(job_id, spider, started_at, versions) VALUES (?, ?, ?, ?)",
                (job_id, spider, utcnow(), json.dumps(versions, ensure_ascii=False)),
            )

    def finish_crawl(self, job_id: str, reason: str, stats: dict) -> None:
        with self.conn:
            self.conn.execute(
                "UPDATE crawls SET finished_at = ?, finish_reason = ?, stats = ? WHERE job_id = ?",
                (utcnow(), reason, json.dumps(stats, ensure_ascii=False, default=str), job_id),
            )

    def record_fetch(self, fetch: dict) -> int:
        """Store one HTTP exchange that produced no report version (lists, blocked, errors)."""
        with self.conn:
            return self._insert("fetches", _fetch_row(fetch))

    def store_report(self, fetch: dict, report: dict, version: dict) -> Stored:
        """Store a fetched report page: the fetch, the report row, and a version if content changed.

        ``report``: url (canonical), portal, section, agency, title, report_year, pub_date,
        source, list_title, list_date, found_on, site_meta, attachments.
        ``version``: raw (bytes), text, tables, content_type, encoding…, extractor, software,
        container, removed, metadata.
        """
        url = report["url"]
        raw: bytes = version["raw"]
        clean_hash = sha256(version["text"] + "\x00" + json.dumps(version.get("tables") or [], ensure_ascii=False, sort_keys=True))
        now = fetch.get("fetched_at") or utcnow()
        with self.conn:
            fetch_id = self._insert("fetches", _fetch_row(fetch))
            existing = self.conn.execute(
                "SELECT r.current_version, v.clean_sha256 FROM reports r LEFT JOIN versions v ON v.id = r.current_version WHERE r.url = ?",
                (url,),
            ).fetchone()
            if existing and existing[1] == clean_hash:
                outcome, version_id = "unchanged", existing[0]
            else:
                version_id = self._insert("versions", {
                    "report_url": url,
                    "created_at": now,
                    "fetch_id": fetch_id,
                    "raw_sha256": sha256(raw),
                    "clean_sha256": clean_hash,
                    "text": version["text"],
                    "tables": json.dumps(version.get("tables") or [], ensure_ascii=False),
                    "raw": zlib.compress(raw, 6),
                    "raw_compression": "zlib",
                    "raw_size": len(raw),
                    "content_type": version.get("content_type"),
                    "encoding": version.get("encoding"),
                    "encoding_method": version.get("encoding_method"),
                    "encoding_declared": version.get("encoding_declared"),
                    "encoding_confidence": version.get("encoding_confidence"),
                    "extractor": version.get("extractor"),
                    "software": json.dumps(version.get("software") or {}, ensure_ascii=False),
                    "container": version.get("container"),
                    "removed": json.dumps(version.get("removed") or [], ensure_ascii=False),
                    "metadata": json.dumps(version.get("metadata") or {}, ensure_ascii=False),
                })
                outcome = "changed" if existing else "new"
            fields = {k: report.get(k) for k in (
                "portal", "section", "agency", "title", "report_year", "pub_date", "source",
                "list_title", "list_date", "found_on")}
            fields["site_meta"] = json.dumps(report.get("site_meta") or {}, ensure_ascii=False)
            fields["attachments"] = json.dumps(report.get("attachments") or [], ensure_ascii=False)
            if existing:
                sets = ", ".join(f"[{k}] = ?" for k in fields)
                self.conn.execute(
                    f"UPDATE reports SET {sets}, last_seen = ?, current_version = ?, "
                    "version_count = (SELECT COUNT(*) FROM versions WHERE report_url = ?) WHERE url = ?",
                    [_sql(v) for v in fields.values()] + [now, version_id, url, url],
                )
            else:
                self._insert("reports", {"url": url, **fields, "first_seen": now, "last_seen": now,
                                         "current_version": version_id, "version_count": 1})
            self.conn.execute(
                "UPDATE fetches SET outcome = ?, report_url = ?, version_id = ? WHERE id = ?",
                (f"report-{outcome}", url, version_id, fetch_id),
            )
        return Stored(outcome, url, version_id, fetch_id)

    # --- reading --------------------------------------------------------------------------
    def raw_bytes(self, version_id: int) -> bytes:
        row = self.conn.execute("SELECT raw, raw_compression FROM versions WHERE id = ?", (version_id,)).fetchone()
        if row is None:
            raise KeyError(version_id)
        return zlib.decompress(row[0]) if row[1] == "zlib" else row[0]

    def counts(self) -> dict[str, int]:
        return {t: self.db[t].count for t in ("reports", "versions", "fetches", "crawls")}


def _sql(value):
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, ensure_ascii=False)
    return value


def _fetch_row(fetch: dict) -> dict:
    cols = ("job_id", "spider", "url", "final_url", "redirect_chain", "method", "status", "outcome",
            "reason", "content_type", "content_length", "etag", "last_modified", "response_headers",
            "bytes", "sha256", "fetched_at", "duration_ms", "found_on", "flags")
    row = {k: fetch.get(k) for k in cols}
    row["fetched_at"] = row["fetched_at"] or utcnow()
    return row
