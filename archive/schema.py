"""The archive's tables, their foreign keys, and the upgrade path of existing archives.

``upgrade(db)`` brings a database of any earlier schema version to ``SCHEMA_VERSION``, one
migration at a time, each in its own transaction; ``meta.schema_version`` says where a file
stands. A new archive runs the same migrations from 0, so the upgrade path is exercised by every
archive ever created.

Tables (see the README's data dictionary for every column):

``reports``      one row per canonical report URL
``versions``     one row per distinct cleaned content of a report
``fetches``      one row per HTTP exchange, whatever came of it
``files``        one row per distinct downloaded file content (sha256)
``attachments``  which report page links which file
``url_state``    what the next crawl needs to fetch only what changed (internal)
``crawls``       one row per crawl job
``figure_sets``  one row per version whose statutory tables were looked for: template, sources, checks
``figures``      one row per cell of a version's statutory tables (or pre-2019 附表): value, raw text
``figure_checks`` one row per consistency check run on a version's figures
``meta``         key/value: ``schema_version``
"""

from __future__ import annotations

import json
import sqlite3

import sqlite_utils

SCHEMA_VERSION = 5

# Foreign keys, declared so that sqlite-utils and Datasette can follow them (SQLite does not
# enforce them here: a report row and its first version point at each other).
FOREIGN_KEYS = (
    ("versions", "report_url", "reports", "url"),
    ("versions", "fetch_id", "fetches", "id"),
    ("reports", "current_version", "versions", "id"),
    ("fetches", "version_id", "versions", "id"),
    ("fetches", "report_url", "reports", "url"),
    ("attachments", "report_url", "reports", "url"),
    ("attachments", "sha256", "files", "sha256"),
    ("attachments", "fetch_id", "fetches", "id"),
    ("files", "first_fetch_id", "fetches", "id"),
)
_V2_FOREIGN_KEYS = FOREIGN_KEYS
FOREIGN_KEYS = _V2_FOREIGN_KEYS + (  # v3: created with them
    ("figure_sets", "version_id", "versions", "id"),
    ("figure_sets", "report_url", "reports", "url"),
    ("figures", "version_id", "versions", "id"),
    ("figures", "report_url", "reports", "url"),
    ("figure_checks", "version_id", "versions", "id"),
    ("figure_checks", "report_url", "reports", "url"),
)

_V3_FOREIGN_KEYS = FOREIGN_KEYS
FOREIGN_KEYS = _V3_FOREIGN_KEYS + (  # v4: created with them
    ("captures", "fetch_id", "fetches", "id"),
    ("captures", "payload_sha256", "payloads", "sha256"),
    ("captures", "request_body_sha256", "payloads", "sha256"),
    ("payloads", "derived_from", "payloads", "sha256"),
)

FTS_COLUMNS = ["text", "text_simplified"]


def _v1(db: sqlite_utils.Database) -> None:
    """The first schema (2026-11)."""
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
    db["url_state"].create(
        {"url": str, "kind": str, "spider": str, "etag": str, "last_modified": str, "sha256": str,
         "clean_sha256": str, "list_title": str, "list_date": str, "links": str, "last_status": int,
         "last_checked": str, "last_changed": str},
        pk="url", if_not_exists=True,
    )
    db["versions"].create(
        {"id": int, "report_url": str, "created_at": str, "fetch_id": int, "raw_sha256": str,
         "clean_sha256": str, "text": str, "text_simplified": str, "tables": str, "raw": bytes,
         "raw_compression": str, "raw_size": int, "content_type": str, "encoding": str, "encoding_method": str,
         "encoding_declared": str, "encoding_confidence": float, "extractor": str,
         "software": str, "container": str, "removed": str, "metadata": str},
        pk="id", if_not_exists=True,
    )
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
    _enable_fts(db)


def _v2(db: sqlite_utils.Database) -> None:
    """Foreign keys declared; ``reports.column`` (the column a walk listed the report under, which
    scopes gone-marking); ``files.error_kind`` (why a file could not be read, as a kind)."""
    if "column" not in db["reports"].columns_dict:
        db["reports"].add_column("column", str)
    if "error_kind" not in db["files"].columns_dict:
        db["files"].add_column("error_kind", str)
        # v1 kept the kind as the message's first word ("encrypted: …", "timeout after 5s")
        db.execute("UPDATE files SET error_kind = CASE "
                   "WHEN error LIKE 'too large%' THEN 'too-large' "
                   "WHEN error LIKE 'timeout%' THEN 'timeout' "
                   "WHEN error LIKE 'antiword not installed%' THEN 'missing-tool' "
                   "WHEN error LIKE 'OFD not supported%' THEN 'unsupported' "
                   "WHEN instr(error, ':') > 0 THEN substr(error, 1, instr(error, ':') - 1) "
                   "ELSE error END WHERE error IS NOT NULL")
    # add_foreign_keys rebuilds the tables (sqlite-utils' transform), which drops triggers: the
    # full-text index's triggers are made again after it
    db.add_foreign_keys([fk for fk in _V2_FOREIGN_KEYS if not _has_fk(db, *fk)])
    db["reports"].create_index(["column"], if_not_exists=True)
    db["attachments"].create_index(["sha256"], if_not_exists=True)
    _enable_fts(db, replace=True)


def _v3(db: sqlite_utils.Database) -> None:
    """The statutory tables as numbers (``archive.figures``): written when a version or an
    attachment is stored; an upgraded archive fills them with ``archive figures --rebuild``.
    ``versions.encoding_errors``: how many byte sequences of the declared codec did not decode;
    ``versions.incomplete``: why its text is known to lack part of the page (the parser gave up)."""
    if "encoding_errors" not in db["versions"].columns_dict:
        db["versions"].add_column("encoding_errors", int)
    if "incomplete" not in db["versions"].columns_dict:  # why a version's text lacks part of its page
        db["versions"].add_column("incomplete", str)
    db["figure_sets"].create(
        {"version_id": int, "report_url": str, "template": str, "statutory": int, "cells": int,
         "checks_run": int, "checks_failed": int, "failed": str, "problems": str, "source": str,
         "computed_at": str, "software": str},
        pk="version_id", if_not_exists=True,
        foreign_keys=[("version_id", "versions", "id"), ("report_url", "reports", "url")],
    )
    # value, expected, found: no declared type, so that a number keeps the type it was published
    # in (21 stays an integer, 5.0 and 7730.28 stay decimals); REAL or NUMERIC would convert
    db.execute("""CREATE TABLE IF NOT EXISTS figures (
        id INTEGER PRIMARY KEY, version_id INTEGER REFERENCES versions(id), report_url TEXT REFERENCES reports(url),
        template TEXT, table_name TEXT, row_key TEXT, column_key TEXT, value, raw TEXT, position TEXT,
        source TEXT, section TEXT, unit TEXT)""")
    db.execute("""CREATE TABLE IF NOT EXISTS figure_checks (
        id INTEGER PRIMARY KEY, version_id INTEGER REFERENCES versions(id), report_url TEXT REFERENCES reports(url),
        rule TEXT, column_key TEXT, ok INTEGER, expected, found, nulls_as_zero INTEGER)""")
    db["figures"].create_index(["version_id"], if_not_exists=True)
    db["figures"].create_index(["table_name", "row_key", "column_key"], if_not_exists=True)
    db["figure_checks"].create_index(["version_id"], if_not_exists=True)
    db["figure_sets"].create_index(["report_url"], if_not_exists=True)
    db["figure_sets"].create_index(["checks_failed"], if_not_exists=True)


class MigrationError(RuntimeError):
    """An archive that cannot be upgraded as it is (its stored bytes do not match their hashes)."""


def _v4(db: sqlite_utils.Database) -> None:
    """Every response kept as served: ``payloads`` (each distinct body once, by sha256, zstd) and
    ``captures`` (each HTTP request/response on the wire with its headers and bodies). The zlib
    blobs of ``versions.raw`` and ``files.raw`` move into ``payloads`` (checked against their
    sha256 on the way; the columns go); the fetches that stored them get a capture rebuilt from
    their row (``source = 'fetch'``: request headers unknown, body decoded). Table grids are
    stored with each cell once and the grid derived (``archive.tables.pack_tables``)."""
    from . import payloads
    from .tables import pack_tables

    db.execute("""CREATE TABLE IF NOT EXISTS payloads (
        sha256 TEXT PRIMARY KEY, size INTEGER, compression TEXT, data BLOB,
        derived_from TEXT REFERENCES payloads(sha256), derivation TEXT, stored_at TEXT)""")
    db.execute("""CREATE TABLE IF NOT EXISTS captures (
        id INTEGER PRIMARY KEY, fetch_id INTEGER REFERENCES fetches(id), hop INTEGER, url TEXT, method TEXT,
        request_headers TEXT, request_body_sha256 TEXT REFERENCES payloads(sha256), status INTEGER, reason TEXT,
        protocol TEXT, response_headers TEXT, payload_sha256 TEXT REFERENCES payloads(sha256), payload_size INTEGER,
        captured_at TEXT, ip_address TEXT, cassette INTEGER, truncated TEXT, source TEXT, warc_file TEXT,
        warc_record_id TEXT, warc_offset INTEGER)""")
    db["captures"].create_index(["fetch_id"], if_not_exists=True)
    db["captures"].create_index(["payload_sha256"], if_not_exists=True)
    db["captures"].create_index(["url"], if_not_exists=True)

    def move(table: str, key: str) -> None:
        if "raw" not in db[table].columns_dict:
            return
        for digest, blob, method in db.execute(f"SELECT {key}, raw, raw_compression FROM {table} WHERE raw IS NOT NULL"):
            body = payloads.decompress(method, blob)
            if payloads.sha256(body) != digest:
                raise MigrationError(f"{table}: the stored bytes of {digest} do not match their sha256; the archive "
                                     "is damaged and was not upgraded (it is unchanged)")
            payloads.put(db, body, digest)
        if sqlite3.sqlite_version_info >= (3, 35):
            for column in ("raw", "raw_compression"):
                db.execute(f"ALTER TABLE [{table}] DROP COLUMN [{column}]")
        else:  # no DROP COLUMN before SQLite 3.35: the table is rebuilt, which drops the full-text triggers
            db[table].transform(drop={"raw", "raw_compression"})
            if table == "versions":
                _enable_fts(db, replace=True)

    move("versions", "raw_sha256")
    move("files", "sha256")
    # the exchanges that stored those bytes, as their fetch rows tell them
    rows = db.execute(
        "SELECT id, url, final_url, method, status, response_headers, sha256, bytes, fetched_at, flags FROM fetches "
        "WHERE status IS NOT NULL AND sha256 IN (SELECT sha256 FROM payloads) "
        "AND id NOT IN (SELECT fetch_id FROM captures WHERE fetch_id IS NOT NULL)").fetchall()
    for fid, url, final_url, method, status, headers, digest, size, fetched_at, flags in rows:
        pairs = [[k, v] for k, values in (json.loads(headers) if headers else {}).items() for v in values]
        db.execute(
            "INSERT INTO captures (fetch_id, hop, url, method, request_headers, status, response_headers, "
            "payload_sha256, payload_size, captured_at, cassette, source) VALUES (?, 0, ?, ?, '[]', ?, ?, ?, ?, ?, ?, 'fetch')",
            [fid, final_url or url, method or "GET", status, json.dumps(pairs, ensure_ascii=False), digest, size,
             fetched_at, int("cassette" in (json.loads(flags) if flags else []))])
    for table, key in (("versions", "id"), ("files", "sha256")):
        for pk, tables in db.execute(f"SELECT {key}, tables FROM {table} WHERE tables IS NOT NULL").fetchall():
            packed = json.dumps(pack_tables(json.loads(tables)), ensure_ascii=False)
            if packed != tables:
                db.execute(f"UPDATE {table} SET tables = ? WHERE {key} = ?", [packed, pk])


def _v5(db: sqlite_utils.Database) -> None:
    """``discoveries``: the annual-report columns ``scrapy crawl discover`` found on a site, each with
    its evidence (the links followed, the report entries that confirmed it, a score), and one row
    per site where it found none, saying what was tried. Self-contained: it only adds its table."""
    db["discoveries"].create(
        {"id": int, "job_id": str, "homepage": str, "host": str, "column_url": str, "platform": str,
         "confirmed": int, "score": float, "reports": int, "years": str, "name": str, "evidence": str,
         "site": str, "requests": int, "note": str, "found_at": str},
        pk="id", if_not_exists=True,
    )
    db["discoveries"].create_index(["homepage"], if_not_exists=True)
    db["discoveries"].create_index(["column_url"], if_not_exists=True)


def _has_fk(db, table, column, other_table, other_column) -> bool:
    return any(fk.column == column and fk.other_table == other_table for fk in db[table].foreign_keys)


def _enable_fts(db: sqlite_utils.Database, replace: bool = False) -> None:
    # trigram: Chinese has no spaces; 3+ character terms match (1–2 characters go through LIKE)
    # text_simplified (OpenCC t2s of traditional-character pages) lets simplified queries find them
    if replace or "versions_fts" not in db.table_names():
        db["versions"].enable_fts(FTS_COLUMNS, tokenize="trigram", create_triggers=True, replace=replace)
        if replace:
            db["versions"].rebuild_fts()


MIGRATIONS = {1: _v1, 2: _v2, 3: _v3, 4: _v4, 5: _v5}


def version_of(db: sqlite_utils.Database) -> int:
    if "meta" not in db.table_names():
        return 0
    row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0


def upgrade(db: sqlite_utils.Database) -> int:
    """Run the migrations this database lacks; return the version it had. Each migration takes
    the write lock first (BEGIN IMMEDIATE, waiting out another process's upgrade) and looks at
    the version again under it: two crawls opening one new archive run each migration once."""
    current = version_of(db)
    for version in range(current + 1, SCHEMA_VERSION + 1):
        db.execute("BEGIN IMMEDIATE")
        try:
            if version_of(db) < version:
                db["meta"].create({"key": str, "value": str}, pk="key", if_not_exists=True)
                MIGRATIONS[version](db)
                db["meta"].upsert({"key": "schema_version", "value": str(version)}, pk="key")
            db.execute("COMMIT")
        except BaseException:
            if db.conn.in_transaction:
                db.execute("ROLLBACK")
            raise
    return current
