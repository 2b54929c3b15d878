"""Replay the whole Guangzhou crawl (cassettes/guangzhou.yaml) through the real spider,
middlewares and pipeline, and check what landed in the archive."""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3

import pytest
import yaml

from archive import payloads
from archive.tables import unpack_tables
from crawler.run import run_crawl
from tests.paths import CASSETTES, DATA

CASSETTE = CASSETTES / "guangzhou.yaml"
MANIFEST = json.loads((DATA / "guangzhou_manifest.json").read_bytes().decode("utf-8"))
FILE_REPORTS = {f["url"] for f in MANIFEST["file_reports"]}
N_REPORTS = len(MANIFEST["reports"]) + len(FILE_REPORTS)
R = "https://www.gz.gov.cn/zfjgzy/gzsrmzfbgt/zfxxgknb/"

# Page furniture seen on gz.gov.cn (seed 000 shows it) and in government footers
CHROME_LINE = re.compile(
    r"^(•\s*)?(听全文|分享到|扫一扫在手机打开当前页|相关附件|相关新闻|关注\s*·\s*广州政府网|来源[:：]\s*\S+|"
    r"\d{4}-\d{2}-\d{2}|-|打印|字体大小.*|.*ICP备\d+.*|网站标识码.*|.*公网安备.*|主办[:：].*|版权所有.*|当前位置.*)$"
)


def replay(db_path, cassette=CASSETTE, **args):
    return run_crawl("guangzhou", {"CASSETTE": str(cassette), "ARCHIVE_DB": db_path, "LOG_LEVEL": "WARNING"}, **args)


@pytest.fixture(scope="module")
def archive(gz_archive):
    db = sqlite3.connect(gz_archive.path)
    db.row_factory = sqlite3.Row
    return db, gz_archive.stats, gz_archive.path


def test_crawl_finishes_cleanly(archive):
    _, stats, _ = archive
    assert stats["finish_reason"] == "finished"
    assert not stats.get("cassette/miss")
    assert not stats.get("archive/failed")
    assert not stats.get("log_count/ERROR")
    assert stats.get("archive/skipped_not_report", 0) >= 1  # the 通知 on gq/ page 1 is not a report


def test_exact_report_set(archive):
    db, _, _ = archive
    got = {
        r["url"]: (r["section"], r["title"], r["agency"], r["report_year"], r["pub_date"])
        for r in db.execute("select * from reports")
    }
    want = {
        m["url"]: (m["section"], m["title"], m["agency"], m["report_year"], m["pub_date"])
        for m in MANIFEST["reports"]
    }
    got_pages = {u: v for u, v in got.items() if u not in {f["url"] for f in MANIFEST["file_reports"]}}
    assert got_pages == want
    assert set(got) - set(got_pages) == {f["url"] for f in MANIFEST["file_reports"]}


def test_non_reports_and_list_pages(archive):
    db, _, _ = archive
    fetched = {r[0] for r in db.execute("select url from fetches")}
    for url in MANIFEST["non_reports"]:
        assert url not in fetched
    lists = {r[0] for r in db.execute("select url from fetches where outcome = 'list'")}
    assert R in lists and R + "gq/index_2.html" in lists
    assert {R + "sbj/", R + "bm/", R + "gq/"} <= lists


def _texts(db):
    return {
        r["url"]: (r["text"], unpack_tables(json.loads(r["tables"])))  # stored with each cell once
        for r in db.execute("select r.url, v.text, v.tables from reports r join versions v on v.id = r.current_version")
    }


def test_no_chrome_in_stored_text(archive):
    db, _, _ = archive
    for url, (text, _) in _texts(db).items():
        for line in text.split("\n"):
            assert not CHROME_LINE.match(line.strip()), (url, line)
        assert "扫一扫" not in text and "分享到" not in text and "相关新闻" not in text, url


def _squash(s: str) -> str:
    return re.sub(r"[\s\u3000\xa0]+", "", s)


def test_every_paragraph_and_table_row_is_kept(archive):
    db, _, _ = archive
    stored = _texts(db)
    for m in MANIFEST["reports"]:
        text, tables = stored[m["url"]]
        lines = [_squash(line) for line in text.split("\n")]
        flat = "".join(lines)
        for p in m["paragraphs"]:
            assert _squash(p) in flat, (m["url"], p)
        # tables: every row of every table, in order, one line each; and as a grid
        assert len(tables) == len(m["tables"]), m["url"]
        for want_rows, got in zip(m["tables"], tables):
            for row in want_rows:
                if not any(c.strip() for c in row):
                    continue
                assert _squash(" | ".join(row)) in lines, (m["url"], row)
            cells = [c["text"] for c in got["cells"]]
            assert cells == [c for row in want_rows for c in row], m["url"]
            assert len(got["grid"]) == got["n_rows"] and all(len(r) == got["n_cols"] for r in got["grid"])


def test_body_order_is_kept(archive):
    db, _, _ = archive
    stored = _texts(db)
    for m in MANIFEST["reports"]:
        flat = _squash(stored[m["url"]][0])
        pos = -1
        for p in m["paragraphs"]:
            nxt = flat.find(_squash(p), pos + 1)
            assert nxt > pos, (m["url"], p)
            pos = nxt


def test_provenance(archive):
    db, _, _ = archive
    for r in db.execute(
        "select r.url, r.first_seen, r.site_meta, v.*, f.status, f.sha256 as fetch_sha, f.fetched_at, f.job_id, "
        "f.found_on as f_found_on, f.final_url, f.content_type as f_ct from reports r "
        "join versions v on v.id = r.current_version join fetches f on f.id = v.fetch_id"
    ):
        raw = payloads.get(db, r["raw_sha256"])  # the bytes are kept once each, by sha256
        assert hashlib.sha256(raw).hexdigest() == r["raw_sha256"] == r["fetch_sha"]
        assert len(raw) == r["raw_size"]
        assert r["status"] == 200 and r["fetched_at"] and r["job_id"] and r["first_seen"]
        assert r["f_found_on"] and r["f_found_on"].startswith(R)
        if r["url"] in FILE_REPORTS:  # the report is a PDF: no charset, no HTML meta tags
            assert r["content_type"] == "application/pdf" and raw.startswith(b"%PDF")
            continue
        assert r["encoding"] == "utf-8" and r["encoding_method"] in ("http-header", "meta")
        assert r["extractor"].startswith(("trafilatura", "block walk")) and r["container"] == "#zoomcon"
        software = json.loads(r["software"])
        assert {"archive", "trafilatura", "lxml", "chardet", "python"} <= set(software)
        meta = json.loads(r["site_meta"])
        assert meta["SiteIDCode"] == "4401000004" and meta["SiteName"] and meta["ArticleTitle"]
        assert meta["Url"] == r["url"]


def test_redirect_and_gzip_are_recorded(archive):
    db, _, _ = archive
    redirected = [m for m in MANIFEST["reports"] if m["listed_as"].startswith("http://")]
    assert redirected
    for m in redirected:
        row = db.execute("select url, final_url, redirect_chain from fetches where final_url = ?", (m["url"],)).fetchone()
        assert row["url"] == m["listed_as"] and json.loads(row["redirect_chain"]) == [m["listed_as"], m["url"]]
    gz = [i for i in yaml.safe_load(CASSETTE.read_bytes().decode("utf-8"))["interactions"]
          if "gzip" in str(i["response"]["headers"].get("Content-Encoding"))]
    assert gz
    for i in gz:
        row = db.execute("select bytes, outcome from fetches where url = ?", (i["request"]["uri"],)).fetchone()
        assert row["outcome"] in ("list", "report-new") and row["bytes"] > len(i["response"]["body"]["string"])


def test_attachment_links_are_kept(archive):
    db, _, _ = archive
    for m in MANIFEST["reports"]:
        got = json.loads(db.execute("select attachments from reports where url = ?", (m["url"],)).fetchone()[0])
        assert [a["url"] for a in got] == [a["url"] for a in m["attachments"]]


def test_second_replay_adds_no_version(gz_copy):
    db_path = gz_copy
    db = sqlite3.connect(db_path)
    before = db.execute("select count(*) from versions").fetchone()[0]
    fetches_before = db.execute("select count(*) from fetches").fetchone()[0]
    # incremental: the lists show nothing new, so no report page is fetched at all
    stats = replay(db_path)
    assert stats["finish_reason"] == "finished"
    assert not any(k.startswith("archive/reports/") for k in stats), stats
    # gq/'s page 1 holds only known reports, so its page 2 (report 8 and the PDF-only report) is not even listed
    assert stats["archive/pagination_stopped"] >= 1
    assert stats["archive/skipped_unchanged"] == N_REPORTS - 2
    assert not db.execute("select count(*) from fetches f join crawls c on c.job_id = f.job_id "
                          "where f.url = ? and c.started_at = (select max(started_at) from crawls)",
                          (R + "gq/index_2.html",)).fetchone()[0]
    assert db.execute("select count(*) from versions").fetchone()[0] == before
    assert db.execute("select count(*) from fetches").fetchone()[0] > fetches_before
    # re-fetching every report (the cassette ignores validators, so each answers 200): no new version
    stats = replay(db_path, revalidate="1")
    assert stats.get("archive/reports/unchanged") == N_REPORTS
    assert not stats.get("archive/reports/new") and not stats.get("archive/reports/changed")
    assert db.execute("select count(*) from versions").fetchone()[0] == before
    assert db.execute("select count(*) from crawls").fetchone()[0] == 3


def test_changed_report_adds_exactly_one_version(tmp_path, gz_copy):
    db_path = gz_copy
    data = yaml.safe_load(CASSETTE.read_bytes().decode("utf-8"))
    target = next(m for m in MANIFEST["reports"] if m["paragraphs"] and m["url"].endswith(".html"))
    old_para = target["paragraphs"][-1]
    changed = 0
    for i in data["interactions"]:
        body = i["response"]["body"]["string"]
        if i["request"]["uri"] == target["url"] and isinstance(body, str) and old_para in body:
            i["response"]["body"]["string"] = body.replace(old_para, old_para + "（更正）")
            changed += 1
    assert changed == 1
    modified = tmp_path / "changed.yaml"
    modified.write_bytes(yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode("utf-8"))
    stats = replay(db_path, modified, revalidate="1")  # the list entry did not change: a silent correction
    assert stats.get("archive/reports/changed") == 1
    db = sqlite3.connect(db_path)
    assert db.execute("select count(*) from versions where report_url = ?", (target["url"],)).fetchone()[0] == 2
    assert db.execute("select count(*) from versions").fetchone()[0] == N_REPORTS + 1
    current = db.execute(
        "select v.text from reports r join versions v on v.id = r.current_version where r.url = ?", (target["url"],)
    ).fetchone()[0]
    assert "（更正）" in current


def test_years_and_sections_arguments(tmp_path):
    db_path = str(tmp_path / "a.db")
    replay(db_path, sections="bm", years="2013-2015")
    db = sqlite3.connect(db_path)
    got = sorted((r[0], r[1]) for r in db.execute("select section, report_year from reports"))
    want = sorted((m["section"], m["report_year"]) for m in MANIFEST["reports"]
                  if m["section"] == "bm" and 2013 <= m["report_year"] <= 2015)
    assert got == want and want
    fetched = {r[0] for r in db.execute("select url from fetches")}
    assert R + "bm/2024n/" not in fetched  # year folder outside the range is not even listed
    assert not any(u.startswith(R + "gq/") for u in fetched)


def test_bad_arguments_are_refused():
    from archive.meta import parse_years

    with pytest.raises(ValueError):
        parse_years("twenty")
    assert parse_years("2019-2024") == (2019, 2024)
    assert parse_years("2021") == (2021, 2021)


def test_jobdir_pause_and_resume(tmp_path):
    db_path, jobdir = str(tmp_path / "j.db"), str(tmp_path / "job")
    first = run_crawl(
        "guangzhou", {"CASSETTE": str(CASSETTE), "ARCHIVE_DB": db_path, "LOG_LEVEL": "WARNING",
                      "JOBDIR": jobdir, "CLOSESPIDER_PAGECOUNT": 5})
    assert first["finish_reason"] == "closespider_pagecount"
    db = sqlite3.connect(db_path)
    stored_first = db.execute("select count(*) from reports").fetchone()[0]
    assert stored_first < len(MANIFEST["reports"])
    second = run_crawl("guangzhou", {"CASSETTE": str(CASSETTE), "ARCHIVE_DB": db_path, "LOG_LEVEL": "WARNING",
                                     "JOBDIR": jobdir})
    assert second["finish_reason"] == "finished"
    assert db.execute("select count(*) from reports").fetchone()[0] == N_REPORTS
    assert db.execute("select count(*) from versions").fetchone()[0] == N_REPORTS
    assert db.execute("select count(*) from reports where gone_since is not null").fetchone()[0] == 0


def test_traditional_page_is_flagged_and_searchable_in_simplified(archive):
    db, _, _ = archive
    trad = [m for m in MANIFEST["reports"] if m["traditional"]]
    assert trad
    for m in trad:
        row = db.execute("select v.id, v.text, v.text_simplified, v.metadata from reports r join versions v "
                         "on v.id = r.current_version where r.url = ?", (m["url"],)).fetchone()
        assert json.loads(row["metadata"])["traditional"] is True
        assert "政府信息公開" in row["text"]  # stored as published
        assert "政府信息公开" in row["text_simplified"]
        hits = [r[0] for r in db.execute("select rowid from versions_fts where versions_fts match ?", ('"人力资源和社会保障局"',))]
        assert row["id"] in hits
    others = db.execute("select count(*) from versions where text_simplified is not null").fetchone()[0]
    assert others == len(trad)


def test_attachments_are_downloaded_and_stored(archive):
    db, stats, _ = archive
    from tests.paths import SHARED

    served = {i["request"]["uri"]: i["response"]["body"]["string"]
              for i in yaml.safe_load(CASSETTE.read_bytes().decode("utf-8"))["interactions"]}
    for file_url, rel in MANIFEST["attachment_files"].items():
        path = SHARED / rel
        row = db.execute(
            "select a.report_url, a.name, f.size, f.kind, f.content_type, f.sha256, f.text, f.pages, f.error, f.extractor "
            "from attachments a join files f on f.sha256 = a.sha256 where a.url = ?", (file_url,)).fetchone()
        assert row is not None, file_url
        raw = served[file_url]  # the bytes the server sent; the real PDF of the corpus, when it is here
        assert isinstance(raw, bytes) and (not path.is_file() or path.read_bytes() == raw)
        assert row["sha256"] == hashlib.sha256(raw).hexdigest() and row["size"] == len(raw)
        assert row["kind"] == "pdf" and row["content_type"] == "application/pdf" and row["error"] is None
        assert row["pages"] >= 1 and "pdfplumber" in row["extractor"]
        assert "一、总体情况" in row["text"]
        linked = [m for m in MANIFEST["reports"] if any(a["url"] == file_url for a in m["attachments"])]
        assert row["report_url"] == linked[0]["url"] and row["name"] == linked[0]["attachments"][0]["name"]
    assert stats["archive/files/pdf"] == len(MANIFEST["attachment_files"]) + len(MANIFEST["file_reports"])


def test_report_published_only_as_a_file(archive):
    db, _, _ = archive
    for fr in MANIFEST["file_reports"]:
        row = db.execute("select r.*, v.text, v.content_type, v.extractor from reports r join versions v "
                         "on v.id = r.current_version where r.url = ?", (fr["url"],)).fetchone()
        assert row is not None
        assert (row["title"], row["section"], row["report_year"], row["pub_date"]) == (
            fr["title"], fr["section"], int(fr["title"].split("年")[0][-4:]), fr["date"])
        assert row["agency"] == "淮安市洪泽区人民政府"
        assert row["content_type"] == "application/pdf" and "pdfplumber" in row["extractor"]
        for heading in ("一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况"):
            assert heading in row["text"]
        assert db.execute("select count(*) from attachments where report_url = ? and url = ?",
                          (fr["url"], fr["url"])).fetchone()[0] == 1


def test_one_fetch_row_per_exchange(archive):
    db, stats, _ = archive
    dupes = db.execute("select url, count(*) from fetches f join crawls c on c.job_id = f.job_id "
                       "where c.started_at = (select min(started_at) from crawls) group by url having count(*) > 1").fetchall()
    assert dupes == []
    assert db.execute("select count(*) from fetches f join crawls c on c.job_id = f.job_id where "
                      "c.started_at = (select min(started_at) from crawls)").fetchone()[0] == (
        stats["downloader/request_count"] - stats.get("downloader/response_status_count/301", 0))  # hops: redirect_chain
