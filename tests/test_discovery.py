"""``scrapy crawl discover`` on constructed sites built from real page templates (``tests/discovery_sites.py``,
served on 127.0.0.1): the column found where a person would find it, never a decoy, within the budget,
robots obeyed; what it found listed and promoted into a registry, and that registry's new row crawled.
Also the rules on the real pages of ``../shared/corpus/raw``."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys

import pytest

from archive import registry as reg
from archive.cli import main
from crawler.run import run_crawl
from tests.crawl_kit import FAST
from tests.paths import CORPUS, ROOT

pytestmark = pytest.mark.skipif(not (CORPUS / "MANIFEST.tsv").is_file(), reason="shared corpus not available")


@pytest.fixture(scope="module")
def discovered(tmp_path_factory):
    """Every test site searched by one discovery crawl (``-a file=LIST``)."""
    from tests.discovery_server import Sites
    from tests.discovery_sites import build_sites

    tmp = tmp_path_factory.mktemp("discover")
    with Sites(build_sites(CORPUS)) as served:
        listing = tmp / "homepages.txt"
        listing.write_text("# the constructed test sites\n" + "\n".join(s.url for s in served.servers.values()) + "\n",
                           encoding="utf-8")
        stats = run_crawl("discover", {**FAST, "ARCHIVE_DB": str(tmp / "d.db")}, file=str(listing))
        yield served, str(tmp / "d.db"), stats


def _rows(db_path: str, homepage: str) -> list[sqlite3.Row]:
    db = sqlite3.connect(db_path)
    db.row_factory = sqlite3.Row
    return db.execute("select * from discoveries where homepage = ?", (homepage,)).fetchall()


def test_every_site_gives_its_column_and_no_decoy(discovered):
    served, db_path, stats = discovered
    assert stats["finish_reason"] == "finished" and not stats.get("archive/failed")
    tally = {"sites": 0, "found": 0, "wrong": 0, "missed": 0}
    for name, server in served.servers.items():
        site = server.site
        rows = _rows(db_path, server.url)
        confirmed = {r["column_url"] for r in rows if r["confirmed"]}
        expected = {server.real(u) for u in site.expected}
        tally["sites"] += 1
        tally["found"] += len(confirmed & expected)
        tally["wrong"] += len(confirmed - expected)
        tally["missed"] += len(expected - confirmed)
        assert confirmed == expected, (name, confirmed, expected, [dict(r) for r in rows])
        if not expected:  # the site ends with "not found" and says what was tried
            nothing = [r for r in rows if r["column_url"] is None]
            assert len(nothing) == 1 and nothing[0]["note"].startswith("No annual-report column found"), name
            assert json.loads(nothing[0]["evidence"])["tried"], name
    assert tally == {"sites": 17, "found": 13, "wrong": 0, "missed": 0}
    assert stats["discover/found"] == 13 and stats["discover/not_found"] == 4


def test_evidence_says_how_the_column_was_reached(discovered):
    served, db_path, _ = discovered
    by_site = {name: [r for r in _rows(db_path, s.url) if r["confirmed"]] for name, s in served.servers.items()}
    hub = json.loads(by_site["nfcms-hub"][0]["evidence"])
    assert [step["text"] for step in hub["path"]] == ["首页", "政务公开", "政府信息公开", "政府信息公开年报"]
    assert len(hub["entries"]) == 10 and all("政府信息公开工作年度报告" in e["title"] for e in hub["entries"])
    redirect = json.loads(by_site["trs-redirect"][0]["evidence"])
    assert [s["via"] for s in redirect["path"]][-2:] == ["link", "HTTP 302"]
    assert by_site["trs-redirect"][0]["platform"] == "trs"
    topnav = by_site["nfcms-topnav"][0]
    assert topnav["platform"] == "nfcms" and len(json.loads(topnav["evidence"])["sub_columns"]) == 3
    gk = by_site["gkmlpt-catalogue"][0]
    assert gk["platform"] == "gkmlpt" and gk["name"] == "政府信息公开年报" and gk["years"] == "2019–2024"
    assert [r["platform"] for r in by_site["hanweb-hub"]] == ["hanweb"]
    assert [r["platform"] for r in by_site["hunan-zwgknb"]] == ["hunan"]
    assert by_site["trs-real-pingtan"][0]["reports"] == 10  # the real list page's ten static entries


def test_bounded_polite_and_robots_obeyed(discovered):
    served, db_path, _ = discovered
    for name, server in served.servers.items():
        asked = [path for path, _ in server.requests]
        assert len(asked) <= 50, name  # the budget counts robots.txt too
        assert asked[0] == "/robots.txt", name
        for path in server.site.disallowed:
            assert not any(a.startswith(path) for a in asked), (name, path)
        stored = sum(r["requests"] for r in _rows(db_path, server.url)[:1])
        assert stored == len(asked), (name, stored, len(asked))
    assert len(served.servers["none-qingdao"].requests) == 50  # sixty department pages: the budget stops it
    db = sqlite3.connect(db_path)
    sent = db.execute("select count(*) from fetches where spider = 'discover' and coalesce(reason, '') != "
                      "'disallowed by robots.txt'").fetchone()[0]
    assert sent == sum(len(s.requests) for s in served.servers.values())  # every exchange is a fetch row
    refused = db.execute("select url from fetches where reason = 'disallowed by robots.txt'").fetchall()
    assert [u for (u,) in refused] == [served.servers["nfcms-robots"].url + "zwgk/bmnb/"]  # … and every refusal


def test_decoys_are_seen_and_refused(discovered):
    served, db_path, _ = discovered
    wuhan = {r["column_url"]: r for r in _rows(db_path, served.servers["generic-wuhan-decoys"].url) if r["column_url"]}
    work_reports = served.servers["generic-wuhan-decoys"].real(f"{served.servers['generic-wuhan-decoys'].url}zfxxgk/gzbg/")
    assert work_reports in wuhan and not wuhan[work_reports]["confirmed"]  # named 年度报告, lists 年度工作报告
    qingdao = _rows(db_path, served.servers["none-qingdao"].url)
    article = [r for r in qingdao if r["column_url"] and "t20250305_1" in r["column_url"]]
    assert article and not article[0]["confirmed"] and "an article" in article[0]["note"]
    script = [r for r in _rows(db_path, served.servers["trs-script-list"].url) if r["column_url"]]
    assert script and not script[0]["confirmed"] and "loaded by script" in script[0]["note"]


def test_discovered_lists_them_as_text_and_json(discovered, capsys):
    served, db_path, _ = discovered
    assert main(["registry", "discovered", "--db", db_path, "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {"homepage", "column_url", "platform", "confirmed", "score", "evidence"} <= set(rows[0])
    assert sum(r["confirmed"] is True for r in rows) == 13
    assert {r["homepage"] for r in rows if r["column_url"] is None} == {
        served.servers[n].url for n in ("nfcms-robots", "trs-script-list", "none-qingdao", "none-bjft-decoys")}
    assert main(["registry", "discovered", "--db", db_path]) == 0
    text = capsys.readouterr().out
    assert "NOT FOUND" in text and "via 首页 → 政务公开 → 政府信息公开 → 政府信息公开年报" in text


def test_add_promotes_confirmed_columns_once(discovered, tmp_path, capsys):
    served, db_path, _ = discovered
    mine = tmp_path / "registry.csv"
    original = reg.shipped_bytes()
    mine.write_bytes(original)
    assert main(["registry", "add", "--from-discoveries", "--db", db_path, "--registry", str(mine)]) == 0
    out = capsys.readouterr().out
    added = reg.read(str(mine))
    assert reg.check(added) == []
    assert mine.read_bytes().startswith(original)  # the rows there stay as they were written
    new = {r.column: r for r in added.rows if r.status == "candidate"}
    # the Zhejiang template has an empty SiteIDCode: its two columns need a person for the region code
    assert len(new) == 11 and out.count("not added:") == 2
    hub = new[served.servers["nfcms-hub"].url + "zwgk/zfxxgk/zfxxgknb/"]
    assert (hub.agency, hub.region_code, hub.level, hub.platform) == ("广州市人民政府", "440100", "city", "nfcms")
    gk = new[served.servers["gkmlpt-catalogue"].url + "gkmlpt/index#2801"]
    assert (gk.agency, gk.region_code, gk.level, gk.platform) == ("广州市黄埔区人民政府", "440112", "county", "gkmlpt")
    wuhan = new[served.servers["generic-wuhan-decoys"].url + "zfxxgk/zfxxgknb/"]
    assert (wuhan.agency, wuhan.level) == ("武汉市商务局", "department")
    before = mine.read_bytes()
    assert main(["registry", "add", "--from-discoveries", "--db", db_path, "--registry", str(mine)]) == 0
    assert mine.read_bytes() == before and capsys.readouterr().out.count("already registered") == 11


def test_a_promoted_column_is_crawled_by_its_new_row(discovered, tmp_path):
    served, db_path, _ = discovered
    mine = tmp_path / "registry.csv"
    assert main(["registry", "add", "--from-discoveries", "--db", db_path, "--registry", str(mine)]) == 0
    column = served.servers["nfcms-hub"].url + "zwgk/zfxxgk/zfxxgknb/"
    row = next(r for r in reg.read(str(mine)).rows if r.column == column)
    try:
        stats = run_crawl(row.id, {**FAST, "ARCHIVE_DB": str(tmp_path / "a.db"), "ARCHIVE_REGISTRY": str(mine)})
    finally:
        from crawler.portals import use_registry

        use_registry()
    assert stats["finish_reason"] == "finished" and not stats.get("archive/failed")
    db = sqlite3.connect(tmp_path / "a.db")
    titles = [t for (t,) in db.execute("select title from reports where portal = ?", (row.id,))]
    assert len(titles) == 18 and all(t.endswith("政府信息公开工作年度报告") for t in titles)


def test_add_without_confirmed_discoveries_and_bad_registries(tmp_path, capsys):
    from archive.store import Archive

    empty = str(tmp_path / "empty.db")
    Archive(empty).close()
    assert main(["registry", "add", "--from-discoveries", "--db", empty, "--registry", str(tmp_path / "r.csv")]) == 1
    bad = tmp_path / "bad.csv"
    bad.write_bytes("id,agency\n中,文\n".encode("gbk"))
    assert main(["registry", "add", "--from-discoveries", "--db", empty, "--registry", str(bad)]) == 2
    assert bad.read_bytes() == "id,agency\n中,文\n".encode("gbk")


def test_discover_arguments():
    from crawler.spiders.discover import DiscoverSpider

    for bad in ({}, {"url": "ftp://x.gov.cn/"}, {"url": "https://x.gov.cn/", "file": "list.txt"},
                {"url": "https://x.gov.cn/", "budget": "1"}, {"url": "https://x.gov.cn/", "depth": "x"},
                {"url": "https://x.gov.cn/", "years": "2020"}, {"file": "/nonexistent/list.txt"}):
        with pytest.raises(ValueError):
            DiscoverSpider.check_arguments(**bad)


def test_a_site_without_a_column_fails_the_command(tmp_path):
    from tests.discovery_server import SiteServer
    from tests.discovery_sites import build_sites

    site = next(s for s in build_sites(CORPUS) if s.name == "none-bjft-decoys")
    with SiteServer(site) as server:
        done = subprocess.run([sys.executable, "-m", "scrapy.cmdline", "crawl", "discover", "-a", f"url={server.url}",
                               "-s", f"ARCHIVE_DB={tmp_path / 'd.db'}", "-s", "DOWNLOAD_DELAY=0",
                               "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "LOG_LEVEL=INFO"],
                              cwd=ROOT, capture_output=True, timeout=120, env={**os.environ})
    err = done.stderr.decode()
    assert done.returncode == 1, err
    assert "not found. No annual-report column found in 5 requests" in err


def test_the_rules_on_the_real_pages_of_the_corpus():
    """Every real HTML page of ../shared/corpus/raw: only the one real annual-report list page is a
    column; the only links whose words promise a column are named 政府信息公开年报."""
    from tests.discovery_sites import real_pages

    pages, confirmed, promising = real_pages(CORPUS)
    assert pages >= 60
    assert confirmed == ["pingtan-list/index.html"]
    assert {link.split(" → ")[0] for link in promising} == {"政府信息公开年报"}


def test_a_smaller_budget_and_an_unreachable_homepage(tmp_path):
    from tests.discovery_server import SiteServer
    from tests.discovery_sites import build_sites
    from tests.web_kit import free_port

    site = next(s for s in build_sites(CORPUS) if s.name == "none-qingdao")
    with SiteServer(site) as server:
        stats = run_crawl("discover", {**FAST, "ARCHIVE_DB": str(tmp_path / "b.db")}, url=server.url, budget="10")
        assert len(server.requests) == 10
    assert stats["archive/failed"] == "no annual-report column found"
    note = _rows(str(tmp_path / "b.db"), server.url)[-1]["note"]
    assert "in 10 requests (the budget of 10 requests was used up)" in note

    gone = f"http://127.0.0.1:{free_port()}/"
    stats = run_crawl("discover", {**FAST, "ARCHIVE_DB": str(tmp_path / "u.db")}, url=gone)
    rows = _rows(str(tmp_path / "u.db"), gone)
    assert [r["column_url"] for r in rows] == [None] and "the homepage is unreachable" in rows[0]["note"]
    assert "Connection" in rows[0]["note"] and stats["archive/failed"] == "no annual-report column found"


def test_a_url_seen_again_with_a_better_promise_is_queued_with_it():
    from crawler.spiders.discover import Site, Step

    site = Site("http://x.gov.cn/", "x.gov.cn", 50, 4)
    site.push(Step("http://x.gov.cn/zwgk/zfxxgknb/", "column", 2, [], "更多", 60), 550)
    site.push(Step("http://x.gov.cn/zwgk/zfxxgknb/", "column", 2, [], "政府信息公开年报", 100), 590)
    site.push(Step("http://x.gov.cn/zwgk/zfxxgknb/", "hub", 1, [], "公开", 0), 100)  # a worse promise: ignored
    best = min(site.frontier)[2]
    assert (best.text, best.named, len(site.frontier)) == ("政府信息公开年报", 100, 2)
