"""Cleaning in worker processes (archive.workers): the same answers as cleaning in place, and a
budget of time and memory per page that a hostile page cannot break."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest

from archive.ingest import examine
from archive.workers import BATCH_MAX_BYTES, Budget, CleaningError, Workers, _examine_batch
from tests.paths import ROOT
from tests.procs import alive, descendants

HEADERS = {"Content-Type": ["text/html; charset=utf-8"]}
HEAD = ("<html><head><meta charset='utf-8'><title>某局2023年政府信息公开工作年度报告</title></head><body>"
        "<div class='nav'><a href='/'>首页</a></div><div id='zoomcon'><h1>某局2023年政府信息公开工作年度报告</h1>")
NORMAL = (HEAD + "<p>" + "本机关主动公开政府信息一百二十条，收到政府信息公开申请十件，均按时答复。" * 5 + "</p>"
          "<table><tr><td rowspan='2'>信息内容</td><td>本年制发件数</td></tr><tr><td>3</td></tr></table>"
          "</div><div class='footer'>网站标识码 0000000000</div></body></html>").encode()
# a legitimate-looking page that takes seconds to clean (100,000 paragraphs, ~5 MB)
HEAVY = (HEAD + "<p>本机关主动公开政府信息一百二十条。</p>" * 100_000 + "</div></body></html>").encode()


def run(coro):
    return asyncio.run(coro)


def test_a_worker_answers_as_cleaning_in_place_does():
    workers = Workers(1, Budget(timeout=60))
    try:
        here = examine(200, HEADERS, NORMAL, "https://x.gov.cn/a.html", ["#zoomcon"])
        there = run(workers.examine(200, HEADERS, NORMAL, "https://x.gov.cn/a.html", ["#zoomcon"]))
    finally:
        workers.close()
    assert there.kind == here.kind == "page"
    assert there.cleaned.text == here.cleaned.text and "均按时答复" in there.cleaned.text
    assert there.cleaned.tables == here.cleaned.tables and there.cleaned.removed == here.cleaned.removed
    assert there.decoded.as_provenance() == here.decoded.as_provenance()
    assert there.cleaned.incomplete is None


def test_a_page_over_its_time_budget_is_flagged_and_the_next_page_is_cleaned():
    workers = Workers(1, Budget(timeout=1.0))
    try:
        started = time.monotonic()
        slow = run(workers.examine(200, HEADERS, HEAVY, "https://x.gov.cn/heavy.html"))
        waited = time.monotonic() - started
        after = run(workers.examine(200, HEADERS, NORMAL, "https://x.gov.cn/a.html", ["#zoomcon"]))
    finally:
        workers.close()
    assert slow.kind == "page" and slow.cleaned.text == ""
    assert slow.cleaned.incomplete == "cleaning took longer than its 1 s budget"
    assert slow.decoded.encoding == "utf-8"  # how the kept bytes decode is still said
    assert waited < 20, "the worker was not stopped at its budget"
    assert after.kind == "page" and "均按时答复" in after.cleaned.text  # a new worker took over


def test_a_page_over_its_memory_budget_is_flagged():
    workers = Workers(1, Budget(timeout=120, memory=48 << 20))
    try:
        hungry = run(workers.examine(200, HEADERS, HEAVY, "https://x.gov.cn/heavy.html"))
        after = run(workers.examine(200, HEADERS, NORMAL, "https://x.gov.cn/a.html", ["#zoomcon"]))
    finally:
        workers.close()
    assert hungry.cleaned.text == ""
    assert hungry.cleaned.incomplete in ("cleaning needed more than its 48 MB memory budget",
                                         "the cleaning process died (signal 9, out of memory or killed)"), \
        hungry.cleaned.incomplete
    assert "均按时答复" in after.cleaned.text


def _page(k: int) -> bytes:
    return NORMAL.replace("一百二十条".encode(), f"{k}条".encode())


def _tasks(workers: Workers) -> list[tuple[str, int]]:
    """What the workers' pool is given from now on: (function, pages) per task."""
    tasks: list[tuple[str, int]] = []
    schedule = workers._pool.schedule

    def counted(function, args=(), **kwargs):
        tasks.append((function.__name__, len(args[0]) if function.__name__ == "_examine_batch" else 1))
        return schedule(function, args=args, **kwargs)

    workers._pool.schedule = counted
    return tasks


async def _all(workers: Workers, pages: list[bytes]):
    return await asyncio.gather(*(workers.examine(200, HEADERS, page, f"https://x.gov.cn/{k}.html", ["#zoomcon"])
                                  for k, page in enumerate(pages)), return_exceptions=True)


def test_pages_that_arrive_together_are_cleaned_in_batches_with_the_same_answers():
    pages = [_page(k) for k in range(7)]
    workers = Workers(1, Budget(timeout=60), batch=3)
    alone = Workers(1, Budget(timeout=60), batch=1)
    try:
        tasks, tasks_alone = _tasks(workers), _tasks(alone)
        answers = run(_all(workers, pages))
        answers_alone = run(_all(alone, pages))
    finally:
        workers.close()
        alone.close()
    assert tasks == [("_examine_batch", 3), ("_examine_batch", 3), ("_examine_in_worker", 1)]
    assert tasks_alone == [("_examine_in_worker", 1)] * 7
    for k, (there, here) in enumerate(zip(answers, answers_alone)):
        assert there.kind == "page" and f"主动公开政府信息{k}条" in there.cleaned.text
        assert (there.cleaned.text, there.cleaned.tables) == (here.cleaned.text, here.cleaned.tables)
        assert there.decoded.as_provenance() == here.decoded.as_provenance()


def test_a_batch_over_budget_is_run_again_page_by_page_each_within_its_own_budget():
    workers = Workers(1, Budget(timeout=1.0), batch=4, batch_max_bytes=len(HEAVY))  # the heavy page in the batch
    try:
        tasks = _tasks(workers)
        started = time.monotonic()
        slow, *others = run(_all(workers, [HEAVY, _page(1), _page(2)]))
        waited = time.monotonic() - started
    finally:
        workers.close()
    assert tasks[0] == ("_examine_batch", 3) and sorted(tasks[1:]) == [("_examine_in_worker", 1)] * 3
    assert slow.cleaned.text == "" and slow.cleaned.incomplete == "cleaning took longer than its 1 s budget"
    for k, page in enumerate(others, 1):
        assert page.cleaned.incomplete is None and f"主动公开政府信息{k}条" in page.cleaned.text
    assert waited < 30


def test_a_page_the_cleaner_fails_on_fails_alone_and_its_batch_is_answered():
    workers = Workers(1, Budget(timeout=60), batch=4)
    try:
        tasks = _tasks(workers)
        broken, fine = run(_all(workers, ["a str, not the page's bytes", _page(5)]))
    finally:
        workers.close()
    assert tasks == [("_examine_batch", 2), ("_examine_in_worker", 1)]  # only the failing page again
    assert isinstance(broken, CleaningError) and "TypeError" in str(broken)
    assert fine.kind == "page" and "主动公开政府信息5条" in fine.cleaned.text


def test_a_batch_begins_no_page_after_a_quarter_of_its_budget():
    pages = [(200, HEADERS, _page(k), "https://x.gov.cn/a.html", ("#zoomcon",)) for k in range(3)]
    first, *rest = _examine_batch(pages, 0.0)  # the budget is spent once the first page is done
    assert "主动公开政府信息0条" in first.cleaned.text and rest == [None, None]  # the others go alone
    assert all(a is not None for a in _examine_batch(pages, 60.0))


def test_a_large_page_goes_alone():
    workers = Workers(1, Budget(timeout=60), batch=4)
    large = NORMAL.replace(b"</p>", b"</p>" + "<p>本机关主动公开政府信息。</p>".encode() * 5000, 1)
    try:
        tasks = _tasks(workers)
        answers = run(_all(workers, [large, _page(1), _page(2)]))
    finally:
        workers.close()
    assert len(large) > BATCH_MAX_BYTES and sorted(tasks) == [("_examine_batch", 2), ("_examine_in_worker", 1)]
    assert all(a.kind == "page" and a.cleaned.incomplete is None for a in answers)


def test_pages_left_waiting_by_a_closed_loop_do_not_trouble_the_next_one():
    workers = Workers(1, Budget(timeout=60), batch=8, window=0.5)
    old = asyncio.new_event_loop()
    try:
        old.run_until_complete(asyncio.sleep(0, old.create_task(
            workers.examine(200, HEADERS, _page(1), "https://x.gov.cn/a.html"))))
        old.close()  # its page still waits for the window, never answered, never cancelled
        answer = run(workers.examine(200, HEADERS, _page(2), "https://x.gov.cn/b.html"))

        async def backlog_here():
            return workers.backlog

        assert run(backlog_here()) == 0  # the closed loop's page is not this loop's backlog
    finally:
        workers.close()
    assert "主动公开政府信息2条" in answer.cleaned.text


def test_a_page_given_up_while_it_waits_for_its_batch_leaves_the_others_answered():
    workers = Workers(1, Budget(timeout=60), batch=8, window=0.5)

    async def crawl():
        pages = [asyncio.ensure_future(workers.examine(200, HEADERS, _page(k), "https://x.gov.cn/a.html"))
                 for k in range(3)]
        await asyncio.sleep(0.05)
        pages[1].cancel()
        return await asyncio.gather(*pages, return_exceptions=True)

    try:
        tasks = _tasks(workers)
        first, given_up, last = run(crawl())
    finally:
        workers.close()
    assert isinstance(given_up, asyncio.CancelledError)
    assert "主动公开政府信息0条" in first.cleaned.text and "主动公开政府信息2条" in last.cleaned.text
    assert tasks == [("_examine_batch", 2)]


def test_room_waits_until_the_backlog_is_under_the_limit():
    workers = Workers(1, Budget(timeout=60), batch=1)

    async def crawl():
        pages = [asyncio.ensure_future(workers.examine(200, HEADERS, _page(k), "https://x.gov.cn/a.html"))
                 for k in range(4)]
        await asyncio.sleep(0)  # each page handed over
        full = workers.backlog
        await workers.room(2)
        return full, workers.backlog, sum(p.done() for p in pages), await asyncio.gather(*pages)

    try:
        full, after, done, answers = run(crawl())
    finally:
        workers.close()
    assert full == 4 and after < 2 and done >= 3
    assert [f"主动公开政府信息{k}条" in a.cleaned.text for k, a in enumerate(answers)] == [True] * 4
    assert workers.backlog == 0


def test_a_request_waits_while_the_cleaning_backlog_is_full():
    from types import SimpleNamespace

    from crawler.middlewares import CleaningBacklog
    from scrapy import Request
    from scrapy.settings import Settings
    from scrapy.statscollectors import MemoryStatsCollector

    workers = Workers(1, Budget(timeout=60), batch=1)
    crawler = SimpleNamespace(spider=SimpleNamespace(cleaner=workers), settings=Settings({"ARCHIVE_CLEAN_BACKLOG": 3}))
    crawler.stats = MemoryStatsCollector(crawler)
    middleware = CleaningBacklog(crawler)

    async def crawl():
        under = middleware.process_request(Request("https://x.gov.cn/a.html"))  # nothing waits yet
        pages = [asyncio.ensure_future(workers.examine(200, HEADERS, _page(k), "https://x.gov.cn/a.html"))
                 for k in range(3)]
        await asyncio.sleep(0)  # three pages handed over: the backlog is full
        held = middleware.process_request(Request("https://x.gov.cn/b.html"))
        await held
        return under, sum(p.done() for p in pages), workers.backlog, await asyncio.gather(*pages)

    try:
        under, done, backlog, answers = run(crawl())
    finally:
        workers.close()
    assert under is None
    assert done >= 1 and backlog < 3  # let go once a page was answered
    assert crawler.stats.get_value("archive/clean/backlog_waits") == 1
    assert all("主动公开政府信息" in a.cleaned.text for a in answers)
    crawler.spider.cleaner = None  # cleaning in the crawl's own process: nothing to wait for
    assert middleware.process_request(Request("https://x.gov.cn/c.html")) is None


def test_a_crawl_whose_downloads_wait_for_its_cleaning_stores_everything(db_path):
    from crawler.run import run_crawl
    from tests.crawl_kit import FAST, spider_for, value
    from tests.portal_server import Portal, PortalServer

    with PortalServer(Portal(60)) as server:
        stats = run_crawl(spider_for(server.url), {**FAST, "ARCHIVE_DB": db_path, "ARCHIVE_CLEAN_BACKLOG": 1})
    assert stats["finish_reason"] == "finished" and stats["archive/reports/new"] == 60
    assert stats["archive/clean/backlog_waits"] > 0
    assert value(db_path, "select count(*) from versions where text like '%一、总体情况%'") == 60


CRAWL = textwrap.dedent("""
    import logging, sys
    logging.basicConfig(level=logging.WARNING)  # as scrapy crawl logs
    from tests.crawl_kit import FAST, spider_for
    from crawler.run import run_crawl
    url, db, timeout = sys.argv[1], sys.argv[2], float(sys.argv[3])
    stats = run_crawl(spider_for(url), {**FAST, "ARCHIVE_DB": db, "ARCHIVE_CLEAN_TIMEOUT": timeout})
    print("RESULT", stats.get("finish_reason"), stats.get("archive/reports/new"), stats.get("archive/reports/incomplete"))
""")


@pytest.fixture
def heavy_portal():
    from tests.fault_server import FaultPortal, FaultServer
    from tests.portal_server import PER_PAGE

    portal = FaultPortal(2 * PER_PAGE)
    heavy = portal.listing()[3]
    portal.rule(f"/content/post_{heavy.id}.html", ("body", HEAVY.replace(
        "某局2023年政府信息公开工作年度报告".encode(), heavy.title.encode()), "text/html; charset=utf-8"))
    with FaultServer(portal) as server:
        yield portal, server, heavy


def test_a_crawl_stores_a_page_over_budget_flagged_and_everything_else(heavy_portal, db_path):
    portal, server, heavy = heavy_portal
    r = subprocess.run([sys.executable, "-c", CRAWL, server.url, db_path, "1.5"], cwd=ROOT,
                       capture_output=True, text=True, timeout=300)
    assert "RESULT finished 40 1" in r.stdout, r.stdout + r.stderr[-3000:]
    con = sqlite3.connect(db_path)
    text, incomplete, raw_size = con.execute(
        "select v.text, v.incomplete, v.raw_size from reports r join versions v on v.id = r.current_version "
        "where r.url like ?", [f"%post_{heavy.id}.html"]).fetchone()
    assert text == "" and incomplete == "cleaning took longer than its 1.5 s budget"
    assert raw_size == len(HEAVY.replace("某局2023年政府信息公开工作年度报告".encode(), heavy.title.encode()))
    assert con.execute("select count(*) from versions where incomplete is null and text like '%均按时答复%'"
                       ).fetchone()[0] == 39
    assert "Stored flagged incomplete" in r.stderr


def test_cleaning_workers_die_with_a_killed_crawl(heavy_portal, db_path):
    """SIGKILL of the crawl while a worker cleans leaves none of its helpers running: no worker,
    fork server, archive writer (archive.writer) or resource tracker."""
    portal, server, heavy = heavy_portal
    crawl = subprocess.Popen([sys.executable, "-c", CRAWL, server.url, db_path, "600"], cwd=ROOT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    family: set[int] = set()
    while time.time() < deadline and not any(p for p, _, _ in portal.requests if f"post_{heavy.id}" in p):
        time.sleep(0.1)
    time.sleep(1.0)  # the heavy page is in a worker now (it takes far longer than this to clean)
    family = descendants(crawl.pid)
    assert len(family) >= 2, "no fork server and worker found"
    os.kill(crawl.pid, signal.SIGKILL)
    crawl.wait(10)
    deadline = time.time() + 15
    while any(alive(p) for p in family) and time.time() < deadline:
        time.sleep(0.1)
    assert not any(alive(p) for p in family), "a helper process outlived the crawl: " + "; ".join(
        open(f"/proc/{p}/cmdline").read().replace("\0", " ")[:200] for p in family if alive(p))


def test_a_worker_holds_none_of_the_crawls_open_files():
    """A worker forked from the crawl would keep its connections and pipes open behind its back
    (a connection the crawl closed stays open; the end of a child's pipe is never seen to close)."""
    read_end, write_end = os.pipe()
    mine = os.readlink(f"/proc/self/fd/{write_end}")  # pipe:[inode]
    workers = Workers(1, Budget(timeout=60))
    try:
        assert run(workers.examine(200, HEADERS, NORMAL, "https://x.gov.cn/a.html", ["#zoomcon"])).kind == "page"
        held = set()
        for pid in descendants(os.getpid()):
            try:
                held |= {os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")}
            except OSError:
                continue
        assert descendants(os.getpid()), "no worker process found"
        assert mine not in held
    finally:
        workers.close()
        os.close(read_end)
        os.close(write_end)
