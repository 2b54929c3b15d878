"""The archive in a web browser: Datasette over the archive file, opened read-only, with the
project's metadata (``archive.web.metadata``), pages (``archive.web.plugin``, templates here) and
limits. ``archive serve`` runs it; ``make_datasette`` builds it (tests use it in-process).

Read-only: the file is opened ``mode=ro`` — SQLite's own guarantee that nothing is written — so
a crawl writing the same archive (WAL) is never blocked and never sees a second writer. With
``immutable=True`` (``--immutable``: a published copy nobody writes) SQLite skips locking
altogether; it is chosen by itself when neither the file nor its directory can be written.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from ..schema import SCHEMA_VERSION
from ..store import ArchiveError

TEMPLATES = Path(__file__).parent / "templates"

# Datasette's settings for a public archive: no SQL typed in the browser unless asked for,
# bounded results and time, no download of the whole database file, no CSV of whole tables.
SETTINGS = {
    "default_allow_sql": False,
    "sql_time_limit_ms": 2000,
    "max_returned_rows": 1000,
    "default_page_size": 50,
    "facet_time_limit_ms": 500,
    "facet_suggest_time_limit_ms": 100,
    "allow_download": False,
    "allow_csv_stream": False,
    "num_sql_threads": 3,
}


def check_archive(path: str) -> int:
    """The schema version of the archive at ``path``, opened read-only; a clear error if it is
    not an archive this code can show."""
    p = Path(path)
    if not p.is_file():
        raise ArchiveError(f"no archive database at {path} (give --db, or set $ARCHIVE_DB)")
    try:
        conn = sqlite3.connect(f"file:{p.resolve()}?mode=ro", uri=True)
        try:
            names = {n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if "meta" not in names or "reports" not in names:
                raise ArchiveError(f"{path} is an SQLite file but not an archive (no reports/meta table)")
            row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise ArchiveError(f"{path} is not a usable SQLite archive: {exc}") from exc
    found = int(row[0]) if row else 0
    if found != SCHEMA_VERSION:
        advice = ("open it once with this code to upgrade it (for example `archive reports --db …`)"
                  if found < SCHEMA_VERSION else "upgrade the code")
        raise ArchiveError(f"{path} has schema version {found}, this code shows version {SCHEMA_VERSION}: {advice}")
    return found


def writable(path: str) -> bool:
    p = Path(path).resolve()
    return os.access(p, os.W_OK) or os.access(p.parent, os.W_OK)


def make_datasette(path: str, allow_sql: bool = False, immutable: bool | None = None, settings: dict | None = None,
                   registry: str | None = None):
    """A Datasette instance serving the archive at ``path`` under the name ``archive``; ``registry``:
    the registry file whose agencies the coverage query lists (default: the one in use)."""
    from datasette.app import Datasette
    from datasette.database import Database
    from datasette.plugins import pm

    from . import plugin
    from .metadata import DATABASE, metadata

    check_archive(path)
    registry_rows = None
    if registry:
        from ..registry import RegistryError, load

        try:
            registry_rows = load(registry).rows
        except RegistryError as exc:
            raise ArchiveError(str(exc)) from exc
    path = str(Path(path).resolve())
    if immutable is None:
        immutable = not writable(path)
    if pm.get_plugin("archive.web") is None:
        pm.register(plugin, name="archive.web")
    ds = Datasette(metadata=metadata(path, registry_rows), template_dir=str(TEMPLATES),
                   settings={**SETTINGS, "default_allow_sql": bool(allow_sql), **(settings or {})})
    ds.add_database(Database(ds, path=path, is_mutable=not immutable), name=DATABASE)
    return ds


def serve(path: str, host: str = "127.0.0.1", port: int = 8001, allow_sql: bool = False,
          immutable: bool | None = None, registry: str | None = None) -> None:
    import uvicorn

    ds = make_datasette(path, allow_sql=allow_sql, immutable=immutable, registry=registry)
    uvicorn.run(ds.app(), host=host, port=port, log_level="warning", lifespan="on")
