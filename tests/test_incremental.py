"""Incremental re-crawls against a live test portal on 127.0.0.1 (tests/portal_server.py)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from urllib.parse import urlsplit

import pytest

from crawler.run import run_crawl
from tests.paths import ROOT
from tests.crawl_kit import FAST, spider_for
from tests.portal_server import PER_PAGE, Portal, PortalServer


@pytest.fixture
def site():
    portal = Portal(3 * PER_PAGE)
    with PortalServer(portal) as server:
        yield portal, server, spider_for(server.url)


def crawl(spidercls, db_path, portal, **args):
    portal.requests.clear()
    stats = run_crawl(spidercls, {**FAST, "ARCHIVE_DB": db_path}, **args)
    assert stats["finish_reason"] == "finished"
    return stats, list(portal.requests)


def count(db_path, sql, *params):
    return sqlite3.connect(db_path).execute(sql, params).fetchone()[0]


def report_bodies(requests):
    return [p for p, status, _ in requests if "/content/post_" in p and status == 200]


def test_first_then_unchanged_recrawl(site, db_path):
    portal, _, spider = site
    stats1, req1 = crawl(spider, db_path, portal)
    assert stats1["archive/reports/new"] == 3 * PER_PAGE
    assert len(report_bodies(req1)) == 3 * PER_PAGE

    stats2, req2 = crawl(spider, db_path, portal)
    assert report_bodies(req2) == []  # no report body downloaded
    assert len(req2) <= 0.05 * len(req1)
    assert stats2.get("archive/list_not_modified", 0) >= 1
    assert count(db_path, "select count(*) from versions") == 3 * PER_PAGE
    assert count(db_path, "select count(*) from crawls where finish_reason = 'finished'") == 2


def test_new_reports_on_page_one(site, db_path):
    portal, _, spider = site
    crawl(spider, db_path, portal)
    added = portal.add(3)
    stats, req = crawl(spider, db_path, portal)
    assert stats["archive/reports/new"] == 3 and not stats.get("archive/reports/changed")
    assert sorted(report_bodies(req)) == sorted(f"{portal.column}bm/content/post_{r.id}.html" for r in added)
    lists = [p for p, _, _ in req if "/content/" not in p and p != "/robots.txt"]
    # page 1 had new entries, page 2 held only known ones: the walk stops there
    assert f"{portal.column}bm/index_2.html" in lists and f"{portal.column}bm/index_3.html" not in lists


def test_republished_correction_is_found(site, db_path):
    portal, _, spider = site
    crawl(spider, db_path, portal)
    old = portal.listing()[-1]
    portal.correct(old.id, republish=True)
    stats, req = crawl(spider, db_path, portal)
    assert stats["archive/reports/changed"] == 1 and not stats.get("archive/reports/new")
    url = f"http://{urlsplit(spider.portal.column).netloc}{portal.column}bm/content/post_{old.id}.html"
    assert count(db_path, "select count(*) from versions where report_url = ?", url) == 2


def test_silent_correction_found_by_revalidation(site, db_path):
    portal, _, spider = site
    crawl(spider, db_path, portal)
    old = portal.listing()[-1]
    portal.correct(old.id)  # body changes; list entry does not
    stats, _ = crawl(spider, db_path, portal)
    assert not stats.get("archive/reports/changed")  # a normal re-crawl cannot see it
    stats, req = crawl(spider, db_path, portal, revalidate="1")
    assert stats["archive/reports/changed"] == 1
    assert stats["archive/reports/not_modified"] == 3 * PER_PAGE - 1  # conditional GETs answered 304
    assert len(report_bodies(req)) == 1
    assert count(db_path, "select count(*) from versions") == 3 * PER_PAGE + 1


def test_removed_report_is_marked_gone_not_deleted(site, db_path):
    portal, _, spider = site
    crawl(spider, db_path, portal)
    victim = portal.listing()[5]
    portal.remove(victim.id)
    stats, _ = crawl(spider, db_path, portal, full="1")
    assert stats["archive/reports/gone"] == 1
    db = sqlite3.connect(db_path)
    rows = db.execute("select url, gone_since from reports where gone_since is not null").fetchall()
    assert len(rows) == 1 and rows[0][0].endswith(f"post_{victim.id}.html")
    assert db.execute("select count(*) from versions where report_url = ?", (rows[0][0],)).fetchone()[0] == 1
    assert db.execute("select count(*) from reports").fetchone()[0] == 3 * PER_PAGE


KILLED_CRAWL = textwrap.dedent("""
    import sys
    from tests.crawl_kit import FAST, spider_for
    from crawler.run import run_crawl
    url, db = sys.argv[1], sys.argv[2]
    run_crawl(spider_for(url), {**FAST, "ARCHIVE_DB": db, "DOWNLOAD_DELAY": 0.05,
                                 "CONCURRENT_REQUESTS_PER_DOMAIN": 1})
""")


def test_sigkill_then_resume(site, db_path):
    portal, server, spider = site
    proc = subprocess.Popen([sys.executable, "-c", KILLED_CRAWL, server.url, db_path], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    try:
        while time.time() < deadline:
            time.sleep(0.1)
            try:
                n = count(db_path, "select count(*) from versions")
            except sqlite3.OperationalError:
                continue
            if n >= 10:
                break
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=10)
    stored = count(db_path, "select count(*) from versions")
    assert 10 <= stored < 3 * PER_PAGE, "the crawl should have been killed mid-way"
    assert count(db_path, "select count(*) from crawls where finished_at is null") == 1

    stats, _ = crawl(spider, db_path, portal)
    assert stats["archive/reports/new"] == 3 * PER_PAGE - stored
    db = sqlite3.connect(db_path)
    assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
    assert db.execute("select count(*) from versions").fetchone()[0] == 3 * PER_PAGE
    assert db.execute("select count(*) from (select report_url from versions group by report_url having count(*) > 1)").fetchone()[0] == 0


def test_history_lists_versions_and_diffs(site, db_path, capsys):
    from archive.cli import main

    portal, _, spider = site
    crawl(spider, db_path, portal)
    old = portal.listing()[-1]
    portal.correct(old.id, republish=True)
    crawl(spider, db_path, portal)
    url = f"http://{urlsplit(spider.portal.column).netloc}{portal.column}bm/content/post_{old.id}.html"
    capsys.readouterr()
    assert main(["history", url, "--db", db_path]) == 0
    out = capsys.readouterr().out
    assert out.count("HTTP 200") == 2
    assert "+（本报告于第1次更正后重新发布。）" in out
    assert main(["history", url, "--db", db_path, "--diff", "1", "99999"]) == 2
    assert main(["history", "http://nowhere/x.html", "--db", db_path]) == 1


def test_record_then_replay_offline(tmp_path):
    """Record a crawl of the live test portal into a cassette, stop the portal, replay offline."""
    import yaml

    cassette = tmp_path / "rec.yaml"
    portal = Portal(PER_PAGE + 5)
    with PortalServer(portal) as server:
        spider = spider_for(server.url)
        live = run_crawl(spider, {**FAST, "ARCHIVE_DB": str(tmp_path / "live.db"), "CASSETTE": str(cassette),
                                  "CASSETTE_RECORD_MODE": "new_episodes"})
    assert live["finish_reason"] == "finished" and live["cassette/recorded"] == live["downloader/request_count"]
    data = yaml.safe_load(cassette.read_bytes().decode("utf-8"))
    assert data["version"] == 1
    bodies = [i["response"]["body"]["string"] for i in data["interactions"]]
    assert any(isinstance(b, str) and "政府信息公开工作年度报告" in b for b in bodies)  # readable Chinese
    # the portal is gone: replay only
    replayed = run_crawl(spider, {**FAST, "ARCHIVE_DB": str(tmp_path / "replay.db"), "CASSETTE": str(cassette),
                                  "CASSETTE_RECORD_MODE": "none"})
    assert replayed["finish_reason"] == "finished" and not replayed.get("cassette/miss")
    assert replayed["archive/reports/new"] == live["archive/reports/new"] == PER_PAGE + 5
    a = sqlite3.connect(tmp_path / "live.db").execute("select clean_sha256 from versions order by report_url").fetchall()
    b = sqlite3.connect(tmp_path / "replay.db").execute("select clean_sha256 from versions order by report_url").fetchall()
    assert a == b


# --- a column root that shows each sub-column's newest entries (Hunan platform) -----------------

HY = "https://www.hengyang.gov.cn/xxgk/szfxxgkml/zfxxgkndbg/"
HY_DEPT = HY + "szfgzbmndbg/"


def _hy_report(k: int) -> tuple[str, str]:
    return f"{HY_DEPT}hysrsj/20200118/i{418000 + k}.html", f"衡阳市第{k}局2019年政府信息公开工作年度报告"


def _hy_li(k: int, base: str) -> str:
    url, title = _hy_report(k)
    return f'<li><a href="{url[len(base):]}" title="{title}">{title}</a><span>2020-01-{10 + k:02d}</span></li>'


def _hy_cassette(path, newest_first: list[int], per_page: int, pages_in_cassette: int) -> str:
    """The root lists the department list's two newest entries; the list is paged by
    ``index_N.html``; only the first ``pages_in_cassette`` pages can be fetched."""
    from tests import cassette_kit as kit

    root = ('<html><body><h3><a href="szfgzbmndbg/">市政府工作部门</a></h3><ul>'
            + "".join(_hy_li(k, HY) for k in newest_first[:2]) + "</ul></body></html>")
    pages = [newest_first[i:i + per_page] for i in range(0, len(newest_first), per_page)]
    exchanges = {"https://www.hengyang.gov.cn/robots.txt": kit.ROBOTS_OK, HY: kit.response(200, root)}
    for n, items in enumerate(pages[:pages_in_cassette], start=1):
        nxt = f'<a href="index_{n + 1}.html">下一页</a>' if n < len(pages) else ""
        url = HY_DEPT if n == 1 else f"{HY_DEPT}index_{n}.html"
        exchanges[url] = kit.response(200, "<html><body><ul>" + "".join(_hy_li(k, HY_DEPT) for k in items)
                                      + f"</ul><div>{nxt}</div></body></html>")
    for k in newest_first:
        url, title = _hy_report(k)
        body = "".join(f"<p>{title}第{i}段：本年度共主动公开政府信息{k * 10 + i}条，依申请公开{i}件，均按时办结。</p>"
                       for i in range(8))
        exchanges[url] = kit.response(200, f"<html><body><div id='zoom'><h1>{title}</h1>{body}</div></body></html>")
    return kit.write(path, exchanges)


def test_entries_first_seen_on_the_column_root_do_not_stop_the_walk(tmp_path, db_path):
    """Four new reports: the root shows the two newest, page 1 of the list the same two.
    They are new on page 1 too, so page 2 (two more new ones) is fetched; page 3 (known
    reports only) ends the walk and page 4 is never asked for (it is not in the cassette)."""
    settings = {**FAST, "ARCHIVE_DB": db_path}
    first = _hy_cassette(tmp_path / "1.yaml", [4, 3, 2, 1], per_page=2, pages_in_cassette=2)
    stats = run_crawl("hengyang", {**settings, "CASSETTE": first})
    assert stats["archive/reports/new"] == 4 and not stats.get("cassette/miss")

    second = _hy_cassette(tmp_path / "2.yaml", [8, 7, 6, 5, 4, 3, 2, 1], per_page=2, pages_in_cassette=3)
    stats = run_crawl("hengyang", {**settings, "CASSETTE": second})
    assert not stats.get("cassette/miss"), "walked past the first page of known reports"
    assert stats["archive/reports/new"] == 4  # 8, 7 (root and page 1), 6, 5 (page 2)
    assert stats["archive/pagination_stopped"] == 1
    assert count(db_path, "select count(*) from reports") == 8
