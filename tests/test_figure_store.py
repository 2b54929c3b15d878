"""The figures as stored: written with each version and each attachment, rebuilt for an upgraded
archive, exported as one CSV row per report, listed by ``archive check``."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import subprocess
import sys

import pytest

from archive import figure_store
from archive.files import extract
from archive.records import Fetch, Report, Version
from archive.store import Archive
from tests.figure_kit import consistent_values, table3_html, table4_html, tables
from tests.paths import DATA, ROOT, corpus_file

ARCHIVE = [sys.executable, "-m", "archive.cli"]
URL = "https://example.gov.cn/xxgk/ndbg/202401/t20240125_1.html"
HZQ = "kirogovcompare/hzq2023_working.pdf"


def _store(archive, url=URL, text="本机关2023年政府信息公开工作年度报告。", grids=(), year=2023):
    return archive.store_report(Fetch(url=url, status=200), Report(url=url, portal="example", agency="某局",
                                                                   title=f"{year}年报告", report_year=year),
                                Version(raw=text.encode(), text=text, tables=list(grids)))


def _attach(archive, rel=HZQ, report_url=URL):
    body = corpus_file(rel)
    read = extract(body, rel)
    extracted = {"kind": "pdf", "text": read.text, "tables": read.tables}
    return archive.store_file(Fetch(url=report_url.rsplit("/", 1)[0] + "/" + rel.split("/")[-1], status=200),
                              body, "application/pdf", extracted, report_url=report_url, name=rel.split("/")[-1])


def _sets(archive):
    return {r["report_url"]: r for r in archive.db.query("SELECT * FROM figure_sets")}


def test_a_stored_version_gets_its_figures_cells_and_checks(tmp_path):
    archive = Archive(tmp_path / "a.db")
    values = consistent_values()
    values["refused_6"][6] = 5  # planted
    stored = _store(archive, grids=tables(table3_html(values), table4_html([1, 0, 0, 0, 1] + [0] * 10)))
    s = _sets(archive)[URL]
    assert s["version_id"] == stored.version_id and s["statutory"] == 1 and s["template"] == "2021"
    # its 总计 column no longer adds up either: 1+5+... ≠ 13
    assert json.loads(s["failed"]) == ["t3_outcomes:total", "t3_columns:refused_6"] and s["checks_failed"] == 2
    assert s["cells"] == 25 * 7 + 15
    assert archive.db.execute("SELECT count(*) FROM figures WHERE version_id = ?", [stored.version_id]).fetchone()[0] \
        == s["cells"]
    row = next(archive.db.query("SELECT value, typeof(value) AS t, raw, position, source FROM figures "
                                "WHERE row_key = 'new' AND column_key = 'natural_person'"))
    assert (row["value"], row["t"], row["raw"]) == (10, "integer", "10")
    assert json.loads(row["source"])["from"] == "page" and len(json.loads(row["position"])) == 2
    assert archive.db.execute("SELECT count(*) FROM figure_checks WHERE version_id = ? AND ok = 0",
                              [stored.version_id]).fetchone()[0] == 2


def test_tables_in_an_attachment_stored_after_the_page_become_the_reports_figures(tmp_path):
    archive = Archive(tmp_path / "a.db")
    _store(archive, text="本机关2023年政府信息公开工作年度报告详见附件。")
    assert _sets(archive)[URL]["statutory"] == 0 and _sets(archive)[URL]["template"] is None
    _attach(archive)
    s = _sets(archive)[URL]
    assert s["statutory"] == 1 and json.loads(s["source"])["table3"]["from"] == "attachment"
    assert json.loads(s["failed"]) == ["t4_groups:review", "t4_groups:suit_after_review"]  # as published
    fee = next(archive.db.query("SELECT value, typeof(value) AS t FROM figures WHERE row_key = 'fees'"))
    assert (fee["value"], fee["t"]) == (7730.28, "real")


def test_a_parser_error_costs_the_figures_not_the_version(tmp_path, monkeypatch):
    archive = Archive(tmp_path / "a.db")

    def broken(sources):
        raise RuntimeError("planted")

    monkeypatch.setattr(figure_store, "read_figures", broken)
    stored = _store(archive, grids=tables(table3_html(consistent_values())))
    assert stored.outcome == "new" and archive.current_text(URL)
    s = _sets(archive)[URL]
    assert s["cells"] == 0 and "planted" in json.loads(s["problems"])[0]


def test_an_upgraded_archive_gets_the_same_figures_from_rebuild(gz_copy):
    def stored(path):
        con = sqlite3.connect(path)
        rows = {t: sorted(con.execute(f"SELECT {cols} FROM {t}").fetchall()) for t, cols in (
            ("figures", "version_id, table_name, row_key, column_key, value, raw, position, source"),
            ("figure_checks", "version_id, rule, column_key, ok, expected, found, nulls_as_zero"),
            ("figure_sets", "version_id, template, statutory, cells, checks_failed, failed, source"))}
        con.close()
        return rows

    written = stored(gz_copy)
    assert written["figure_sets"] and written["figures"]
    con = sqlite3.connect(gz_copy)  # back to schema 2, as an archive of the previous round is
    with con:
        for t in ("figures", "figure_checks", "figure_sets"):
            con.execute(f"DROP TABLE {t}")
        con.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    con.close()
    Archive(gz_copy).close()  # the upgrade: empty tables
    assert all(not rows for rows in stored(gz_copy).values())
    r = subprocess.run([*ARCHIVE, "figures", "--rebuild", "--db", gz_copy], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0 and "version(s) in" in r.stderr, r.stderr
    assert stored(gz_copy) == written


def test_export_figures_one_row_per_report_every_canonical_cell(gz_archive, tmp_path):
    out = tmp_path / "figures.csv"
    r = subprocess.run([*ARCHIVE, "export", "--format", "figures", "-o", str(out), "--db", gz_archive.path],
                       cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    reports = sqlite3.connect(gz_archive.path).execute("SELECT count(*) FROM reports").fetchone()[0]
    assert len(rows) == reports
    assert list(rows[0])[:9] == ["portal", "agency", "report_year", "url", "title", "version_id", "template",
                                 "checks_run", "checks_failed"]
    assert "t3.new.natural_person" in rows[0] and "t4.suit_after_review.total" in rows[0]
    hzq = [row for row in rows if row["checks_failed"]]
    assert hzq and all(row["checks_failed"] == "t4_groups:review t4_groups:suit_after_review" for row in hzq)
    assert {row["t4.review.upheld"] for row in hzq} == {"10"} and {row["t2.fees.amount"] for row in hzq} == {"7730.28"}
    old = [row for row in rows if row["template"] == "pre2019"]
    assert old and all(row["t3.new.natural_person"] == "" for row in old)


def test_archive_check_lists_failing_reports_and_exits_1(gz_archive, tmp_path):
    r = subprocess.run([*ARCHIVE, "check", "--db", gz_archive.path], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    assert lines and all("t4_groups" in line and "expected" in line for line in lines)
    assert "failed check(s) in" in r.stderr
    j = subprocess.run([*ARCHIVE, "check", "--json", "--db", gz_archive.path], cwd=ROOT, capture_output=True, text=True)
    first = json.loads(j.stdout.splitlines()[0])
    assert {"url", "rule", "column_key", "expected", "found"} <= set(first)
    archive = Archive(tmp_path / "clean.db")
    _store(archive, grids=tables(table3_html(consistent_values())))
    archive.close()
    ok = subprocess.run([*ARCHIVE, "check", "--db", str(tmp_path / "clean.db")], cwd=ROOT, capture_output=True,
                        text=True)
    assert ok.returncode == 0 and ok.stdout == "" and "0 failed check(s)" in ok.stderr


@pytest.mark.parametrize("name", sorted(p.name for p in DATA.glob("figures_gold_*.json")))
def test_every_gold_cell_has_an_export_column(name):
    gold = json.loads((DATA / name).read_bytes().decode("utf-8"))
    keys = {f"t2.{r}.{c}" for r, cols in gold["table2"].items() for c in cols}
    keys |= {f"t3.{r}.natural_person" for r in gold["table3"]} | {f"t4.{g}.total" for g in gold["table4"]}
    assert keys <= set(figure_store.CELLS)
