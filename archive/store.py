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
from typing import Iterator, Sequence

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
         "last_listed": str, "listed_in_job": str, "gone_since": str,
         "current_version": int, "version_count": int},
        pk="url", if_not_exists=True,
    )
    # What the next crawl needs to fetch only what changed: validators, hashes, list entries.
    db["url_state"].create(
        {"url": str, "kind": str, "spider": str, "etag": str, "last_modified": str, "sha256": str,
         "clean_sha256": str, "list_title": str, "list_date": str, "links": str, "last_status": int,
         "last_checked": str, "last_changed": str},
        pk="url", if_not_exists=True,
    )
    db["versions"].create(
        {"id": int, "report_url": str, "created_at": str, "fetch_id": int, "raw_sha256": str,
         "clean_sha256": str, "text": str, "text_simplified": str, "tables": str, "raw": bytes, "raw_compression": str,
         "raw_size": int, "content_type": str, "encoding": str, "encoding_method": str,
         "encoding_declared": str, "encoding_confidence": float, "extractor": str,
         "software": str, "container": str, "removed": str, "metadata": str},
        pk="id", if_not_exists=True,
    )
    # Files (PDF, DOCX, …) once per content, whoever links them; attachments link reports to files.
    db["files"].create(
        {"sha256": str, "size": int, "kind": str, "content_type": str, "raw": bytes, "raw_compression": str,
         "extractor": str, "software": str, "text": str, "tables": str, "pages": int, "scanned": int,
         "error": str, "first_fetch_id": int, "stored_at": str},
        pk="sha256", if_not_exists=True,
    )
    db["attachments"].create(
        {"id": int, "report_url": str, "url": str, "name": str, "sha256": str, "fetch_id": int,
         "first_seen": str, "last_seen": str},
        pk="id", if_not_exists=True,
    )
    db["attachments"].create_index(["report_url", "url"], unique=True, if_not_exists=True)
    db["fetches"].create_index(["url"], if_not_exists=True)
    db["fetches"].create_index(["job_id"], if_not_exists=True)
    db["versions"].create_index(["report_url"], if_not_exists=True)
    db["versions"].create_index(["report_url", "clean_sha256"], if_not_exists=True)
    db["reports"].create_index(["portal", "report_year"], if_not_exists=True)
    db["url_state"].create_index(["spider", "kind"], if_not_exists=True)
    if "versions_fts" not in db.table_names():
        # trigram: Chinese has no spaces; 3+ character terms match (see README for 1–2 characters)
        # text_simplified (OpenCC t2s of traditional-character pages) lets simplified queries find them
        db["versions"].enable_fts(["text", "text_simplified"], tokenize="trigram", create_triggers=True)


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

    def record_fetch(self, fetch: dict, state: dict | None = None, listed: list[str] | None = None) -> int:
        """Store one HTTP exchange that produced no report version (lists, 304s, blocked, errors),
        with the crawl state it implies, in one transaction: ``state`` (url, kind, spider,
        validators…) and ``listed`` (report URLs this list page shows: not gone)."""
        with self.conn:
            fetch_id = self._insert("fetches", _fetch_row(fetch))
            if state:
                self._apply_state(state, fetch)
            if listed:
                self.conn.executemany(
                    "UPDATE reports SET last_listed = ?, listed_in_job = ?, gone_since = NULL WHERE url = ?",
                    [(fetch.get("fetched_at") or utcnow(), fetch.get("job_id"), u) for u in listed],
                )
            return fetch_id

    def _apply_state(self, state: dict, fetch: dict) -> None:
        state = dict(state)
        url, kind, spider = state.pop("url"), state.pop("kind"), state.pop("spider")
        changed = state.pop("changed", False)
        if "links" in state and state["links"] is not None:
            state["links"] = json.dumps(state["links"], ensure_ascii=False)
        self._upsert_state(url, kind, spider, fetch.get("fetched_at") or utcnow(), changed, state)

    def store_report(self, fetch: dict, report: dict, version: dict, state: dict | None = None,
                     file: dict | None = None) -> Stored:
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
                    "text_simplified": version.get("text_simplified"),
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
            # fetched from a list entry in this crawl: listed, not gone
            fields.update(listed_in_job=fetch.get("job_id"), last_listed=now, gone_since=None)
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
            if state:
                self._apply_state({**state, "clean_sha256": clean_hash, "changed": outcome != "unchanged"}, fetch)
            if file:  # the report is a file: store it too, from the same exchange
                self._file_rows(fetch, fetch_id, raw, version.get("content_type"), file, url, file.get("name"))
        return Stored(outcome, url, version_id, fetch_id)

    def store_file(self, fetch: dict, body: bytes, content_type: str | None, extracted: dict,
                   report_url: str | None = None, name: str | None = None, state: dict | None = None) -> tuple[str, bool]:
        """Store a downloaded file once per sha256 and link it to the report page it came from.

        ``extracted``: kind, text, tables, pages, scanned, extractor, software, error.
        ``name`` is the file name as the page gives it: kept as data, never used as a path.
        Returns (sha256, whether the file content was new)."""
        with self.conn:
            fetch_id = self._insert("fetches", _fetch_row({**fetch, "outcome": fetch.get("outcome") or "file"}))
            result = self._file_rows(fetch, fetch_id, body, content_type, extracted, report_url, name)
            if state:
                self._apply_state(state, fetch)
        return result

    def _file_rows(self, fetch: dict, fetch_id: int, body: bytes, content_type: str | None, extracted: dict,
                   report_url: str | None, name: str | None) -> tuple[str, bool]:
        digest = sha256(body)
        now = fetch.get("fetched_at") or utcnow()
        new = self.conn.execute("SELECT 1 FROM files WHERE sha256 = ?", (digest,)).fetchone() is None
        if new:
            self._insert("files", {
                "sha256": digest, "size": len(body), "kind": extracted.get("kind"), "content_type": content_type,
                "raw": zlib.compress(body, 6), "raw_compression": "zlib",
                "extractor": extracted.get("extractor"), "software": extracted.get("software") or {},
                "text": extracted.get("text") or "", "tables": extracted.get("tables") or [],
                "pages": extracted.get("pages"), "scanned": int(bool(extracted.get("scanned"))),
                "error": extracted.get("error"), "first_fetch_id": fetch_id, "stored_at": now,
            })
        if report_url:
            self.conn.execute(
                "INSERT INTO attachments (report_url, url, name, sha256, fetch_id, first_seen, last_seen) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(report_url, url) DO UPDATE SET "
                "sha256 = excluded.sha256, fetch_id = excluded.fetch_id, name = excluded.name, last_seen = excluded.last_seen",
                (report_url, fetch.get("final_url") or fetch.get("url"), name, digest, fetch_id, now, now),
            )
            self.conn.execute("UPDATE fetches SET report_url = ? WHERE id = ? AND report_url IS NULL", (report_url, fetch_id))
        return digest, new

    def file_bytes(self, digest: str) -> bytes:
        row = self.conn.execute("SELECT raw, raw_compression FROM files WHERE sha256 = ?", (digest,)).fetchone()
        if row is None:
            raise KeyError(digest)
        return zlib.decompress(row[0]) if row[1] == "zlib" else row[0]

    # --- crawl state (incremental re-crawls) --------------------------------------------------
    def rows(self, sql: str, params: Sequence = ()) -> Iterator[dict]:
        """The rows of a query as dicts keyed by column name."""
        cur = self.conn.execute(sql, params)
        cols = [d[0] for d in cur.description]
        for row in cur:
            yield dict(zip(cols, row))

    def state(self, url: str) -> dict | None:
        out = next(self.rows("SELECT * FROM url_state WHERE url = ?", (url,)), None)
        if out is not None:
            out["links"] = json.loads(out["links"]) if out.get("links") else None
        return out

    def known_report(self, url: str) -> dict | None:
        """The stored report row (with its list entry), or None if never stored."""
        return next(self.rows("SELECT url, list_title, list_date, last_seen, gone_since, current_version "
                              "FROM reports WHERE url = ?", (url,)), None)

    def _upsert_state(self, url, kind, spider, now, changed, fields) -> None:
        exists = self.conn.execute("SELECT 1 FROM url_state WHERE url = ?", (url,)).fetchone()
        fields = {k: v for k, v in fields.items() if v is not None}
        fields.update(kind=kind, spider=spider, last_checked=now)
        if changed or not exists:
            fields["last_changed"] = now
        if exists:
            sets = ", ".join(f"[{k}] = ?" for k in fields)
            self.conn.execute(f"UPDATE url_state SET {sets} WHERE url = ?", [*map(_sql, fields.values()), url])
        else:
            self._insert("url_state", {"url": url, **fields})

    def states_to_revalidate(self, spider: str, older_than_days: float = 0):
        """Report states of ``spider`` last checked more than ``older_than_days`` ago (0: all)."""
        sql = ("SELECT s.url, s.etag, s.last_modified, s.list_title, s.list_date, s.last_checked, r.found_on "
               "FROM url_state s JOIN reports r ON r.url = s.url WHERE s.kind = 'report' AND s.spider = ?")
        params: list = [spider]
        if older_than_days:
            cutoff = datetime.now(timezone.utc).timestamp() - older_than_days * 86400
            sql += " AND s.last_checked < ?"
            params.append(datetime.fromtimestamp(cutoff, timezone.utc).isoformat(timespec="seconds"))
        yield from self.rows(sql + " ORDER BY s.url", params)

    def mark_gone(self, portal: str, job_id: str, sections: list[str] | None = None) -> list[str]:
        """After a complete walk: reports of ``portal`` not listed in ``job_id`` are gone (never deleted)."""
        now = utcnow()
        where = "portal = ? AND (listed_in_job IS NULL OR listed_in_job != ?) AND gone_since IS NULL"
        params: list = [portal, job_id]
        if sections:
            where += f" AND section IN ({', '.join('?' for _ in sections)})"
            params += sections
        with self.conn:
            urls = [r[0] for r in self.conn.execute(f"SELECT url FROM reports WHERE {where}", params)]
            self.conn.executemany("UPDATE reports SET gone_since = ? WHERE url = ?", [(now, u) for u in urls])
        return urls

    def last_crawl_complete(self, spider: str, exclude_job: str | None = None) -> bool:
        """Did the previous crawl of ``spider`` end normally? (A killed crawl never gets finished_at.)"""
        row = self.conn.execute(
            "SELECT finish_reason FROM crawls WHERE spider = ? AND job_id != ? ORDER BY started_at DESC, rowid DESC LIMIT 1",
            (spider, exclude_job or ""),
        ).fetchone()
        return bool(row) and row[0] == "finished"

    def history(self, url: str) -> list[dict]:
        return list(self.rows(
            "SELECT v.id, v.created_at, v.raw_sha256, v.clean_sha256, length(v.text) AS chars, v.fetch_id, "
            "f.status, f.job_id FROM versions v LEFT JOIN fetches f ON f.id = v.fetch_id "
            "WHERE v.report_url = ? ORDER BY v.id", (url,)))

    def version_text(self, version_id: int) -> str:
        row = self.conn.execute("SELECT text FROM versions WHERE id = ?", (version_id,)).fetchone()
        if row is None:
            raise KeyError(version_id)
        return row[0]

    # --- reading --------------------------------------------------------------------------
    def raw_bytes(self, version_id: int) -> bytes:
        row = self.conn.execute("SELECT raw, raw_compression FROM versions WHERE id = ?", (version_id,)).fetchone()
        if row is None:
            raise KeyError(version_id)
        return zlib.decompress(row[0]) if row[1] == "zlib" else row[0]

    def counts(self) -> dict[str, int]:
        return {t: self.db[t].count for t in ("reports", "versions", "fetches", "crawls", "files", "attachments")}


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
