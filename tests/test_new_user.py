"""Defects found by running the project as a new user would (issue: one shape for the whole
house, part 5): each test names what a user did and what they must see."""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import sqlite3
import subprocess
import sys

import pytest

from crawler.run import run_crawl
from tests.crawl_kit import FAST, rows
from tests.paths import CASSETTES, ROOT, corpus_file
from tests.portal_server import PER_PAGE, Columns, Portal, PortalServer

SCRAPY = [sys.executable, "-m", "scrapy"]
ARCHIVE = [sys.executable, "-m", "archive.cli"]
GZ = "https://www.gz.gov.cn/zfjgzy/gzsrmzfbgt/zfxxgknb/"


def run(cmd, **kw):
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=180, **kw)


# --- portal identity and gone-marking ----------------------------------------------------------
def test_two_columns_on_one_host_do_not_mark_each_other_gone(db_path):
    a, b = Portal(PER_PAGE, "/a/ndbg/"), Portal(PER_PAGE, "/b/ndbg/")
    with PortalServer(Columns(a, b)) as server:
        url_a, url_b = server.column_url(a.column), server.column_url(b.column)
        for url in (url_a, url_b):
            stats = run_crawl("column", {**FAST, "ARCHIVE_DB": db_path}, url=url)
            assert stats["finish_reason"] == "finished" and stats["archive/reports/new"] == PER_PAGE
        assert rows(db_path, "select count(*) n from reports where gone_since is not null")[0]["n"] == 0
        # a report removed from B is gone after B's next full walk; A's reports are not touched
        gone_id = b.listing()[3].id
        b.remove(gone_id)
        run_crawl("column", {**FAST, "ARCHIVE_DB": db_path}, url=url_b, full="1")
        gone = rows(db_path, "select url from reports where gone_since is not null")
        assert [r["url"] for r in gone] == [f"{url_b}bm/content/post_{gone_id}.html"]


def test_a_report_keeps_its_portal_whichever_spider_found_it_first(tmp_path):
    """A column crawl of a registered portal's column stores the portal's name and sections, so
    that the portal spider's later crawl and ``archive export --portal`` find the same reports."""
    cassette = CASSETTES / "hengyang.yaml"
    if not cassette.is_file():
        pytest.skip("cassettes/hengyang.yaml not in this checkout")
    db = str(tmp_path / "h.db")
    column = "https://www.hengyang.gov.cn/xxgk/szfxxgkml/zfxxgkndbg/"
    settings = {"CASSETTE": str(cassette), "ARCHIVE_DB": db, "LOG_LEVEL": "WARNING"}
    first = run_crawl("column", settings, url=column)
    assert first["finish_reason"] == "finished" and first["archive/reports/new"] >= 2
    stored = rows(db, "select portal, section from reports")
    assert {r["portal"] for r in stored} == {"hengyang"}
    assert all(r["section"] for r in stored), stored
    again = run_crawl("hengyang", settings, full="1")
    assert not again.get("archive/reports/new") and not again.get("archive/reports/gone")
    out = run([*ARCHIVE, "export", "--db", db, "--portal", "hengyang"])
    assert out.returncode == 0, out.stderr
    assert len(out.stdout.splitlines()) == len(stored)


# --- crawl settings and options ----------------------------------------------------------------
def test_contact_given_with_s_is_in_the_user_agent_and_its_absence_is_warned(tmp_path):
    portal = Portal(2)
    env = {k: v for k, v in os.environ.items() if k != "ARCHIVE_CONTACT"}
    with PortalServer(portal) as server:
        base = [*SCRAPY, "crawl", "column", "-a", f"url={server.url}", "-s", "DOWNLOAD_DELAY=0",
                "-s", "AUTOTHROTTLE_ENABLED=0"]
        given = run([*base, "-s", f"ARCHIVE_DB={tmp_path / 'a.db'}", "-s", "ARCHIVE_CONTACT=ops@example.org"],
                    env=env)
        assert given.returncode == 0, given.stderr[-2000:]
        assert portal.user_agents and all("ops@example.org" in ua for ua in portal.user_agents)
        assert "ARCHIVE_CONTACT is not set" not in given.stderr
        unset = run([*base, "-s", f"ARCHIVE_DB={tmp_path / 'b.db'}"], env=env)
        assert unset.returncode == 0
        assert "ARCHIVE_CONTACT is not set" in unset.stderr


@pytest.mark.parametrize("option", ["-O", "-o"])
def test_feed_export_options_are_refused_with_a_pointer_to_archive_export(tmp_path, option):
    out = tmp_path / "out.jsonl"
    r = run([*SCRAPY, "crawl", "guangzhou", option, str(out), "-s", f"CASSETTE={CASSETTES / 'guangzhou.yaml'}",
             "-s", f"ARCHIVE_DB={tmp_path / 'a.db'}"])
    assert r.returncode == 2
    assert "archive export" in r.stderr
    assert "Traceback" not in r.stderr and not out.exists()


def test_column_offline_hint_names_the_command_a_user_types(db_path, caplog):
    caplog.set_level(logging.ERROR)
    stats = run_crawl("column", {**FAST, "ARCHIVE_DB": db_path}, url="http://127.0.0.1:9/zfxxgknb/")
    assert stats["finish_reason"] == "host_unreachable"
    hint = " ".join(r.getMessage() for r in caplog.records if "unreachable" in r.getMessage())
    assert "scrapy crawl column -a url=" in hint
    assert "column:" not in hint


def test_database_in_a_missing_folder_is_one_clear_message(tmp_path):
    missing = tmp_path / "nope" / "archive.db"
    crawl = run([*SCRAPY, "crawl", "guangzhou", "-s", f"CASSETTE={CASSETTES / 'guangzhou.yaml'}",
                 "-s", f"ARCHIVE_DB={missing}"])
    assert crawl.returncode == 2, crawl.stderr[-2000:]
    assert "Traceback" not in crawl.stderr
    assert crawl.stderr.count(str(missing.parent)) == 1
    for command in (["reports"], ["search", "年报"], ["export"]):
        r = run([*ARCHIVE, *command, "--db", str(missing)])
        assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
        assert str(missing.parent) in r.stderr
    assert not missing.parent.exists()


def test_first_crawl_says_so_and_a_single_crawl_ends_with_the_summary(tmp_path):
    args = [*SCRAPY, "crawl", "guangzhou", "-s", f"CASSETTE={CASSETTES / 'guangzhou.yaml'}",
            "-s", f"ARCHIVE_DB={tmp_path / 'a.db'}"]
    first = run(args)
    assert first.returncode == 0, first.stderr[-2000:]
    assert "Full walk (first crawl of this column)" in first.stderr
    assert "previous crawl did not finish" not in first.stderr
    lines = first.stdout.splitlines()
    assert lines[0].startswith("crawl summary 20"), first.stdout  # dated, for cron logs
    guangzhou = next(line.split() for line in lines if line.startswith("guangzhou "))
    assert guangzhou[1] == "9" and guangzhou[-1] == "ok"  # new reports, status
    assert "'downloader/request_count'" not in first.stdout + first.stderr  # no raw stats dict
    second = run(args)
    assert "Incremental walk" in second.stderr and "Full walk" not in second.stderr


def test_crawlall_summary_is_dated():
    from crawler.summary import format_summary, summarise

    text = format_summary([("guangzhou", summarise({"archive/reports/new": 3, "finish_reason": "finished"}))],
                          "2026-12-04T01:00:00+00:00", "2026-12-04T01:05:00+00:00")
    assert text.splitlines()[0] == "crawl summary 2026-12-04T01:00:00+00:00 – 2026-12-04T01:05:00+00:00"


def test_quiet_network_errors_leaves_no_logging_filter_behind(db_path):
    def filters():
        return {name: list(getattr(logging.getLogger(name), "filters", []))
                for name in ["", *logging.root.manager.loggerDict]}

    before = filters()
    run_crawl("column", {**FAST, "ARCHIVE_DB": db_path}, url="http://127.0.0.1:9/zfxxgknb/")
    run_crawl("column", {**FAST, "ARCHIVE_DB": db_path}, url="http://127.0.0.1:9/zfxxgknb/")
    after = filters()
    added = {name: [f for f in fs if f not in before.get(name, [])] for name, fs in after.items()}
    assert not any(added.values()), added


# --- the archive command -------------------------------------------------------------------------
def test_piping_into_head_is_quiet(gz_archive):
    for command in (["search", "政府信息"], ["show", GZ + "sbj/content/post_10095127.html"], ["export"],
                    ["reports"]):
        shell = " ".join([sys.executable, "-m", "archive.cli", *command, "--db", gz_archive.path]) + " | head -n 1"
        r = subprocess.run(["bash", "-o", "pipefail", "-c", shell.replace("政府信息", "'政府信息'")], cwd=ROOT,
                           capture_output=True, text=True, timeout=120)
        assert "Traceback" not in r.stderr and "BrokenPipe" not in r.stderr, (command, r.stderr)


def test_exported_files_follow_the_umask(gz_archive, tmp_path):
    out = tmp_path / "dump"
    old = os.umask(0o022)
    try:
        r = run([*ARCHIVE, "export", "--db", gz_archive.path, "--format", "dir", "-o", str(out)])
        flat = tmp_path / "all.jsonl"
        r2 = run([*ARCHIVE, "export", "--db", gz_archive.path, "-o", str(flat)])
    finally:
        os.umask(old)
    assert r.returncode == 0 and r2.returncode == 0, r.stderr + r2.stderr
    modes = {(p.is_dir(), p.stat().st_mode & 0o777) for p in [out, *out.rglob("*")]}
    assert modes == {(True, 0o755), (False, 0o644)}
    assert flat.stat().st_mode & 0o777 == 0o644


def test_archive_clean_reads_a_pdf_with_the_file_extractor(tmp_path):
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(corpus_file("kirogovcompare/hzq2023_working.pdf"))
    r = run([*ARCHIVE, "clean", str(pdf)])
    assert r.returncode == 0, r.stderr
    assert "政府信息公开" in r.stdout
    assert "not-html" not in r.stderr + r.stdout


def test_reports_listing_has_a_header_filters_json_and_csv(gz_archive):
    base = [*ARCHIVE, "reports", "--db", gz_archive.path]
    plain = run(base)
    assert plain.returncode == 0
    header = plain.stdout.splitlines()[0].split()
    assert {"portal", "section", "report_year", "title", "url"} <= set(header)
    assert all(len(line.split("\t")) == len(header) for line in plain.stdout.splitlines())
    as_json = [json.loads(line) for line in run([*base, "--json"]).stdout.splitlines()]
    assert len(as_json) == 9 and {"url", "portal", "report_year", "title"} <= set(as_json[0])
    as_csv = list(csv.DictReader(io.StringIO(run([*base, "--csv"]).stdout)))
    assert [r["url"] for r in as_csv] == [r["url"] for r in as_json]
    years = {r["report_year"] for r in as_json}
    one = sorted(y for y in years if y)[0]
    only = [json.loads(x) for x in run([*base, "--year", str(one), "--json"]).stdout.splitlines()]
    assert only and {r["report_year"] for r in only} == {one}
    assert run([*base, "--portal", "hengyang", "--json"]).stdout == ""


def test_search_says_how_many_more_there_are(gz_archive):
    r = run([*ARCHIVE, "search", "政府信息公开", "--db", gz_archive.path, "--limit", "2"])
    assert r.returncode == 0, r.stderr
    everything = run([*ARCHIVE, "search", "政府信息公开", "--db", gz_archive.path, "--limit", "100"])
    total = sum(1 for line in everything.stdout.splitlines() if not line.startswith(" "))  # snippets indented
    assert total > 2
    assert f"{total - 2} more (of {total})" in r.stdout + r.stderr


# --- existing archives -------------------------------------------------------------------------
def test_a_schema_1_archive_is_upgraded_in_place(tmp_path):
    """An archive written by the first schema (no foreign keys, no reports.column, file errors as
    message prefixes) opens, gains the foreign keys, keeps its rows and full-text index, and
    takes further crawls (gone-marking falls back to the list page a report was found on)."""
    import sqlite_utils

    from archive import schema
    from archive.store import Archive

    path = tmp_path / "v1.db"
    db = sqlite_utils.Database(path)
    with db.atomic():
        db["meta"].create({"key": str, "value": str}, pk="key")
        schema._v1(db)
        db["meta"].insert({"key": "schema_version", "value": "1"})
        db["fetches"].insert({"id": 1, "job_id": "j1", "spider": "guangzhou", "url": GZ + "bm/x.html",
                              "status": 200, "report_url": GZ + "bm/x.html", "version_id": 1})
        db["versions"].insert({"id": 1, "report_url": GZ + "bm/x.html", "fetch_id": 1,
                               "text": "本机关2023年政府信息公开工作年度报告", "text_simplified": None})
        db["reports"].insert({"url": GZ + "bm/x.html", "portal": "guangzhou", "section": "bm",
                              "title": "x", "report_year": 2023, "found_on": GZ + "bm/",
                              "current_version": 1, "version_count": 1, "listed_in_job": "j1"})
        db["files"].insert({"sha256": "ab" * 32, "size": 3, "kind": "pdf", "error": "encrypted: needs a password"})
    db.close()

    archive = Archive(path)
    assert schema.version_of(archive.db) == schema.SCHEMA_VERSION
    keys = {(fk.table, fk.column, fk.other_table) for t in ("versions", "reports", "fetches", "attachments")
            for fk in archive.db[t].foreign_keys}
    assert {("versions", "report_url", "reports"), ("reports", "current_version", "versions"),
            ("fetches", "version_id", "versions"), ("attachments", "sha256", "files")} <= keys
    assert archive.db.execute("select error_kind from files").fetchone()[0] == "encrypted"
    assert archive.search("政府信息公开").total == 1  # the index survived the table rebuilds
    # a schema-1 report has no column: the list page it was found on places it
    assert archive.mark_gone("guangzhou", GZ, "j2") == [GZ + "bm/x.html"]
    assert archive.mark_gone("guangzhou", "https://www.gz.gov.cn/other/", "j3") == []
    archive.close()
    assert sqlite3.connect(path).execute("pragma integrity_check").fetchone()[0] == "ok"


def test_table_rows_keep_empty_cells_whatever_the_table_came_from():
    """One rule for a table row as a text line: HTML pages and files (XLSX, DOCX) alike keep an
    empty cell, so a value stays in its column."""
    import openpyxl
    import docx

    from archive.clean import clean_html
    from archive.files import extract

    book = openpyxl.Workbook()
    for row in (["项目", "数量", "备注"], ["规章", None, "无"]):
        book.active.append(row)
    xlsx = io.BytesIO()
    book.save(xlsx)
    document = docx.Document()
    table = document.add_table(rows=2, cols=3)
    for i, row in enumerate((["项目", "数量", "备注"], ["规章", "", "无"])):
        for j, value in enumerate(row):
            table.cell(i, j).text = value
    word = io.BytesIO()
    document.save(word)
    page = ("<html><body><div id='zoomcon'><p>本机关2023年政府信息公开工作年度报告如下。</p><table border=1>"
            "<tr><td>项目</td><td>数量</td><td>备注</td></tr><tr><td>规章</td><td></td><td>无</td></tr>"
            "</table></div></body></html>")
    for text in (extract(xlsx.getvalue(), "t.xlsx").text, extract(word.getvalue(), "t.docx").text,
                 clean_html(page, "http://127.0.0.1/a.html").text):
        assert "规章 |  | 无" in text.splitlines(), text
