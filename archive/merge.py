"""Combining archives: ``archive merge WORKER.db … --db archive.db``.

Crawls can run on several machines (Scrapyd workers, one archive file each); their archives are
then merged into one. A row is the same row when it is the same observation, whichever archive
holds it:

* a crawl by its job id; a payload or a file by its sha256;
* a fetch by (job, URL, time, method, outcome): the same exchange; its captures come with it;
* a version by (report URL, time stored, cleaned-content hash): the same version; and a version
  whose content is that of the report's version current at its time is that version (one archive
  that made both crawls would have stored one version and two fetches). Different content stored
  by two workers is two versions, in the order stored; the current version is the latest;
* a report by its URL: first seen the earliest, its description (title, dates, listing, gone) from
  the archive that saw it last; an attachment by (report, URL); crawl state by URL, the latest.
* figures come with their version; discoveries by (job, homepage, column).

Row ids differ between archives: every reference (fetch → version, version → fetch, capture →
fetch, report → current version, attachment → fetch, file → first fetch, figures → version) is
mapped. Merging is idempotent — merging the same archive again adds nothing — and runs in one
transaction: an error leaves the target as it was. The source is only read (opened read-only
after it is upgraded to the current schema, as any archive is when opened).
"""

from __future__ import annotations

import os
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .store import Archive, ArchiveError


@dataclass
class Merged:
    source: str
    added: Counter = field(default_factory=Counter)  # table → rows added
    known: Counter = field(default_factory=Counter)  # table → rows already there

    def line(self) -> str:
        parts = [f"+{self.added[t]} {t}" for t in ("reports", "versions", "fetches", "captures", "payloads",
                                                   "files", "attachments", "crawls", "figure_sets", "discoveries")
                 if self.added[t]]
        already = sum(self.known.values())
        return (f"{self.source}: " + (", ".join(parts) if parts else "nothing new")
                + (f" ({already} rows already there)" if already else ""))


def _columns(conn: sqlite3.Connection, table: str, schema: str = "main") -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA {schema}.table_info([{table}])")]


def _check_source(path: str, target: Archive) -> None:
    source = Path(path)
    if not source.is_file():
        raise ArchiveError(f"no archive file at {path}")
    if os.path.realpath(path) == os.path.realpath(target.path):
        raise ArchiveError(f"{path} is the archive being merged into")
    archive = Archive(path)  # an archive of an older schema is upgraded first, as when it is opened
    try:
        if "reports" not in archive.db.table_names():
            raise ArchiveError(f"{path} is not an archive")
    finally:
        archive.close()


def merge(target: Archive, path: str) -> Merged:
    """Merge the archive at ``path`` into ``target`` (see the module's docstring)."""
    _check_source(path, target)
    conn = target.conn
    uri = Path(path).resolve().as_uri() + "?mode=ro"
    conn.execute("ATTACH DATABASE ? AS src", [uri])
    try:
        with target.write():
            return _Merge(conn, path).run()
    finally:
        conn.execute("DETACH DATABASE src")


class _Merge:
    def __init__(self, conn: sqlite3.Connection, path: str):
        self.conn, self.result = conn, Merged(path)
        self.fetch_ids: dict[int, int] = {}
        self.new_fetches: set[int] = set()  # source ids of the fetches added
        self.version_ids: dict[int, int] = {}
        self.new_versions: set[int] = set()

    def run(self) -> Merged:
        self.keyed("crawls", "job_id")
        self.keyed("payloads", "sha256")
        self.fetches()
        self.captures()
        self.versions()
        self.conn.executemany("UPDATE fetches SET version_id = ? WHERE id = ?",
                              [(self.version_ids.get(v), self.fetch_ids[f]) for f, v in self.conn.execute(
                                  "SELECT id, version_id FROM src.fetches WHERE version_id IS NOT NULL")
                               if f in self.new_fetches])
        self.reports()
        self.files()
        self.attachments()
        self.url_state()
        self.figures()
        self.discoveries()
        return self.result

    # --- rows that are their own key --------------------------------------------------------------
    def keyed(self, table: str, key: str) -> None:
        cols = ", ".join(f"[{c}]" for c in _columns(self.conn, table))
        before = self.conn.execute(f"SELECT count(*) FROM main.[{table}]").fetchone()[0]
        self.conn.execute(f"INSERT OR IGNORE INTO main.[{table}] ({cols}) SELECT {cols} FROM src.[{table}]")
        after = self.conn.execute(f"SELECT count(*) FROM main.[{table}]").fetchone()[0]
        total = self.conn.execute(f"SELECT count(*) FROM src.[{table}]").fetchone()[0]
        self.result.added[table] += after - before
        self.result.known[table] += total - (after - before)

    # --- rows with ids of their own ------------------------------------------------------------------
    def _insert(self, table: str, row: dict) -> int:
        cols = [c for c in row if c != "id"]
        cur = self.conn.execute(f"INSERT INTO main.[{table}] ({', '.join(f'[{c}]' for c in cols)}) "
                                f"VALUES ({', '.join('?' for _ in cols)})", [row[c] for c in cols])
        self.result.added[table] += 1
        return cur.lastrowid

    def _rows(self, sql: str, params=()):
        cur = self.conn.execute(sql, params)
        names = [d[0] for d in cur.description]
        for values in cur:
            yield dict(zip(names, values))

    def fetches(self) -> None:
        for row in self._rows("SELECT * FROM src.fetches ORDER BY id"):
            same = self.conn.execute(
                "SELECT id FROM main.fetches WHERE url = ? AND job_id IS ? AND fetched_at IS ? AND method IS ? "
                "AND outcome IS ? LIMIT 1",
                [row["url"], row["job_id"], row["fetched_at"], row["method"], row["outcome"]]).fetchone()
            if same:
                self.fetch_ids[row["id"]] = same[0]
                self.result.known["fetches"] += 1
                continue
            source_id = row["id"]
            self.fetch_ids[source_id] = self._insert("fetches", {**row, "version_id": None})
            self.new_fetches.add(source_id)

    def captures(self) -> None:
        for row in self._rows("SELECT * FROM src.captures ORDER BY id"):
            if row["fetch_id"] not in self.new_fetches:
                self.result.known["captures"] += 1
                continue
            self._insert("captures", {**row, "fetch_id": self.fetch_ids[row["fetch_id"]]})

    def versions(self) -> None:
        for row in self._rows("SELECT * FROM src.versions ORDER BY id"):
            same = self.conn.execute(
                "SELECT id FROM main.versions WHERE report_url = ? AND created_at IS ? AND clean_sha256 IS ? LIMIT 1",
                [row["report_url"], row["created_at"], row["clean_sha256"]]).fetchone()
            if same is None:
                # the same content as the version current at that time: one archive would have kept
                # one version (a later fetch of unchanged content is a fetch row, not a version)
                same = self.conn.execute(
                    "SELECT id FROM main.versions WHERE report_url = ? AND created_at <= ? AND clean_sha256 IS ? AND "
                    "id = (SELECT id FROM main.versions WHERE report_url = ? AND created_at <= ? "
                    "ORDER BY created_at DESC, id DESC LIMIT 1)",
                    [row["report_url"], row["created_at"], row["clean_sha256"], row["report_url"],
                     row["created_at"]]).fetchone()
            if same:
                self.version_ids[row["id"]] = same[0]
                self.result.known["versions"] += 1
                continue
            source_id = row["id"]
            self.version_ids[source_id] = self._insert(
                "versions", {**row, "fetch_id": self.fetch_ids.get(row["fetch_id"])})
            self.new_versions.add(source_id)

    def reports(self) -> None:
        for row in self._rows("SELECT * FROM src.reports"):
            mine = next(self._rows("SELECT * FROM main.reports WHERE url = ?", [row["url"]]), None)
            if mine is None:
                self._insert_report(row)
                continue
            self.result.known["reports"] += 1
            fresher = row if (row["last_seen"] or "") > (mine["last_seen"] or "") else mine
            merged = {**fresher, "first_seen": min(x for x in (row["first_seen"], mine["first_seen"]) if x)
                      if (row["first_seen"] or mine["first_seen"]) else None}
            self._update_report(merged)

    def _insert_report(self, row: dict) -> None:
        cols = _columns(self.conn, "reports")
        self.conn.execute(f"INSERT INTO main.reports ({', '.join(f'[{c}]' for c in cols)}) "
                          f"VALUES ({', '.join('?' for _ in cols)})", [row.get(c) for c in cols])
        self.result.added["reports"] += 1
        self._update_report(row)

    def _update_report(self, row: dict) -> None:
        """Write a report's fields; its current version is the latest stored, whichever archive."""
        latest = self.conn.execute("SELECT id, (SELECT count(*) FROM main.versions WHERE report_url = ?) "
                                   "FROM main.versions WHERE report_url = ? ORDER BY created_at DESC, id DESC LIMIT 1",
                                   [row["url"], row["url"]]).fetchone()
        fields = {k: v for k, v in row.items() if k not in ("url", "current_version", "version_count")}
        fields["current_version"], fields["version_count"] = (latest if latest else (None, 0))
        sets = ", ".join(f"[{k}] = ?" for k in fields)
        self.conn.execute(f"UPDATE main.reports SET {sets} WHERE url = ?", [*fields.values(), row["url"]])

    def files(self) -> None:
        cols = _columns(self.conn, "files")
        for row in self._rows("SELECT * FROM src.files"):
            if self.conn.execute("SELECT 1 FROM main.files WHERE sha256 = ?", [row["sha256"]]).fetchone():
                self.result.known["files"] += 1
                continue
            row["first_fetch_id"] = self.fetch_ids.get(row["first_fetch_id"])
            self.conn.execute(f"INSERT INTO main.files ({', '.join(f'[{c}]' for c in cols)}) "
                              f"VALUES ({', '.join('?' for _ in cols)})", [row.get(c) for c in cols])
            self.result.added["files"] += 1

    def attachments(self) -> None:
        for row in self._rows("SELECT * FROM src.attachments ORDER BY id"):
            row["fetch_id"] = self.fetch_ids.get(row["fetch_id"])
            mine = next(self._rows("SELECT * FROM main.attachments WHERE report_url = ? AND url = ?",
                                   [row["report_url"], row["url"]]), None)
            if mine is None:
                self._insert("attachments", row)
                continue
            self.result.known["attachments"] += 1
            later = row if (row["last_seen"] or "") > (mine["last_seen"] or "") else mine
            self.conn.execute(
                "UPDATE main.attachments SET first_seen = min(first_seen, ?), last_seen = ?, sha256 = ?, fetch_id = ?, "
                "name = ? WHERE id = ?", [row["first_seen"], later["last_seen"], later["sha256"], later["fetch_id"],
                                          later["name"], mine["id"]])

    def url_state(self) -> None:
        cols = _columns(self.conn, "url_state")
        names = ", ".join(f"[{c}]" for c in cols)
        before = self.conn.execute("SELECT count(*) FROM main.url_state").fetchone()[0]
        self.conn.execute(
            f"INSERT OR REPLACE INTO main.url_state ({names}) SELECT {names} FROM src.url_state s WHERE NOT EXISTS "
            "(SELECT 1 FROM main.url_state m WHERE m.url = s.url AND coalesce(m.last_checked, '') >= "
            "coalesce(s.last_checked, ''))")
        self.result.added["url_state"] += self.conn.execute("SELECT count(*) FROM main.url_state").fetchone()[0] - before

    def figures(self) -> None:
        for table in ("figure_sets", "figures", "figure_checks"):
            for row in self._rows(f"SELECT * FROM src.[{table}] ORDER BY rowid"):
                if row["version_id"] not in self.new_versions:
                    continue
                row = {**row, "version_id": self.version_ids[row["version_id"]]}
                if table == "figure_sets":  # keyed by its version: no id of its own
                    cols = list(row)
                    self.conn.execute(f"INSERT INTO main.figure_sets ({', '.join(f'[{c}]' for c in cols)}) "
                                      f"VALUES ({', '.join('?' for _ in cols)})", list(row.values()))
                    self.result.added[table] += 1
                else:
                    self._insert(table, row)

    def discoveries(self) -> None:
        for row in self._rows("SELECT * FROM src.discoveries ORDER BY id"):
            if self.conn.execute("SELECT 1 FROM main.discoveries WHERE job_id IS ? AND homepage IS ? AND "
                                 "column_url IS ?", [row["job_id"], row["homepage"], row["column_url"]]).fetchone():
                self.result.known["discoveries"] += 1
                continue
            self._insert("discoveries", row)
