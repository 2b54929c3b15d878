"""The archive database: a thin layer over sqlite-utils.

``Archive(path)`` opens (creating or upgrading, ``archive.schema``) an archive file. Writing
methods take the records of ``archive.records``; every stored item is written in one transaction,
so a crash leaves all of it or none. Reading methods return plain dicts (JSON columns decoded),
the shapes ``archive export`` and the command line print.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator, Sequence

import sqlite_utils
from sqlite_utils.db import jsonify_if_needed

from . import figure_store, payloads, schema
from .http import header_value, url_key
from .records import Capture, Fetch, ListLinks, Report, Stored, UrlState, Version, sha256, shallow, utcnow
from .tables import pack_tables, unpack_tables

DEFAULT_PATH = "archive.db"
ENV_VAR = "ARCHIVE_DB"
_JSON_COLUMNS = frozenset(("redirect_chain", "response_headers", "flags", "site_meta", "attachments", "tables",
                           "software", "removed", "metadata", "stats", "versions", "evidence", "site"))
# a fetch that left the report stored (or confirmed it unchanged)
_STORED_OUTCOMES = frozenset(("report-new", "report-changed", "report-unchanged", "report-not-modified"))
_REPORT_FIELDS = ("portal", "section", "column", "agency", "title", "report_year", "pub_date", "source",
                  "list_title", "list_date", "found_on", "site_meta", "attachments")


_PLAIN = frozenset((str, int, float, bytes, type(None), bool))


def _value(v):
    """A value as sqlite-utils stores it (lists and dicts as JSON, dates as ISO text …): the
    dozens of plain values of each stored report go as they are, without its type tests."""
    return v if type(v) in _PLAIN else jsonify_if_needed(v)


def default_path() -> str:
    """The archive a command uses when none is given: ``$ARCHIVE_DB``, else ``archive.db`` here."""
    return os.environ.get(ENV_VAR) or DEFAULT_PATH


# url_state columns read back as they were written (links is decoded, changed is not stored)
_STATE_COLUMNS = ("url", "kind", "spider", "etag", "last_modified", "sha256", "clean_sha256",
                  "list_title", "list_date", "last_status")
_STATE_QUERY = f"SELECT {', '.join(_STATE_COLUMNS)}, links FROM url_state WHERE url = ?"
_KNOWN_REPORT_COLUMNS = ("url", "list_title", "list_date", "last_seen", "gone_since", "current_version")
_KNOWN_REPORT_QUERY = f"SELECT {', '.join(_KNOWN_REPORT_COLUMNS)} FROM reports WHERE url = ?"


class ArchiveError(RuntimeError):
    pass


def check_location(path: str | os.PathLike) -> None:
    """Can an archive database live at ``path``? (Asked before a crawl starts, so that a typo in
    ARCHIVE_DB is one clear message, not a failure inside the crawl.)"""
    parent = Path(path).parent
    if not parent.is_dir():
        raise ArchiveError(f"directory for the archive database does not exist: {parent}")
    if Path(path).is_dir():
        raise ArchiveError(f"the archive database path is a directory: {path}")


def decode_row(row: dict) -> dict:
    """A row with its JSON columns decoded."""
    return {k: (json.loads(v) if k in _JSON_COLUMNS and isinstance(v, str) else v) for k, v in row.items()}


def _pairs(headers) -> list[list[str]]:
    """Headers as ``[[name, value], …]`` in the order given (a dict of lists is flattened)."""
    if isinstance(headers, dict):
        return [[k, v] for k, values in headers.items() for v in (values if isinstance(values, list) else [values])]
    return [[k, v] for k, v in headers or []]


class Reader:
    """Reading a stored archive through any sqlite-utils ``Database`` — one opened read-only
    included (the web view, ``archive.web``, reads through it and never writes)."""

    def __init__(self, db: sqlite_utils.Database):
        self.db = db

    def _one(self, sql: str, params: Sequence = ()) -> dict | None:
        """The first row of a query, or None. (A table's ``rows_where`` asks SQLite for the
        schema on every call; the crawl's hot path reads rows by key many times a second.)"""
        return next(self.db.query(sql, params), None)

    def reports(self, portals: Sequence[str] = (), years: tuple[int, int] | None = None,
                include_gone: bool = True) -> list[dict]:
        """Reports with a current version, by portal, section, year and URL (JSON columns decoded)."""
        where, params = ["current_version IS NOT NULL"], []
        if portals:
            where.append(f"portal IN ({', '.join('?' * len(portals))})")
            params += list(portals)
        if years:
            where.append("report_year BETWEEN ? AND ?")
            params += list(years)
        if not include_gone:
            where.append("gone_since IS NULL")
        rows = self.db["reports"].rows_where(" AND ".join(where), params,
                                             order_by="portal, section, report_year, url")
        return [decode_row(r) for r in rows]

    def report(self, url: str) -> dict | None:
        row = self._one("SELECT * FROM reports WHERE url = ?", [url])
        return decode_row(row) if row else None

    def version(self, version_id: int, with_raw: bool = False) -> dict:
        """A version's row (its tables as ``archive.tables.Table.to_json()`` gave them); the raw
        bytes only when asked (``raw``, as fetched, checked against ``raw_sha256``)."""
        row = self._one("SELECT * FROM versions WHERE id = ?", [version_id])
        if row is None:
            raise KeyError(version_id)
        row = decode_row(row)
        row["tables"] = unpack_tables(row.get("tables"))
        if with_raw:
            row["raw"] = self.payload(row["raw_sha256"])
        return row

    def payload(self, digest: str) -> bytes:
        """Any body the archive keeps, by its sha256 (``archive.payloads``); KeyError if none."""
        return payloads.get(self.db, digest)

    def captures(self, fetch_id: int) -> list[dict]:
        """The HTTP requests and responses on the wire behind one fetch, in order (JSON decoded)."""
        out = []
        for row in self.db.query("SELECT * FROM captures WHERE fetch_id = ? ORDER BY hop, id", [fetch_id]):
            for key in ("request_headers", "response_headers"):
                row[key] = json.loads(row[key]) if row[key] else []
            out.append(row)
        return out

    def fetch(self, fetch_id: int) -> dict | None:
        row = self._one("SELECT * FROM fetches WHERE id = ?", [fetch_id])
        return decode_row(row) if row else None

    def attachments(self, report_url: str) -> list[dict]:
        """The files a report page links, with what was read from them."""
        return list(self.db.query(
            "SELECT a.url, a.name, a.sha256, a.first_seen, a.last_seen, f.kind, f.size, f.pages, f.scanned, "
            "f.error, f.error_kind, f.extractor, length(f.text) AS text_chars, f.text "
            "FROM attachments a LEFT JOIN files f ON f.sha256 = a.sha256 WHERE a.report_url = ? ORDER BY a.id",
            [report_url]))

    def table_sources(self, url: str, version_id: int | None = None,
                      version: dict | None = None) -> list[tuple[dict, list[dict], str]] | None:
        """What a report's figures are read from: the grids and text of a version (the current
        one unless ``version_id``; ``version``: that version's row when the caller has it), then
        those of the report's attachments, each with where it came from; None for a URL that is
        not a stored report."""
        if version is None:
            report = self.report(url)
            if report is None or (version_id or report.get("current_version")) is None:
                return None
            version = self.version(version_id or report["current_version"])
        out = [({"from": "page", "url": url, "version_id": version["id"], "sha256": version["raw_sha256"]},
                version.get("tables") or [], version.get("text") or "")]
        for row in self.db.query(
                "SELECT a.url, f.sha256, f.tables, f.text FROM attachments a JOIN files f ON f.sha256 = a.sha256 "
                "WHERE a.report_url = ? ORDER BY a.id", [url]):
            out.append(({"from": "attachment", "url": row["url"], "sha256": row["sha256"]},
                        unpack_tables(json.loads(row["tables"])) if row["tables"] else [], row["text"] or ""))
        return out

    def current_text(self, url: str) -> str | None:
        """The current version's text of a report, or None if no such report is stored."""
        row = next(self.db.query("SELECT v.text FROM reports r JOIN versions v ON v.id = r.current_version "
                                 "WHERE r.url = ?", [url]), None)
        return row["text"] if row else None

    def history(self, url: str) -> list[dict]:
        return list(self.db.query(
            "SELECT v.id, v.created_at, v.raw_sha256, v.clean_sha256, length(v.text) AS chars, v.fetch_id, "
            "f.status, f.job_id FROM versions v LEFT JOIN fetches f ON f.id = v.fetch_id "
            "WHERE v.report_url = ? ORDER BY v.id", [url]))

    def version_text(self, version_id: int) -> str:
        row = next(self.db.query("SELECT text FROM versions WHERE id = ?", [version_id]), None)
        if row is None:
            raise KeyError(version_id)
        return row["text"]

    def raw_bytes(self, version_id: int) -> bytes:
        return self.version(version_id, with_raw=True)["raw"]

    def file_bytes(self, digest: str) -> bytes:
        if not self.db["files"].count_where("sha256 = ?", [digest]):
            raise KeyError(digest)
        return self.payload(digest)

    def discoveries(self, confirmed_only: bool = False) -> list[dict]:
        """What discovery crawls found: a row per candidate column (and per site where none was
        found, ``column_url`` null), best first per site; ``evidence`` and ``site`` decoded."""
        if "discoveries" not in self.db.table_names():
            return []
        where = "confirmed = 1" if confirmed_only else "1"
        rows = self.db.query(f"SELECT * FROM discoveries WHERE {where} "
                             "ORDER BY homepage, column_url IS NULL, confirmed DESC, score DESC, id")
        return [decode_row(r) for r in rows]

    def search(self, query: str, portals: Sequence[str] = (), limit: int | None = 20, offset: int = 0):
        """Current report texts holding every term (see ``archive.search``)."""
        from .search import search

        return search(self.db, query, portals, limit, offset)


class Archive(Reader):
    """The archive database. ``Archive(path)`` creates or upgrades the schema."""

    def __init__(self, path: str | os.PathLike | None = None):
        self.path = str(path or default_path())
        self._batch: tuple[int, float] | None = None  # (writes, seconds) per commit, while batching
        self._depth, self._pending, self._opened_at = 0, 0, 0.0
        check_location(self.path)
        try:
            self.db = sqlite_utils.Database(self.path)
            self.db.execute("PRAGMA busy_timeout = 10000")
            self._enable_wal()
            found = schema.version_of(self.db)
            if found > schema.SCHEMA_VERSION:
                raise ArchiveError(f"{self.path} has schema version {found}, newer than this code "
                                   f"({schema.SCHEMA_VERSION}); upgrade the code")
            schema.upgrade(self.db)
        except schema.MigrationError as exc:
            raise ArchiveError(f"{self.path}: {exc}") from exc
        except sqlite3.DatabaseError as exc:
            raise ArchiveError(f"{self.path} is not a usable SQLite archive: {exc}") from exc

    def _enable_wal(self, wait: float = 10.0) -> None:
        """WAL mode (readers never block the crawl). Switching needs a moment alone with the
        file, and SQLite does not wait for it: retried while another process opens it too."""
        deadline = time.monotonic() + wait
        while self.db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            try:
                self.db.enable_wal()
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    @property
    def conn(self) -> sqlite3.Connection:
        return self.db.conn

    @contextmanager
    def write(self):
        """One write transaction, begun IMMEDIATE: the write lock is taken first (waiting up to
        the busy timeout while another crawl writes), so that what the transaction reads stays
        true until it commits — two crawls on one archive never store a report twice. Nested:
        a savepoint. While ``batch`` is on, each outermost write is a savepoint of a transaction
        that commits every so many writes or seconds (``flush``)."""
        self._depth += 1
        try:
            if self._depth == 1 and self._batch is not None:
                if not self.conn.in_transaction:
                    self.conn.execute("BEGIN IMMEDIATE")
                    self._opened_at = time.monotonic()
                with self.db.atomic():  # a savepoint: a write that fails is undone alone
                    yield
            elif self.conn.in_transaction:
                with self.db.atomic():
                    yield
            else:
                self.conn.execute("BEGIN IMMEDIATE")
                try:
                    yield
                except BaseException:
                    if self.conn.in_transaction:
                        self.conn.execute("ROLLBACK")
                    raise
                else:
                    self.conn.execute("COMMIT")
        finally:
            self._depth -= 1
        if self._depth == 0 and self._batch is not None:
            self._pending += 1
            self.flush(only_if_due=True)

    def batch(self, items: int = 200, seconds: float = 1.0) -> None:
        """Group writes: commit (and sync to disk) once per ``items`` writes or ``seconds``,
        whichever comes first, instead of once per write. The caller calls ``flush`` when it
        pauses and ``close`` at the end (both commit); a crash loses at most one group."""
        self._batch = (max(1, items), max(0.0, seconds))

    def flush(self, only_if_due: bool = False) -> None:
        """Commit the open group of writes (``batch``); with ``only_if_due``, only once it is
        full or old enough. A commit that fails is rolled back: the group is lost as a whole,
        never in part, and the error is raised."""
        if self._depth or not self.conn.in_transaction:
            return
        if only_if_due and self._batch is not None:
            items, seconds = self._batch
            if self._pending < items and time.monotonic() - self._opened_at < seconds:
                return
        self._pending = 0
        try:
            self.conn.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise

    def close(self) -> None:
        """Commit what is pending (``batch``) and close the file."""
        try:
            self.flush()
        finally:
            self._batch = None
            self.db.close()

    def schema_version(self) -> int:
        return schema.version_of(self.db)

    # --- rows written by key, values as sqlite-utils stores them (lists and dicts as JSON) -------
    # (a table's insert/update/upsert looks the schema up in SQLite on every call: the crawl writes
    # a dozen rows per report)
    def _insert(self, table: str, row: dict) -> int:
        names = ", ".join(f"[{c}]" for c in row)
        cursor = self.conn.execute(f"INSERT INTO [{table}] ({names}) VALUES ({', '.join('?' for _ in row)})",
                                   [_value(v) for v in row.values()])
        return cursor.lastrowid

    def _update(self, table: str, key: str, value, fields: dict) -> None:
        sets = ", ".join(f"[{c}] = ?" for c in fields)
        self.conn.execute(f"UPDATE [{table}] SET {sets} WHERE [{key}] = ?",
                          [*map(_value, fields.values()), value])

    def _upsert(self, table: str, key: str, row: dict) -> None:
        """Insert ``row``, or update the columns it has of the row with its ``key``."""
        names = ", ".join(f"[{c}]" for c in row)
        sets = ", ".join(f"[{c}] = excluded.[{c}]" for c in row if c != key) or f"[{key}] = excluded.[{key}]"
        self.conn.execute(f"INSERT INTO [{table}] ({names}) VALUES ({', '.join('?' for _ in row)}) "
                          f"ON CONFLICT([{key}]) DO UPDATE SET {sets}", [_value(v) for v in row.values()])

    def _exists(self, table: str, key: str, value) -> bool:
        return self.conn.execute(f"SELECT 1 FROM [{table}] WHERE [{key}] = ? LIMIT 1", [value]).fetchone() is not None

    # --- crawls ---------------------------------------------------------------------------
    def start_crawl(self, job_id: str, spider: str, versions: dict) -> None:
        with self.write():
            self.db["crawls"].upsert({"job_id": job_id, "spider": spider, "started_at": utcnow(),
                                      "versions": versions}, pk="job_id")

    def finish_crawl(self, job_id: str, reason: str, stats: dict) -> None:
        stats = json.loads(json.dumps(stats, default=str))
        with self.write():
            self.db["crawls"].update(job_id, {"finished_at": utcnow(), "finish_reason": reason, "stats": stats})

    def last_crawl_complete(self, spider: str, exclude_job: str | None = None) -> bool | None:
        """Did the previous crawl of ``spider`` end normally? None: there was none. (A killed crawl
        never gets a finish reason.)"""
        row = next(self.db.query(
            "SELECT finish_reason FROM crawls WHERE spider = ? AND job_id != ? "
            "ORDER BY started_at DESC, rowid DESC LIMIT 1", [spider, exclude_job or ""]), None)
        return None if row is None else row["finish_reason"] == "finished"

    # --- writing what was fetched ------------------------------------------------------------
    def _insert_fetch(self, fetch: Fetch, **extra) -> int:
        """The fetch row, then each capture behind it with its bodies (``payloads``, once each)."""
        fetch_id = self._insert("fetches", {**fetch.row(), **extra})
        for hop, capture in enumerate(fetch.captures or ()):
            self._insert_capture(fetch_id, hop, capture)
        return fetch_id

    def _insert_capture(self, fetch_id: int | None, hop: int, c: Capture) -> int:
        now = c.captured_at
        body_digest = payloads.put(self.db, c.payload, now=now)[0]
        request_body = payloads.put(self.db, c.request_body, now=now)[0] if c.request_body else None
        return self._insert("captures", {
            "fetch_id": fetch_id, "hop": hop, "url": c.url, "method": c.method,
            "request_headers": json.dumps(_pairs(c.request_headers), ensure_ascii=False),
            "request_body_sha256": request_body, "status": c.status, "reason": c.reason, "protocol": c.protocol,
            "response_headers": json.dumps(_pairs(c.response_headers), ensure_ascii=False),
            "payload_sha256": body_digest, "payload_size": len(c.payload), "captured_at": now,
            "ip_address": c.ip_address, "cassette": int(c.cassette), "truncated": c.truncated, "source": c.source,
            "warc_file": c.warc_file, "warc_record_id": c.warc_record_id, "warc_offset": c.warc_offset,
        })

    def _put_body(self, fetch: Fetch, body: bytes) -> str:
        """Store a fetch's decoded body: as the decoding of the body received on the wire when
        the server compressed it (one copy), else as it is."""
        final = (fetch.captures or [None])[-1]
        encoding = header_value(final.response_headers, "Content-Encoding") if final else None
        if final is not None and encoding and final.payload != body:
            return payloads.put_decoded(self.db, body, payloads.sha256(final.payload), encoding,
                                        now=fetch.fetched_at)[0]
        return payloads.put(self.db, body, now=fetch.fetched_at)[0]

    def record_fetch(self, fetch: Fetch, state: UrlState | None = None, listed: Sequence[str] = ()) -> int:
        """Store one HTTP exchange that produced no report version (lists, 304s, blocked, errors),
        with the crawl state it implies, in one transaction: ``listed`` are the report URLs this
        list page shows (listed in this crawl: not gone)."""
        with self.write():
            fetch_id = self._insert_fetch(fetch)
            if state is not None:
                self._save_state(state, fetch.fetched_at)
            if listed:
                self.conn.executemany(
                    "UPDATE reports SET last_listed = ?, listed_in_job = ?, gone_since = NULL WHERE url = ?",
                    [(fetch.fetched_at, fetch.job_id, u) for u in listed])
            return fetch_id

    def store_report(self, fetch: Fetch, report: Report, version: Version, state: UrlState | None = None,
                     file: dict | None = None) -> Stored:
        """Store a fetched report: the fetch, the report row, and a version if its cleaned content
        (text and tables) differs from the current one; ``file``: the report is a downloaded file,
        stored in ``files`` from the same exchange."""
        url, now, clean_hash = report.url, fetch.fetched_at, version.clean_sha256()
        with self.write():
            fetch_id = self._insert_fetch(fetch)
            existing = next(self.db.query(
                "SELECT r.current_version, v.clean_sha256 FROM reports r LEFT JOIN versions v "
                "ON v.id = r.current_version WHERE r.url = ?", [url]), None)
            if existing and existing["clean_sha256"] == clean_hash:
                outcome, version_id = "unchanged", existing["current_version"]
            else:
                version_id = self._insert_version(url, now, fetch, fetch_id, version, clean_hash)
                outcome = "changed" if existing else "new"
            fields = {k: getattr(report, k) for k in _REPORT_FIELDS}
            # fetched from a list entry in this crawl: listed, not gone
            fields.update(listed_in_job=fetch.job_id, last_listed=now, gone_since=None, last_seen=now,
                          current_version=version_id)
            if existing:
                count = self.conn.execute("SELECT count(*) FROM versions WHERE report_url = ?", [url]).fetchone()[0]
                self._update("reports", "url", url, {**fields, "version_count": count})
            else:
                self._insert("reports", {"url": url, **fields, "first_seen": now, "version_count": 1})
            self._update("fetches", "id", fetch_id, {"outcome": f"report-{outcome}", "report_url": url,
                                                     "version_id": version_id})
            if state is not None:
                state.clean_sha256, state.changed = clean_hash, outcome != "unchanged"
                self._save_state(state, now)
            if file is not None:  # the report is a file: store it too, from the same exchange
                self._file_rows(fetch, fetch_id, version.raw, version.content_type, file, url, file.get("name"),
                                figures=False)
            if outcome != "unchanged":  # the version just written, as written (not read back)
                self._refresh_figures(url, version_id, {"id": version_id, "raw_sha256": sha256(version.raw),
                                                        "tables": version.tables, "text": version.text})
        return Stored(outcome, url, version_id, fetch_id)

    def _refresh_figures(self, url: str, version_id: int | None = None, version: dict | None = None) -> None:
        """Rewrite the figures of a report's version (default: the current one) from its tables
        and its attachments' (inside the caller's transaction)."""
        sources = self.table_sources(url, version_id, version)
        if sources is not None:
            figure_store.write(self.db, url, sources[0][0]["version_id"], sources)

    def _insert_version(self, url: str, now: str, fetch: Fetch, fetch_id: int, version: Version,
                        clean_hash: str) -> int:
        row = shallow(version)
        raw = row.pop("raw")
        row.update(report_url=url, created_at=now, fetch_id=fetch_id, raw_sha256=self._put_body(fetch, raw),
                   clean_sha256=clean_hash, raw_size=len(raw), tables=pack_tables(row["tables"]))
        return self._insert("versions", row)

    def store_file(self, fetch: Fetch, body: bytes, content_type: str | None, extracted: dict,
                   report_url: str | None = None, name: str | None = None,
                   state: UrlState | None = None) -> tuple[str, bool]:
        """Store a downloaded file once per sha256 and link it to the report page it came from.

        ``extracted``: kind, text, tables, pages, scanned, extractor, software, error, error_kind.
        ``name`` is the file name as the page gives it: kept as data, never used as a path.
        Returns (sha256, whether the file content was new)."""
        with self.write():
            fetch_id = self._insert_fetch(fetch)
            result = self._file_rows(fetch, fetch_id, body, content_type, extracted, report_url, name)
            if state is not None:
                self._save_state(state, fetch.fetched_at)
        return result

    def _file_rows(self, fetch: Fetch, fetch_id: int, body: bytes, content_type: str | None, extracted: dict,
                   report_url: str | None, name: str | None, figures: bool = True) -> tuple[str, bool]:
        digest, now = sha256(body), fetch.fetched_at
        new = not self._exists("files", "sha256", digest)
        if new:
            self._put_body(fetch, body)
            self.db["files"].insert({
                "sha256": digest, "size": len(body), "kind": extracted.get("kind"), "content_type": content_type,
                "extractor": extracted.get("extractor"), "software": extracted.get("software") or {},
                "text": extracted.get("text") or "", "tables": pack_tables(extracted.get("tables") or []),
                "pages": extracted.get("pages"), "scanned": int(bool(extracted.get("scanned"))),
                "error": extracted.get("error"), "error_kind": extracted.get("error_kind"),
                "first_fetch_id": fetch_id, "stored_at": now,
            }, alter=False)
        if report_url:
            self.conn.execute(
                "INSERT INTO attachments (report_url, url, name, sha256, fetch_id, first_seen, last_seen) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(report_url, url) DO UPDATE SET "
                "sha256 = excluded.sha256, fetch_id = excluded.fetch_id, name = excluded.name, "
                "last_seen = excluded.last_seen",
                (report_url, fetch.final_url or fetch.url, name, digest, fetch_id, now, now))
            self.conn.execute("UPDATE fetches SET report_url = ? WHERE id = ? AND report_url IS NULL",
                              (report_url, fetch_id))
            if figures:  # the report's tables may be in this attachment (详见附件)
                self._refresh_figures(report_url)
        return digest, new

    def link_attachment(self, report_url: str, url: str, name: str | None, seen_at: str | None = None) -> bool:
        """Record that a report page links the file stored under ``url`` (the latest content
        stored for that URL); False when no content of it is stored yet."""
        row = next(self.db.query("SELECT sha256, fetch_id FROM attachments WHERE url = ? ORDER BY last_seen DESC, "
                                 "id DESC LIMIT 1", [url]), None)
        if row is None:
            state = self.state(url)
            if state is None or not state.sha256 or not self.db["files"].count_where("sha256 = ?", [state.sha256]):
                return False
            row = {"sha256": state.sha256, "fetch_id": None}
        now = seen_at or utcnow()
        with self.write():
            self.conn.execute(
                "INSERT INTO attachments (report_url, url, name, sha256, fetch_id, first_seen, last_seen) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(report_url, url) DO UPDATE SET last_seen = excluded.last_seen",
                (report_url, url, name, row["sha256"], row["fetch_id"], now, now))
            self._refresh_figures(report_url)
        return True

    # --- crawl state (incremental re-crawls) --------------------------------------------------
    def _save_state(self, state: UrlState, now: str) -> None:
        row = {k: v for k, v in shallow(state).items() if v is not None and k != "changed"}
        if state.links is not None:
            row["links"] = shallow(state.links)
        row["last_checked"] = now
        if state.changed or not self._exists("url_state", "url", state.url):
            row["last_changed"] = now
        self._upsert("url_state", "url", row)

    def state(self, url: str) -> UrlState | None:
        # the connection's own execute: a crawl asks this of every listed report (sqlite-utils'
        # query, which reads the statement and names the columns each time, doubled its cost)
        row = self.conn.execute(_STATE_QUERY, (url,)).fetchone()
        if row is None:
            return None
        links = json.loads(row[-1]) if row[-1] else None
        return UrlState(**dict(zip(_STATE_COLUMNS, row)),
                        links=ListLinks(**{k: [tuple(e) if k == "entries" else e for e in v]
                                           for k, v in links.items()}) if links else None)

    def known_report(self, url: str) -> dict | None:
        """The stored report row (with its list entry), or None if never stored."""
        row = self.conn.execute(_KNOWN_REPORT_QUERY, (url,)).fetchone()
        return dict(zip(_KNOWN_REPORT_COLUMNS, row)) if row else None

    def listed_entries(self, spider: str) -> Iterator[tuple[str, str, str, str | None]]:
        """``(list_url, url, title, date)`` of every report entry the list pages of ``spider``
        showed when last fetched (their stored links: a 304 next time still knows them)."""
        for row in self.db.query("SELECT url, links FROM url_state WHERE spider = ? AND kind = 'list' "
                                 "AND links IS NOT NULL", [spider]):
            for url, title, date in json.loads(row["links"]).get("entries", []):
                yield row["url"], url, title, date

    def unfinished(self, spider: str, portal: str) -> tuple[set[str], set[str], set[str]]:
        """What earlier crawls of ``spider`` asked for: (URLs as requested whose last fetch
        stored no report, URLs as requested whose last fetch did, canonical URLs of ``portal``'s
        stored reports). A listed report neither stored nor fetched is owed to the next crawl,
        and so is one whose last fetch failed."""
        failed, done = set(), set()
        for r in self.db.query(
                "SELECT f.url, f.outcome FROM fetches f JOIN (SELECT url, max(id) AS id FROM fetches WHERE spider = ? "
                "GROUP BY url) last ON last.id = f.id WHERE f.outcome != 'list' AND f.outcome NOT LIKE 'list-%'",
                [spider]):
            (done if r["outcome"] in _STORED_OUTCOMES else failed).add(r["url"])
        stored = {r["url"] for r in self.db.query("SELECT url FROM reports WHERE portal = ? AND "
                                                  "current_version IS NOT NULL", [portal])}
        return failed, done, stored

    def owed_attachments(self, portal: str) -> Iterator[dict]:
        """Attachments that ``portal``'s stored report pages link and that were never stored for
        them (a crawl killed between a page and its files, a download that failed)."""
        for row in self.db.query(
                "SELECT r.url, r.attachments, (SELECT group_concat(a.url, char(10)) FROM attachments a "
                "WHERE a.report_url = r.url) AS have, (SELECT group_concat(f.url, char(10)) FROM fetches f "
                "WHERE f.report_url = r.url AND f.outcome = 'attachment') AS asked "
                "FROM reports r WHERE r.portal = ? AND r.attachments IS NOT NULL AND r.attachments != '[]'", [portal]):
            have = {url_key(u) for u in (row["have"] or "").split("\n") + (row["asked"] or "").split("\n") if u}
            for a in json.loads(row["attachments"]):
                if a.get("url") and url_key(a["url"]) not in have:
                    yield {"report_url": row["url"], "url": a["url"], "name": a.get("name"), "found_on": row["url"]}

    def states_to_revalidate(self, spider: str, older_than_days: float = 0) -> Iterator[dict]:
        """Report states of ``spider`` last checked more than ``older_than_days`` ago (0: all)."""
        sql = ("SELECT s.url, s.etag, s.last_modified, s.list_title, s.list_date, s.last_checked, r.found_on "
               "FROM url_state s JOIN reports r ON r.url = s.url WHERE s.kind = 'report' AND s.spider = ?")
        params: list = [spider]
        if older_than_days:
            cutoff = datetime.now(timezone.utc) - timedelta(days=older_than_days)
            sql += " AND s.last_checked < ?"
            params.append(cutoff.isoformat(timespec="seconds"))
        yield from self.db.query(sql + " ORDER BY s.url", params)

    def save_discoveries(self, homepage: str, rows: list[dict]) -> None:
        """A discovery crawl's findings on one site replace the earlier ones of that homepage
        (one transaction: a site's findings are all the old or all the new)."""
        with self.write():
            self.conn.execute("DELETE FROM discoveries WHERE homepage = ?", (homepage,))
            for row in rows:
                row = {k: (json.dumps(v, ensure_ascii=False) if k in ("evidence", "site") else v) for k, v in row.items()}
                self.db["discoveries"].insert({**row, "homepage": homepage})

    def mark_gone(self, portal: str, column: str, job_id: str, sections: Sequence[str] | None = None) -> list[str]:
        """After a complete walk of the column rooted at ``column``: the reports of ``portal``
        listed under that column or below it (of ``sections``, if given) that ``job_id`` did not
        list are gone (never deleted). Reports of other columns, on the same host or not, are
        not touched."""
        # a report stored before columns were recorded (schema 1): the list page it was found on tells
        where = ("portal = ? AND substr(coalesce([column], found_on, ''), 1, ?) = ? AND (listed_in_job IS NULL OR listed_in_job != ?) "
                 "AND gone_since IS NULL")
        params: list = [portal, len(column), column, job_id]
        if sections:
            where += f" AND section IN ({', '.join('?' for _ in sections)})"
            params += list(sections)
        now = utcnow()
        with self.write():
            urls = [r["url"] for r in self.db.query(f"SELECT url FROM reports WHERE {where}", params)]
            self.conn.executemany("UPDATE reports SET gone_since = ? WHERE url = ?", [(now, u) for u in urls])
        return urls
