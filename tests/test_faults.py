"""The crawl under faults, against a hostile portal on 127.0.0.1 (tests/fault_server.py):
nothing lost, nothing reported as success that was not."""

from __future__ import annotations

import io
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest

from crawler.run import run_crawl
from tests.crawl_kit import FAST, spider_for, value
from tests.fault_server import FaultPortal, FaultServer
from tests.paths import ROOT
from tests.portal_server import PER_PAGE


def crawl(spider, db_path, portal, **settings):
    portal.requests.clear()
    stats = run_crawl(spider, {**FAST, "ARCHIVE_DB": db_path, **settings})
    return stats, list(portal.requests)


def docx_bytes(text: str) -> bytes:
    import docx

    d = docx.Document()
    d.add_paragraph(text)
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


@pytest.fixture
def hostile():
    portal = FaultPortal(3 * PER_PAGE)
    with FaultServer(portal) as server:
        yield portal, server, spider_for(server.url)


def test_what_failed_is_fetched_again_by_the_next_plain_run(hostile, db_path):
    portal, _, spider = hostile
    ids = [r.id for r in portal.listing()][5:60:12]  # five reports, on every list page
    portal.fail(ids)
    stats, first = crawl(spider, db_path, portal)
    assert stats["archive/reports/new"] == 3 * PER_PAGE - len(ids)
    portal.recover()
    stats, again = crawl(spider, db_path, portal)
    assert stats["archive/owed_reports"] == len(ids) and stats["archive/reports/new"] == len(ids)
    assert value(db_path, "select count(*) from reports where current_version is not null") == 3 * PER_PAGE
    # the lists are not walked for it: the root, page 1 (304), and the owed reports
    assert len(again) <= len(ids) + 3, again
    stats, third = crawl(spider, db_path, portal)
    assert stats.get("archive/owed_reports", 0) == 0 and len(third) <= 3


def test_attachments_a_killed_crawl_never_fetched_are_fetched_next_time(hostile, db_path):
    portal, _, spider = hostile
    some = [r.id for r in portal.listing()][:10]
    for i in some:
        portal.attach([i], f"附件{i}.docx", docx_bytes(f"附件 {i} 的正文：本年度收到申请{i}件。"))
    portal.attach(some[:3], "共同附件.docx", docx_bytes("三个报告共同链接的附件。"))
    # the first crawl loses every attachment download (the server answers 500 for files)
    portal.rule("/files/", ("status", 500, {}, None))
    crawl(spider, db_path, portal)
    assert value(db_path, "select count(*) from attachments") == 0
    portal.recover()
    stats, again = crawl(spider, db_path, portal)
    assert stats["archive/owed_attachments"] == len(some) + 3
    assert value(db_path, "select count(*) from attachments") == len(some) + 3
    # the shared file: stored once, linked from each of its three reports
    assert value(db_path, "select count(distinct sha256) from files") == len(some) + 1
    assert value(db_path, "select count(*) from attachments a join files f on f.sha256 = a.sha256 "
                      "where f.text like '%共同链接%'") == 3


KILLED = textwrap.dedent("""
    import sys
    from tests.crawl_kit import FAST, spider_for, value
    from crawler.run import run_crawl
    url, db, jobdir = sys.argv[1], sys.argv[2], sys.argv[3]
    settings = {**FAST, "ARCHIVE_DB": db, "DOWNLOAD_DELAY": 0.03, "CONCURRENT_REQUESTS_PER_DOMAIN": 1}
    if jobdir != "-":
        settings["JOBDIR"] = jobdir
    stats = run_crawl(spider_for(url), settings)
    print("REQUESTS", stats.get("downloader/request_count", 0), stats.get("finish_reason"))
""")


def _kill_after(server, db_path, jobdir, versions):
    proc = subprocess.Popen([sys.executable, "-c", KILLED, server.url, db_path, jobdir], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    try:
        while time.time() < deadline:
            time.sleep(0.05)
            try:
                if value(db_path, "select count(*) from versions") >= versions:
                    break
            except sqlite3.OperationalError:
                continue
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=10)


def test_a_jobdir_resume_after_sigkill_stores_everything(hostile, db_path, tmp_path):
    portal, server, spider = hostile
    jobdir = str(tmp_path / "job")
    _kill_after(server, db_path, jobdir, 12)
    stored = value(db_path, "select count(*) from versions")
    assert stored < 3 * PER_PAGE, "the crawl should have been killed mid-way"
    portal.requests.clear()
    r = subprocess.run([sys.executable, "-c", KILLED, server.url, db_path, jobdir], cwd=ROOT,
                       capture_output=True, text=True, timeout=120)
    assert "REQUESTS" in r.stdout and "finished" in r.stdout, r.stderr[-2000:]
    assert value(db_path, "select count(*) from reports where current_version is not null") == 3 * PER_PAGE
    assert "No report found" not in r.stderr
    con = sqlite3.connect(db_path)
    assert con.execute("pragma integrity_check").fetchone()[0] == "ok"
    assert con.execute("select count(*) from (select report_url from versions group by report_url "
                       "having count(*) > 1)").fetchone()[0] == 0


def test_a_file_shared_by_many_reports_belongs_to_each_downloaded_once(hostile, db_path):
    portal, _, spider = hostile
    eight = [r.id for r in portal.listing()][:8]
    path = portal.attach(eight, "统计表.docx", docx_bytes("八个报告共同链接的统计表。"))
    stats, requests = crawl(spider, db_path, portal)
    assert [p for p, _, _ in requests if "/files/" in p and p.endswith(".docx")].__len__() == 1
    assert value(db_path, "select count(*) from attachments") == 8
    assert value(db_path, "select count(distinct report_url) from attachments") == 8
    # the next crawl: the same eight links, whatever the server answers (304), nothing owed
    stats, again = crawl(spider, db_path, portal, ARCHIVE_REVALIDATE_DAYS=0)
    assert stats.get("archive/owed_attachments", 0) == 0 and value(db_path, "select count(*) from attachments") == 8
    assert path


FULL_DISK = textwrap.dedent("""
    import logging, resource, sys
    logging.basicConfig(level=logging.WARNING)  # as scrapy crawl logs
    from tests.crawl_kit import FAST, spider_for, value
    from crawler.run import run_crawl
    url, db, limit = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if limit:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))  # the disk is full past this size
    # writes are committed in groups (ARCHIVE_COMMIT_ITEMS); small groups, so that some fit in the
    # little room left on the "disk" and the crawl stores part of its work before it fills
    stats = run_crawl(spider_for(url), {**FAST, "ARCHIVE_DB": db, "ARCHIVE_COMMIT_ITEMS": 10})
    print("RESULT", stats.get("finish_reason"), "|", stats.get("archive/failed"), "|",
          stats.get("archive/reports/new", 0))
""")


def test_a_full_disk_stops_the_crawl_as_failed_and_the_next_run_stores_the_rest(db_path):
    from archive.store import Archive

    Archive(db_path).close()
    limit = os.path.getsize(db_path) + 150_000  # room for a few dozen reports
    portal = FaultPortal(6 * PER_PAGE)
    with FaultServer(portal) as server:
        r = subprocess.run([sys.executable, "-c", FULL_DISK, server.url, db_path, str(limit)], cwd=ROOT,
                           capture_output=True, text=True, timeout=300)
        out = r.stdout + r.stderr
        result = next(line for line in r.stdout.splitlines() if line.startswith("RESULT"))
        assert "storage-failed" in result and "storage failed" in result, result
        stored = value(db_path, "select count(*) from versions")
        assert 0 < stored < 6 * PER_PAGE
        assert "Cannot store into" in r.stderr and max(len(line) for line in out.splitlines()) < 2000
        assert out.count("Cannot store into") == 1  # said once, not per item
        assert value(db_path, "select count(*) from crawls where finish_reason = 'finished'") == 0
        r = subprocess.run([sys.executable, "-c", FULL_DISK, server.url, db_path, "0"], cwd=ROOT,
                           capture_output=True, text=True, timeout=300)
        assert "RESULT finished | None" in r.stdout, r.stdout + r.stderr[-3000:]
    assert value(db_path, "select count(*) from reports where current_version is not null") == 6 * PER_PAGE
    assert value(db_path, "pragma integrity_check") == "ok"


def test_two_crawls_on_one_new_archive_both_finish_and_store_each_report_once(hostile, db_path):
    portal, server, _ = hostile
    procs = [subprocess.Popen([sys.executable, "-c", FULL_DISK, server.url, db_path, "0"], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    for out, err in outs:
        assert "RESULT finished | None" in out, err[-3000:]
        # "database is locked", not "locked": a warning about a blocked page is no lock-up
        assert "Traceback" not in err and "database is locked" not in err, err[-3000:]
    assert value(db_path, "select count(*) from reports") == 3 * PER_PAGE
    assert value(db_path, "select count(*) from versions") == 3 * PER_PAGE  # never twice
    assert value(db_path, "select count(*) from crawls where finish_reason = 'finished'") == 2


def test_every_listed_report_leaves_a_record_and_redirects_off_the_portal_are_refused(hostile, db_path):
    portal, server, spider = hostile
    ids = [r.id for r in portal.listing()][:6]
    here = f"http://{server.host}:{server.port}"
    targets = {
        ids[0]: f"http://127.0.0.2:{server.port}/elsewhere.html",  # another host (loopback alias)
        ids[1]: "http://169.254.169.254/latest/meta-data/",  # a cloud metadata address
        ids[2]: f"{here}{portal.column}bm/content/post_{ids[2]}.html",  # itself: a loop
        ids[3]: f"http://{server.host}:{server.port + 1}/x.html",  # another port of the same host
        ids[4]: f"ftp://{server.host}/report.pdf",  # not http(s)
        ids[5]: f"{here}{portal.column}bm/content/post_{ids[5]}.html?moved=1",  # on the portal: followed
    }
    for report_id, location in targets.items():
        portal.rule(f"/content/post_{report_id}.html", ("redirect", location), times=1)
    stats, requests = crawl(spider, db_path, portal)
    assert stats["archive/redirects_refused"] == 5
    con = sqlite3.connect(db_path)
    rows = {url.rsplit("_", 1)[1]: (outcome, status, reason, headers) for url, outcome, status, reason, headers in
            con.execute("select url, outcome, status, reason, response_headers from fetches where url like '%post_%'")}
    for report_id in ids[:5]:
        outcome, status, reason, headers = rows[f"{report_id}.html"]
        assert outcome == "report-redirect-refused" and status == 302, (report_id, outcome)
        assert "not followed" in reason and "Location" in headers, reason
    assert "another host: 127.0.0.2" in rows[f"{ids[0]}.html"][2] and "a redirect loop" in rows[f"{ids[2]}.html"][2]
    assert f"another host: {server.host}:{server.port + 1}" in rows[f"{ids[3]}.html"][2]
    assert "not http(s): ftp" in rows[f"{ids[4]}.html"][2]
    assert rows[f"{ids[5]}.html"][0] == "report-new"
    # nothing that failed is forgotten: the next plain run asks for the five again
    portal.recover()
    stats, _ = crawl(spider, db_path, portal)
    assert stats["archive/owed_reports"] == 5 and stats["archive/reports/new"] == 5


def _page(title: str, inner: str) -> str:
    return (f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>"
            f"<div class='content_article' id='zoomcon'><h1>{title}</h1>{inner}</div></body></html>")


def test_hostile_bodies_are_stored_right_or_flagged_never_silently_wrong(hostile, db_path):
    portal, server, spider = hostile
    ids = [r.id for r in portal.listing()][:5]
    titles = {i: portal.by_id(i).title for i in ids}
    para = "本机关主动公开政府信息一百二十条，收到政府信息公开申请十件，均按时答复。" * 10
    tail = "<p>结尾一段：以上为本年度报告的全部内容，特此公告。" + "附记" * 60 + "</p>"
    bodies = {
        # declared utf-8 with one stray byte: decoded as utf-8, one U+FFFD, findable
        ids[0]: _page(titles[ids[0]], f"<p>{para}</p>").encode().replace("答复。".encode(), "答复。".encode() + b"\xff", 1),
        # an XML declaration before XHTML
        ids[1]: b'<?xml version="1.0" encoding="UTF-8"?>\n' + _page(titles[ids[1]], f"<p>{para}</p>").encode(),
        # 100,000-deep nesting before the last paragraph: stored, flagged incomplete
        ids[2]: _page(titles[ids[2]], f"<p>{para}</p>" + "<div>" * 100_000 + tail).encode(),
    }
    for i, body in bodies.items():
        portal.rule(f"/content/post_{i}.html", ("body", body, "text/html; charset=utf-8"))
    portal.rule(f"/content/post_{ids[3]}.html", ("stream", 60 * 1024 * 1024))  # an endless page
    portal.rule(f"/content/post_{ids[4]}.html", ("reset",))
    stats, _ = crawl(spider, db_path, portal)
    con = sqlite3.connect(db_path)

    def version(i):
        return con.execute("select v.text, v.encoding, v.encoding_errors, v.incomplete from reports r join versions v "
                           "on v.id = r.current_version where r.url like ?", [f"%post_{i}.html"]).fetchone()

    text, encoding, errors, incomplete = version(ids[0])
    assert encoding == "utf-8" and errors == 1 and text.count("\ufffd") == 1 and "均按时答复" in text
    text, _, _, incomplete = version(ids[1])
    assert "均按时答复" in text and incomplete is None
    text, _, _, incomplete = version(ids[2])
    assert "均按时答复" in text and "结尾一段" not in text and "parser gave up" in incomplete
    assert stats["archive/reports/incomplete"] == 1
    for i in ids[3:]:  # no version; a fetch row that says why, never an empty reason
        assert version(i) is None
        reason = con.execute("select reason from fetches where url like ? order by id desc", [f"%post_{i}.html"]
                             ).fetchone()[0]
        assert reason and not reason.endswith(": ") and "no message" not in reason, reason
        if i == ids[3]:
            assert "larger than the 8388608 bytes allowed" in reason
    assert stats["memusage/max"] < 500 * 1024 * 1024


def test_retry_after_is_honoured_and_a_challenged_column_says_so(hostile, db_path):
    portal, server, spider = hostile
    first = portal.listing()[0].id
    portal.rule(f"/content/post_{first}.html", ("status", 503, {"Retry-After": "2"}, None), times=1)
    stats, _ = crawl(spider, db_path, portal, RETRY_ENABLED=True, RETRY_TIMES=2)
    times = [t for p, t in portal.stamps if p.endswith(f"post_{first}.html")]
    assert len(times) == 2 and times[1] - times[0] >= 1.9, times  # waited, then stored
    assert stats["archive/retry_after_waits"] == 1
    assert value(db_path, "select count(*) from reports where url like ?", f"%post_{first}.html") == 1
    # a column whose list page is a challenge: blocked, not "moved"
    from tests.cassette_kit import CHALLENGE_200

    blocked = FaultPortal(PER_PAGE, column="/other/")
    with FaultServer(blocked) as other:
        blocked.rule("/other/", ("body", CHALLENGE_200.encode() if isinstance(CHALLENGE_200, str) else CHALLENGE_200,
                                 "text/html; charset=utf-8"))
        stats = run_crawl(spider_for(other.url), {**FAST, "ARCHIVE_DB": db_path})
    assert stats["archive/failed"] == "blocked by an anti-bot challenge"


def test_a_column_url_with_credentials_keeps_its_host():
    from crawler.spiders.column import ColumnSpider

    spider = ColumnSpider(url="http://user:secret@127.0.0.1:8123/zfxxgknb/")
    assert spider.portal.hosts == ("127.0.0.1:8123",)
    assert spider.portal.answers("http://127.0.0.1:8123/zfxxgknb/bm/index.html") is None
    assert spider.portal.answers("http://127.0.0.1:8124/x.html") == "another host: 127.0.0.1:8124"
    assert spider.portal.serves("http://user:secret@127.0.0.1:8123/zfxxgknb/")
