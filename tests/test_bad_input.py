"""Bad responses get a clear reason, are counted, and are never stored as reports."""

import sqlite3

from archive.blocked import classify
from crawler.run import run_crawl
from tests import cassette_kit as kit
from tests.cassette_kit import CHALLENGE_200, JSL_BODY, TS_BODY
from tests.paths import corpus_file

R = "https://www.gz.gov.cn/zfjgzy/gzsrmzfbgt/zfxxgknb/"
GOOD_TITLE = "2013年广州市人力资源和社会保障局政府信息公开年度报告"

CASES = {
    "empty": (kit.response(200, b""), "empty"),
    "png": (kit.response(200, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01", {"Content-Type": "image/png"}), "not-html"),
    "brokenpdf": (kit.response(200, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", {"Content-Type": "application/pdf"}),
                  "file-unreadable"),
    "gone": (kit.response(404, "<html><body><h1>404 页面不存在</h1></body></html>"), "not-found"),
    "rs412": (kit.response(412, TS_BODY), "blocked"),
    "jsl521": (kit.response(521, JSL_BODY, {"Set-Cookie": "__jsluid_s=0a1b2c; path=/; HttpOnly"}), "blocked"),
    "script200": (kit.response(200, CHALLENGE_200), "blocked"),
}


def list_page(names):
    items = "".join(
        f'<li><a href="2013n/content/post_{100 + i}.html">{GOOD_TITLE}（{name}）</a><span>2014-03-11</span></li>'
        for i, name in enumerate(names)
    )
    return f"<html><body><ul class='news_list'>{items}</ul></body></html>"


# a crawl starts at the column root, also with a section filter (sections hold year folders found there)
COLUMN_ROOT = kit.response(200, "<html><body><ul><li><a href='bm/'>市政府部门</a></li></ul></body></html>")


def test_bad_responses_are_recorded_not_stored(tmp_path, db_path):
    names = list(CASES)
    exchanges = {"https://www.gz.gov.cn/robots.txt": kit.ROBOTS_OK, R: COLUMN_ROOT,
                 R + "bm/": kit.response(200, list_page(names))}
    for i, name in enumerate(names):
        exchanges[f"{R}bm/2013n/content/post_{100 + i}.html"] = CASES[name][0]
    cassette = kit.write(tmp_path / "bad.yaml", exchanges)

    stats = run_crawl("guangzhou", {"CASSETTE": cassette, "ARCHIVE_DB": db_path, "LOG_LEVEL": "WARNING"}, sections="bm")

    assert stats["finish_reason"] == "finished"
    db = sqlite3.connect(db_path)
    assert db.execute("select count(*) from reports").fetchone()[0] == 0
    assert db.execute("select count(*) from versions").fetchone()[0] == 0
    rows = dict(db.execute("select url, outcome || ': ' || reason from fetches where url like '%post_%'").fetchall())
    for i, name in enumerate(names):
        outcome = rows[f"{R}bm/2013n/content/post_{100 + i}.html"]
        assert outcome.startswith(CASES[name][1] + ": "), (name, outcome)
    assert stats["archive/rejected/blocked"] == 3
    assert stats["archive/rejected/empty"] == 1
    assert stats["archive/rejected/not-found"] == 1
    assert stats["archive/rejected/not-html"] == 1
    assert stats["archive/rejected/unreadable-file"] == 1  # a broken PDF is kept as a file, with its error
    assert db.execute("select count(*) from files where error is not null").fetchone()[0] == 1
    assert "瑞数" in rows[f"{R}bm/2013n/content/post_{100 + names.index('rs412')}.html"]
    assert "加速乐" in rows[f"{R}bm/2013n/content/post_{100 + names.index('jsl521')}.html"]


def test_cassette_miss_fails_loudly(tmp_path, db_path, caplog):
    exchanges = {"https://www.gz.gov.cn/robots.txt": kit.ROBOTS_OK, R: COLUMN_ROOT,
                 R + "bm/": kit.response(200, list_page(["only"]))}
    cassette = kit.write(tmp_path / "miss.yaml", exchanges)
    stats = run_crawl("guangzhou", {"CASSETTE": cassette, "ARCHIVE_DB": db_path}, sections="bm")
    assert stats["cassette/miss"] == 1
    assert stats["archive/failed"] == "cassette miss"
    assert f"{R}bm/2013n/content/post_100.html" in caplog.text
    from crawler.summary import crawl_failure
    assert crawl_failure(stats)  # → scrapy crawl exits 1
    db = sqlite3.connect(db_path)
    assert db.execute("select count(*) from reports").fetchone()[0] == 0


def test_real_pages_are_not_taken_for_challenges():
    for rel in ("mhxqwer-jchgz.gov.cn/index.html", "mhxqwer-ljywhlyw.cq.gov.cn/index.html", "pingtan-list/index.html"):
        assert classify(200, {"Content-Type": ["text/html"]}, corpus_file(rel)) is None, rel


def test_attachment_found_by_its_link_text():
    from archive.clean import clean_html

    html = ('<html><body><div id="zoom"><p>本机关2023年政府信息公开工作年度报告全文见附件，欢迎查阅。</p>'
            '<p>附件：<a href="/down.jsp?id=77">2023年年度报告.pdf</a></p></div></body></html>')
    cleaned = clean_html(html, "https://x.gov.cn/a/b.html")
    assert cleaned.attachments == [{"url": "https://x.gov.cn/down.jsp?id=77", "name": "2023年年度报告.pdf"}]


def test_list_page_that_is_not_text_is_recorded_not_crashed(tmp_path, db_path, caplog):
    import random

    noise = random.Random(7).randbytes(4000)  # no codec decodes it strictly
    cassette = kit.write(tmp_path / "noise.yaml", {"https://www.gz.gov.cn/robots.txt": kit.ROBOTS_OK,
                                                   R: kit.response(200, noise, {"Content-Type": "text/html"})})
    for spider, args in (("guangzhou", {}), ("column", {"url": R})):
        stats = run_crawl(spider, {"CASSETTE": cassette, "ARCHIVE_DB": db_path, "LOG_LEVEL": "WARNING"}, **args)
        assert stats.get("spider_exceptions/DecodeError") is None and not stats.get("log_count/ERROR"), stats
        assert stats["archive/list_not-html"] == 1 and stats["archive/failed"] == "no reports found"
    rows = sqlite3.connect(db_path).execute("select outcome, reason from fetches where url = ?", (R,)).fetchall()
    assert rows and all(o == "list-not-html" and "cannot decode" in r for o, r in rows)
