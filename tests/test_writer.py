"""The archive written from a process of its own (archive.writer): the same archive as writing in
the crawl's thread, calls answered in order, errors as the archive raises them, and a writer that
dies is a storage failure like a full disk (said once; nothing stored is lost; the next run stores
the rest)."""

from __future__ import annotations

import os
import signal

import pytest
from scrapy import signals

from archive.records import Fetch, utcnow
from archive.store import ArchiveError
from archive.writer import Writer
from crawler.run import run_crawl
from tests.crawl_kit import FAST, rows, spider_for, value
from tests.portal_server import PER_PAGE, Portal, PortalServer


def _fetch(i: int) -> Fetch:
    return Fetch(url=f"https://x.gov.cn/{i}.html", job_id="job", spider="t", fetched_at=utcnow(),
                 status=200, outcome="list")


@pytest.mark.parametrize("in_process", [False, True])
def test_calls_run_in_the_order_submitted_and_answer_as_the_archive_does(tmp_path, in_process):
    writer = Writer(tmp_path / "a.db", in_process=in_process)
    try:
        assert (writer.pid == os.getpid()) == in_process
        writer.call("start_crawl", "job", "t", {"python": "3"})
        futures = [writer.submit("record_fetch", _fetch(i)) for i in range(50)]
        ids = [f.result() for f in futures]
        assert ids == sorted(ids) and len(set(ids)) == 50
        with pytest.raises(TypeError):
            writer.call("record_fetch")  # the archive's own error, raised here
        with pytest.raises(AttributeError):
            writer.call("no_such_method")
        assert writer.submit("record_fetch", _fetch(50)).result() == ids[-1] + 1  # and it goes on
    finally:
        used = writer.close()
    assert (used is None) == in_process
    assert value(tmp_path / "a.db", "select count(*) from fetches") == 51
    assert [r["url"] for r in rows(tmp_path / "a.db", "select url from fetches order by id")][:3] == \
        [f"https://x.gov.cn/{i}.html" for i in range(3)]


def test_users_of_one_archive_share_its_writer_and_the_last_one_closes_it(tmp_path):
    import threading

    path = tmp_path / "a.db"
    first = Writer.shared(path)
    try:
        assert Writer.shared(tmp_path / "." / "a.db") is first  # the same file, however named
        other = Writer.shared(tmp_path / "b.db")
        assert other is not first and other.release() is not None
        first.call("start_crawl", "job", "t", {"python": "3"})
        # the writer's own lock (its futures) is not the one that guards the sharing: a release
        # while another thread holds a call open neither waits nor lets the writer go early
        with first._lock:
            done = threading.Event()
            threading.Thread(target=lambda: (first.release(), done.set())).start()
            assert done.wait(5)
        assert Writer._shared[os.path.realpath(path)] == (first, 1)
    finally:
        used = first.release()  # the last user: committed and closed
    assert used is not None and "cpu_seconds" in used and not Writer._shared
    assert value(path, "select count(*) from crawls") == 1


def test_a_file_that_is_not_an_archive_is_refused_and_left_as_it_was(tmp_path):
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are my notes, not a database" * 100)
    before = path.read_bytes()
    with pytest.raises(ArchiveError, match="not a usable SQLite archive"):
        Writer(path)
    assert path.read_bytes() == before


def test_the_writer_holds_none_of_the_crawls_open_files(tmp_path):
    read_end, write_end = os.pipe()
    mine = os.readlink(f"/proc/self/fd/{write_end}")
    writer = Writer(tmp_path / "a.db")
    try:
        held = {os.readlink(f"/proc/{writer.pid}/fd/{fd}") for fd in os.listdir(f"/proc/{writer.pid}/fd")}
        assert mine not in held and any(h.endswith("a.db") for h in held)
    finally:
        writer.close()
        os.close(read_end)
        os.close(write_end)


@pytest.fixture
def portal():
    portal = Portal(3 * PER_PAGE)
    with PortalServer(portal) as server:
        yield portal, server


def _archive(db) -> list[tuple]:
    return [tuple(r.values()) for r in rows(db, "select r.url, r.title, v.text, v.clean_sha256, v.raw_sha256 "
                                               "from reports r join versions v on v.id = r.current_version "
                                               "order by r.url")]


def test_writing_in_its_own_process_stores_what_writing_in_the_crawls_thread_stores(portal, tmp_path):
    _, server = portal
    spider = spider_for(server.url)
    here, there = str(tmp_path / "here.db"), str(tmp_path / "there.db")
    stats_here = run_crawl(spider, {**FAST, "ARCHIVE_DB": here, "ARCHIVE_WRITER_PROCESS": False})
    stats_there = run_crawl(spider, {**FAST, "ARCHIVE_DB": there})
    assert stats_here["archive/reports/new"] == stats_there["archive/reports/new"] == 3 * PER_PAGE
    assert "archive/writer/cpu_seconds" in stats_there and "archive/writer/cpu_seconds" not in stats_here
    assert _archive(here) == _archive(there) and len(_archive(here)) == 3 * PER_PAGE
    assert value(there, "select count(*) from crawls where finish_reason = 'finished'") == 1


class KillTheWriter:
    """Kills the crawl's archive writer (SIGKILL) once ``AFTER`` items were stored."""
    AFTER = 20

    def __init__(self, crawler):
        self.crawler, self.seen = crawler, 0
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def item_scraped(self, item, response, spider):
        self.seen += 1
        if self.seen == self.AFTER:
            (writer,) = [w for w, _ in Writer._shared.values()]
            os.kill(writer.pid, signal.SIGKILL)


def test_a_writer_that_dies_stops_the_crawl_as_a_storage_failure_and_the_next_run_stores_the_rest(
        portal, db_path, caplog):
    _, server = portal
    spider = spider_for(server.url)
    stats = run_crawl(spider, {**FAST, "ARCHIVE_DB": db_path, "ARCHIVE_COMMIT_ITEMS": 5,
                               "EXTENSIONS": {"tests.test_writer.KillTheWriter": 0}})
    assert stats["finish_reason"] == "storage-failed"
    assert stats["archive/failed"].startswith("storage failed: WriterGone")
    said = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Cannot store into")]
    assert len(said) == 1, said
    assert not Writer._shared  # the dead writer is not handed to the next crawl
    stored = value(db_path, "select count(*) from versions")
    assert 0 < stored < 3 * PER_PAGE
    assert value(db_path, "pragma integrity_check") == "ok"
    assert value(db_path, "select count(*) from crawls where finish_reason = 'finished'") == 0
    stats = run_crawl(spider, {**FAST, "ARCHIVE_DB": db_path})
    assert stats["finish_reason"] == "finished" and not stats.get("archive/failed")
    assert value(db_path, "select count(*) from reports where current_version is not null") == 3 * PER_PAGE
    assert value(db_path, "select count(*) from (select report_url from versions group by report_url "
                          "having count(*) > 1)") == 0
