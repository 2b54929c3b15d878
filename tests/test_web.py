"""The web view (``archive serve``), in-process through Datasette's own test client: the pages and
their JSON twins, the archive's search semantics, raw bytes, safety, and read-only opening."""

from __future__ import annotations

import asyncio
import hashlib
import html
import sqlite3
from pathlib import Path
from urllib.parse import quote

import pytest

from archive.store import Archive, ArchiveError
from archive.web import check_archive, make_datasette


def file_digest(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


class Client:
    def __init__(self, path: str, **kwargs):
        self.ds = make_datasette(path, **kwargs)
        self.loop = asyncio.new_event_loop()
        self.loop.run_until_complete(self.ds.invoke_startup())

    def get(self, path: str):
        return self.loop.run_until_complete(self.ds.client.get(path))

    def json(self, path: str, status: int = 200):
        r = self.get(path)
        assert r.status_code == status, (path, r.status_code, r.text[:500])
        return r.json()

    def close(self):
        self.loop.close()


@pytest.fixture(scope="module")
def client(web_archive):
    c = Client(web_archive.path)
    yield c
    c.close()


def q(url: str) -> str:
    return quote(url, safe="")


def test_home_page_counts_and_links(client, web_archive):
    r = client.get("/")
    assert r.status_code == 200
    n = sqlite3.connect(web_archive.path).execute("select count(*) from reports where current_version is not null").fetchone()[0]
    assert f"{n:,} reports" in r.text
    for link in ("/search", "/archive/coverage", "/archive/failing_checks", "/archive/reports?portal=guangzhou"):
        assert link in r.text


def test_report_page_and_its_json_twin_say_the_same(client, gz_archive):
    archive = Archive(gz_archive.path)
    url = next(r["url"] for r in archive.reports() if "post_9433816" in r["url"])
    stored = archive.version(archive.report(url)["current_version"])
    page = client.get(f"/report?url={q(url)}")
    assert page.status_code == 200
    data = client.json(f"/report.json?url={q(url)}")
    assert data["report"]["title"] == "洪泽区人民政府2023年政府信息公开工作年度报告"
    assert data["version"]["raw_sha256"] == stored["raw_sha256"] and stored["raw_sha256"] in page.text
    assert data["text"] == stored["text"]
    assert data["fetch"]["replayed_from_cassette"] is True and "Replayed from a recorded cassette" in page.text
    # every stored table is placed in the text where its lines are, with its merged cells
    tables = [b for b in data["blocks"] if b["kind"] == "table"]
    assert len(tables) == len(stored["tables"]) and all(b["placed"] for b in tables)
    spans = [c for b in tables for row in b["rows"] for c in row if c["rowspan"] > 1 or c["colspan"] > 1]
    assert spans and page.text.count('colspan="') + page.text.count('rowspan="') >= len(spans)
    # figures and checks as stored (this report publishes two inconsistencies)
    assert data["figures"]["template"] == "2021" and data["figures"]["checks_failed"] == 2
    assert data["figures"]["tables"]["table3"]["rows"]["new"]["values"]["natural_person"] == 21
    assert page.text.count(">fails<") == 2 and page.text.count("<caption class=\"bad\">Checks that fail") == 1
    assert data["version"]["permalink"] == f"/report?url={q(url)}&version=1"


def test_report_errors_are_messages_not_tracebacks(client, web_archive):
    assert client.json("/report.json", 400)["error"].startswith("give the report's URL")
    assert "no stored report" in client.json("/report.json?url=http%3A%2F%2Fnowhere%2Fx.html", 404)["error"]
    assert "there is no version 9" in client.json(f"/report.json?url={q(web_archive.changed)}&version=9", 404)["error"]
    assert "must be a number" in client.json(f"/report.json?url={q(web_archive.changed)}&version=x", 400)["error"]
    r = client.get("/report?url=http%3A%2F%2Fnowhere%2Fx.html")
    assert r.status_code == 404 and "no stored report at http://nowhere/x.html" in r.text


def test_versions_and_diff(client, web_archive):
    data = client.json(f"/report.json?url={q(web_archive.changed)}")
    assert [v["number"] for v in data["versions"]] == [1, 2] and data["version"]["number"] == 2
    first = client.json(f"/report.json?url={q(web_archive.changed)}&version=1")
    assert "更正后重新发布" not in first["text"] and "更正后重新发布" in data["text"]
    diff = client.json(f"/diff.json?url={q(web_archive.changed)}&a=1&b=2")
    assert [line["line"] for line in diff["lines"] if line["kind"] == "added"] == ["+（本报告于第1次更正后重新发布。）"]
    page = client.get(f"/diff?url={q(web_archive.changed)}&a=1&b=2")
    assert page.status_code == 200 and "1 line(s) added, 0 removed" in page.text


@pytest.mark.parametrize("terms", ["依申请公开", "复议", "复议 依申请公开", "年度报告 局"])
def test_search_finds_what_archive_search_finds(client, web_archive, terms):
    expected = Archive(web_archive.path).search(terms, limit=None)
    data = client.json(f"/search.json?q={quote(terms)}")
    assert expected.total > 0 and data["total"] == expected.total
    assert [h["url"] for h in data["hits"]] == [h["url"] for h in expected.hits[:len(data["hits"])]]
    assert all(h["snippet"] for h in data["hits"])
    page = client.get(f"/search?q={quote(terms)}")
    assert f"{expected.total:,} report(s) hold every term" in page.text


def test_search_pages_and_bad_input(client):
    one = client.json("/search.json?q=%E6%8A%A5%E5%91%8A&page=1")  # 报告
    assert one["total"] > len(one["hits"]) or one["pages"] == 1
    assert client.json("/search.json?q=%E6%8A%A5%E5%91%8A&page=0", 400)["error"]
    assert client.json("/search.json?q=%E6%8A%A5%E5%91%8A&page=x", 400)["error"]
    assert client.json("/search.json?q=")["hits"] == []


def test_raw_bytes_are_the_stored_bytes_and_never_render(client, web_archive):
    archive = Archive(web_archive.path)
    version = archive.version(archive.report(web_archive.hostile)["current_version"], with_raw=True)
    r = client.get(f"/raw/{version['raw_sha256']}")
    assert r.status_code == 200 and hashlib.sha256(r.content).hexdigest() == version["raw_sha256"]
    assert b"<script>alert('live-script')</script>" in r.content  # as fetched, not cleaned
    assert r.headers["content-disposition"].startswith("attachment;")
    assert r.headers["content-security-policy"].startswith("sandbox")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["content-type"].startswith("text/html")
    assert client.json(f"/raw/{version['raw_sha256']}.json")["size"] == len(version["raw"])
    assert client.get("/raw/" + "0" * 64).status_code == 404


def test_attachment_bytes(client, gz_archive):
    row = sqlite3.connect(gz_archive.path).execute(  # files whose bytes are kept (in payloads, by sha256)
        "select f.sha256, f.size from files f join payloads p on p.sha256 = f.sha256").fetchone()
    assert row, "the Guangzhou cassette has attachments"
    r = client.get(f"/raw/{row[0]}")
    assert r.status_code == 200 and hashlib.sha256(r.content).hexdigest() == row[0] and len(r.content) == row[1]


def test_stored_markup_is_text(client, web_archive):
    data = client.json(f"/report.json?url={q(web_archive.hostile)}")
    assert "样文<script>alert('as-text')</script>结束" in data["text"]
    page = client.get(f"/report?url={q(web_archive.hostile)}").text
    assert "样文&lt;script&gt;alert(&#39;as-text&#39;)&lt;/script&gt;结束" in page
    assert "<script>alert(" not in page and "onerror" not in page
    assert "script-src 'none'" in client.get(f"/report?url={q(web_archive.hostile)}").headers["content-security-policy"]


def test_publishing_is_safe_by_default(client, web_archive):
    assert client.get("/archive?sql=select+1").status_code == 403  # no SQL typed in the browser
    assert client.get("/archive.db").status_code in (403, 404)  # no download of the file
    dbs = client.get("/-/databases.json").text
    assert web_archive.path not in dbs and str(Path(web_archive.path).parent) not in dbs
    for path in ("/raw/../../etc/passwd", "/raw/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/-/static/../../../etc/passwd"):
        r = client.get(path)
        assert r.status_code in (302, 400, 404) and "root:" not in r.text, path
        assert "etc/passwd" not in r.headers.get("location", "").replace("%2F", "/"), (path, r.headers)
    meta = client.json("/-/metadata.json")
    hidden = {t for t, m in meta["databases"]["archive"]["tables"].items() if m.get("hidden")}
    assert {"url_state", "meta", "versions_fts"} <= hidden


def test_sql_only_when_allowed_and_never_writes(web_archive, tmp_path):
    path = str(tmp_path / "copy.db")
    src, dst = sqlite3.connect(web_archive.path), sqlite3.connect(path)
    with dst:
        src.backup(dst)
    src.close(), dst.close()
    before = file_digest(path)
    c = Client(path, allow_sql=True)
    try:
        assert c.json("/archive.json?sql=select+count(*)+as+n+from+reports&_shape=array")[0]["n"] > 0
        r = c.get("/archive.json?sql=" + quote("delete from reports"))
        assert r.status_code == 400
        for _ in range(3):
            c.get("/"), c.get("/archive/reports"), c.get("/search?q=%E5%A4%8D%E8%AE%AE")
    finally:
        c.close()
    assert file_digest(path) == before


def test_every_table_and_canned_query(client, web_archive):
    meta = client.json("/-/metadata.json")["databases"]["archive"]
    for name in ("reports", "versions", "fetches", "figure_sets", "figures", "figure_checks", "attachments", "files"):
        page = client.get(f"/archive/{name}")
        words = meta["tables"][name]["description"][:40].split("'")[0]  # quotes are escaped one way or another
        assert page.status_code == 200 and html.escape(words) in page.text, name
    for name in meta["queries"]:
        rows = client.json(f"/archive/{name}.json?_shape=array&agency=&year=")
        assert isinstance(rows, list), name
    coverage = client.json("/archive/coverage.json?_shape=array")
    n = sqlite3.connect(web_archive.path).execute("select count(*) from reports where current_version is not null").fetchone()[0]
    assert sum(r["reports"] for r in coverage) == n
    assert [r["url"] for r in client.json("/archive/failing_checks.json?_shape=array")
            if "post_9433816" in r["url"]], "the 2023 Hongze report fails two checks"
    changed = client.json("/archive/recently_changed.json?_shape=array")
    assert [r["url"] for r in changed] == [web_archive.changed]
    # report URLs in tables link to their report page
    assert '/report?url=' in client.get("/archive/reports").text


def test_serving_refuses_what_is_not_an_archive(tmp_path):
    with pytest.raises(ArchiveError, match="no archive database"):
        check_archive(str(tmp_path / "missing.db"))
    (tmp_path / "text.db").write_bytes(b"not a database at all" * 100)
    with pytest.raises(ArchiveError, match="not a usable SQLite archive"):
        check_archive(str(tmp_path / "text.db"))
    sqlite3.connect(tmp_path / "other.db").execute("create table t (x)")
    with pytest.raises(ArchiveError, match="not an archive"):
        check_archive(str(tmp_path / "other.db"))
    old = Archive(str(tmp_path / "old.db"))
    old.db.execute("update meta set value = '2' where key = 'schema_version'")
    old.conn.commit()
    with pytest.raises(ArchiveError, match="schema version 2.*upgrade it"):
        check_archive(str(tmp_path / "old.db"))


def test_coverage_matrix_shows_the_gaps(tmp_path):
    from archive.web.metadata import coverage_sql

    archive = Archive(str(tmp_path / "a.db"))
    rows = [("甲市人民政府", 2019), ("甲市人民政府", 2022), ("甲市人民政府", 2022), ("乙县人民政府", 2020), (None, 2021)]
    archive.db["reports"].insert_all([{"url": f"http://x/{i}", "portal": "p", "agency": a, "report_year": y,
                                       "current_version": i + 1} for i, (a, y) in enumerate(rows)])
    got = {r["agency"]: r for r in archive.db.query(coverage_sql([2019, 2020, 2021, 2022]))}
    assert got["甲市人民政府"]["2019"] == 1 and got["甲市人民政府"]["2022"] == 2 and got["甲市人民政府"]["2020"] == 0
    assert got["甲市人民政府"]["gaps"] == "2020 2021" and got["甲市人民政府"]["reports"] == 3
    assert got["乙县人民政府"]["gaps"] is None and got["(agency unknown)"]["2021"] == 1


def test_a_term_is_marked_where_a_traditional_page_holds_it():
    """A simplified search term finds traditional-character pages; their snippets, shown as
    published, mark the term's traditional form (复议 → 復議)."""
    from archive.web.facts import marked

    snippet = "…收到政府信息公開申請事項1件，無引起行政復議及行政訴訟事項。"
    pieces = marked(snippet, ["复议", "诉讼"])
    assert "".join(text for text, _ in pieces) == snippet  # the text as published, whole
    assert [text for text, term in pieces if term] == ["復議", "訴訟"]
    assert [text for text, term in marked("行政复议、行政诉讼", ["复议"]) if term] == ["复议"]
