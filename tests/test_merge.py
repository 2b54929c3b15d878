"""archive merge: archives of several workers combined into one, provenance and versions intact,
idempotent (archive.merge)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest

from archive.merge import merge
from archive.store import Archive, ArchiveError
from crawler.run import run_crawl
from tests.crawl_kit import FAST
from tests.paths import CASSETTES, ROOT

TABLES = ("reports", "versions", "fetches", "captures", "payloads", "files", "attachments", "crawls",
          "figure_sets", "figures", "figure_checks", "url_state")


def replay(portal: str, db: str) -> None:
    stats = run_crawl(portal, {**FAST, "CASSETTE": str(CASSETTES / f"{portal}.yaml"), "CASSETTE_RECORD_MODE": "none",
                               "ARCHIVE_DB": db})
    assert stats["finish_reason"] == "finished"


def copy(source: str, target: str) -> None:
    """A consistent copy of an archive (its write-ahead log included)."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def counts(db: str) -> dict[str, int]:
    con = sqlite3.connect(db)
    try:
        return {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in TABLES}
    finally:
        con.close()


def reports(db: str) -> dict[str, tuple]:
    """Each report's current text, tables, raw bytes' hash and cleaned hash, and its fetch's URL and time."""
    con = sqlite3.connect(db)
    try:
        return {url: rest for url, *rest in con.execute(
            "select r.url, v.text, v.tables, v.raw_sha256, v.clean_sha256, f.url, f.fetched_at, f.job_id from reports r "
            "join versions v on v.id = r.current_version left join fetches f on f.id = v.fetch_id")}
    finally:
        con.close()


def dangling(db: str) -> list[str]:
    """References that point at no row (what merging must re-number correctly)."""
    con = sqlite3.connect(db)
    checks = {
        "fetches.version_id": "select count(*) from fetches where version_id is not null and version_id not in (select id from versions)",
        "versions.fetch_id": "select count(*) from versions where fetch_id not in (select id from fetches)",
        "versions.raw_sha256": "select count(*) from versions where raw_sha256 not in (select sha256 from payloads)",
        "reports.current_version": "select count(*) from reports where current_version not in (select id from versions where report_url = reports.url)",
        "captures.fetch_id": "select count(*) from captures where fetch_id not in (select id from fetches)",
        "captures.payload": "select count(*) from captures where payload_sha256 not in (select sha256 from payloads)",
        "attachments.sha256": "select count(*) from attachments where sha256 not in (select sha256 from files)",
        "attachments.fetch_id": "select count(*) from attachments where fetch_id is not null and fetch_id not in (select id from fetches)",
        "figures.version_id": "select count(*) from figures where version_id not in (select id from versions)",
    }
    try:
        return [name for name, sql in checks.items() if con.execute(sql).fetchone()[0]]
    finally:
        con.close()


@pytest.fixture(scope="module")
def workers(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("workers")
    dbs = {p: str(tmp / f"{p}.db") for p in ("guangzhou", "panyu", "hengyang")}
    for portal, db in dbs.items():
        replay(portal, db)
    return dbs


def test_workers_archives_merge_into_one_with_everything_kept(workers, tmp_path):
    target = str(tmp_path / "all.db")
    archive = Archive(target)
    try:
        results = [merge(archive, db) for db in workers.values()]
    finally:
        archive.close()
    assert all(r.added["reports"] for r in results)
    total = counts(target)
    for table in TABLES:
        expected = sum(counts(db)[table] for db in workers.values())
        if table == "payloads":  # a body two portals both served is kept once
            assert total[table] <= expected
        else:
            assert total[table] == expected, table
    merged = reports(target)
    for db in workers.values():
        for url, facts in reports(db).items():
            assert merged[url] == facts, url  # text, tables, hashes, the exchange it came from
    assert dangling(target) == []
    con = sqlite3.connect(target)
    assert con.execute("pragma integrity_check").fetchone()[0] == "ok"
    # the full-text index holds the merged versions: each portal's reports are found
    found = {p for (p,) in con.execute("select distinct r.portal from versions_fts f join versions v on v.id = f.rowid "
                                       "join reports r on r.url = v.report_url where versions_fts match '政府信息公开'")}
    assert found == set(workers)


def test_merging_again_adds_nothing(workers, tmp_path):
    target = str(tmp_path / "again.db")
    copy(workers["guangzhou"], target)  # a target that already holds the worker's crawl
    before = counts(target)
    archive = Archive(target)
    try:
        first = merge(archive, workers["guangzhou"])
        second = merge(archive, workers["guangzhou"])
    finally:
        archive.close()
    assert sum(first.added.values()) == 0 and sum(second.added.values()) == 0, (first.added, second.added)
    assert counts(target) == before


def test_two_crawls_of_one_portal_keep_one_version_and_both_exchanges(workers, tmp_path):
    later = str(tmp_path / "later.db")
    replay("guangzhou", later)  # another worker crawled the same column later: same content
    target = str(tmp_path / "t.db")
    copy(workers["guangzhou"], target)
    archive = Archive(target)
    try:
        result = merge(archive, later)
    finally:
        archive.close()
    assert result.added["versions"] == 0 and result.added["reports"] == 0
    assert result.added["fetches"] == counts(later)["fetches"] and result.added["crawls"] == 1
    con = sqlite3.connect(target)
    assert con.execute("select max(version_count) from reports").fetchone()[0] == 1
    # the later crawl's report fetches point at the one version
    assert con.execute("select count(*) from fetches where outcome like 'report-%' and version_id is null").fetchone()[0] == 0
    assert dangling(target) == []


def test_bad_sources_are_one_line_and_leave_the_target_as_it_was(workers, tmp_path):
    target = str(tmp_path / "t.db")
    copy(workers["panyu"], target)
    before = counts(target)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    for bad in (str(junk), str(tmp_path / "missing.db"), target):
        r = subprocess.run([sys.executable, "-m", "archive.cli", "merge", bad, "--db", target], cwd=ROOT,
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 2 and r.stderr.startswith("archive: ") and "Traceback" not in r.stderr, r.stderr
        assert len(r.stderr.strip().splitlines()) == 1
    assert counts(target) == before
    r = subprocess.run([sys.executable, "-m", "archive.cli", "merge", workers["hengyang"], "--db", target], cwd=ROOT,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "+5 reports" in r.stdout, r.stdout + r.stderr
    with pytest.raises(ArchiveError):
        merge(Archive(target), str(junk))
