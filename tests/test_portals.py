"""Every portal spider replays its cassette into the archive with the expected reports; the
``column`` spider crawls the same columns with its detected platform, and the generic fallback."""

from __future__ import annotations

import json
import re
import sqlite3

import pytest

from crawler.run import run_crawl
from tests.paths import CASSETTES, DATA
from tests import cassette_kit as kit

PORTALS = {  # spider → the platform its column should be detected as
    "panyu": "nfcms", "tongxin": "trs", "songyuan": "trs", "hengyang": "hunan",
}
AVAILABLE = [p for p in PORTALS if (CASSETTES / f"{p}.yaml").is_file() and (DATA / f"{p}_manifest.json").is_file()]
CHROME = re.compile(r"^(听全文|分享到|扫一扫.*|打印|关闭窗口|字体[:：].*|.*ICP备.*|.*公网安备.*|网站标识码.*|主办[:：].*|版权所有.*)$")


def manifest(portal: str) -> dict:
    return json.loads((DATA / f"{portal}_manifest.json").read_bytes().decode("utf-8"))


def squash(s: str) -> str:
    return re.sub(r"[\s\u3000\xa0|]+", "", s)


def replay(spider: str, db_path: str, portal: str, **args) -> dict:
    return run_crawl(spider, {"CASSETTE": str(CASSETTES / f"{portal}.yaml"), "ARCHIVE_DB": db_path,
                              "LOG_LEVEL": "WARNING"}, **args)


def test_all_five_portals_and_column_are_listed():
    from scrapy.spiderloader import SpiderLoader
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("crawler.settings")
    assert set(SpiderLoader.from_settings(settings).list()) == {"guangzhou", *PORTALS, "column", "discover", "portals"}


@pytest.mark.parametrize("portal", AVAILABLE)
def test_portal_replay_stores_the_expected_reports(portal, tmp_path):
    m = manifest(portal)
    db_path = str(tmp_path / "a.db")
    stats = replay(portal, db_path, portal)
    assert stats["finish_reason"] == "finished" and not stats.get("cassette/miss") and not stats.get("archive/failed")
    db = sqlite3.connect(db_path)
    db.row_factory = sqlite3.Row
    got = {r["url"]: (r["section"], r["title"], r["agency"], r["report_year"], r["pub_date"])
           for r in db.execute("select * from reports")}
    want = {r["url"]: (r["section"], r["title"], r["agency"], r["report_year"], r["pub_date"]) for r in m["reports"]}
    assert got == want
    fetched = {r[0] for r in db.execute("select url from fetches")}
    assert not set(m["non_reports"]) & fetched
    texts = {r["url"]: r["text"] for r in db.execute(
        "select r.url, v.text from reports r join versions v on v.id = r.current_version")}
    tables = {r["url"]: json.loads(r["tables"] or "[]") for r in db.execute(
        "select r.url, v.tables from reports r join versions v on v.id = r.current_version")}
    for r in m["reports"]:
        text = texts[r["url"]]
        flat, lines = squash(text), {squash(x) for x in text.split("\n")}
        for p in r["paragraphs"]:
            assert squash(p) in flat, (r["url"], p)
        for table in r["tables"]:
            for row in table:
                if any(c.strip() for c in row):
                    assert squash(" | ".join(row)) in lines, (r["url"], row)
        assert not any(CHROME.match(x.strip()) for x in text.split("\n")), r["url"]
        # every table put in is stored as a table with its rows, and nothing else is
        assert [t["n_rows"] for t in tables[r["url"]]] == [len(t) for t in r["tables"]], r["url"]
    if "encoding" in m:  # how the pages must be decoded (e.g. a header that beats a wrong <meta>)
        want_enc = m["encoding"]
        rows = db.execute("select encoding, encoding_method from versions").fetchall()
        assert {(r["encoding"], r["encoding_method"]) for r in rows} == {
            (want_enc["encoding"], want_enc["encoding_method"])}


@pytest.mark.parametrize("portal", AVAILABLE)
def test_column_spider_detects_the_platform(portal, tmp_path):
    m = manifest(portal)
    stats = replay("column", str(tmp_path / "c.db"), portal, url=m["column"])
    assert stats["archive/platform"] == PORTALS[portal]
    assert stats["finish_reason"] == "finished" and not stats.get("cassette/miss")
    assert stats["archive/reports/new"] == len(m["reports"])


@pytest.mark.parametrize("portal", AVAILABLE)
def test_generic_fallback_on_a_real_template_column(portal, tmp_path):
    m = manifest(portal)
    stats = replay("column", str(tmp_path / "g.db"), portal, url=m["column"], platform="generic")
    assert stats["archive/platform"] == "generic"
    db = sqlite3.connect(tmp_path / "g.db")
    stored = {r[0] for r in db.execute("select url from reports")}
    # the generic fallback finds report links by their words; it does not know the pager's script,
    # only its links, so it reaches every report the list pages link
    assert stored == {r["url"] for r in m["reports"]}


def test_column_without_reports_fails_loudly(tmp_path):
    col = "https://www.example.gov.cn/xxgk/ndbg/"
    cassette = kit.write(tmp_path / "empty.yaml", {
        "https://www.example.gov.cn/robots.txt": kit.ROBOTS_OK,
        col: kit.response(200, "<html><body><ul><li><a href='a.html'>县政府常务会议纪要</a></li></ul></body></html>"),
    })
    stats = run_crawl("column", {"CASSETTE": cassette, "ARCHIVE_DB": str(tmp_path / "e.db"), "LOG_LEVEL": "WARNING"},
                      url=col)
    from crawler.summary import crawl_failure

    assert stats["archive/failed"] == "no reports found" and crawl_failure(stats)


def test_column_spider_arguments():
    from crawler.spiders.column import ColumnSpider

    for bad in ({}, {"url": "ftp://x/"}, {"url": "https://x.gov.cn/", "platform": "nope"},
                {"url": "https://x.gov.cn/", "sections": "bm"}):
        with pytest.raises(ValueError):
            ColumnSpider.check_arguments(**bad)


@pytest.mark.skipif("hengyang" not in AVAILABLE, reason="no hengyang cassette")
def test_sections_and_years_filter_sub_columns_found_on_the_column_root(tmp_path):
    """hengyang's 2022-on reports sit in year folders (szfxxgk/2023nd/…) that only the column
    root links: a section filter starts there and keeps that section's sub-columns; a year
    filter skips the year folders of other years without fetching them."""
    m = manifest("hengyang")
    stats = replay("hengyang", str(tmp_path / "s.db"), "hengyang", sections="szfxxgk")
    db = sqlite3.connect(tmp_path / "s.db")
    got = {r[0] for r in db.execute("select url from reports")}
    assert got == {r["url"] for r in m["reports"] if r["section"] == "szfxxgk"} and len(got) == 2
    fetched = {r[0] for r in db.execute("select url from fetches")}
    assert not any("/szfgzbmndbg/" in u for u in fetched)
    assert stats["finish_reason"] == "finished"

    stats = replay("hengyang", str(tmp_path / "y.db"), "hengyang", years="2024")
    db = sqlite3.connect(tmp_path / "y.db")
    assert [r[0] for r in db.execute("select report_year from reports")] == [2024]
    fetched = {r[0] for r in db.execute("select url from fetches")}
    assert not any("/2023nd/" in u for u in fetched) and stats["archive/skipped_year_folder"] == 1
