"""``archive coverage``: agencies × years with the deadlines of the regulation, as text, CSV and the
web view's canned query (which must say the same as the command)."""

from __future__ import annotations

import csv
import io
import sqlite3
from datetime import date

import pytest

from archive import coverage as cov
from archive import registry as reg
from archive.cli import main
from archive.store import Archive
from tests.test_registry import row, write_registry


def test_deadlines_follow_the_regulation():
    assert cov.deadline(2019, government=False) == date(2020, 1, 31)  # revised 条例 art. 49: departments
    assert cov.deadline(2019, government=True) == date(2020, 3, 31)  # art. 50: governments
    assert cov.deadline(2018, government=False) == date(2019, 3, 31)  # 2008 条例 art. 31: everyone
    assert cov.deadline(2008, government=True) == date(2009, 3, 31)
    assert cov.deadline(2007, government=True) is None  # nothing owed before the 2008 regulation


@pytest.fixture
def archive(tmp_path):
    """Reports of a city government, one of its departments and a district, inserted directly."""
    path = str(tmp_path / "a.db")
    a = Archive(path)
    reports = [
        ("甲市人民政府", 2022, "2023-03-20"), ("甲市人民政府", 2023, "2024-04-10"),  # 2023: late
        ("甲市教育局", 2023, "2024-01-15"), ("甲市 教育局", 2018, "2019-03-01"),  # a space in the name: the same agency
        ("甲市乙区人民政府", 2023, "2024-02-01"),  # not in the registry: known from its reports
        (None, 2023, "2024-01-01"),  # names no agency
    ]
    a.db["reports"].insert_all([{"url": f"http://x.gov.cn/{i}", "portal": "jia", "agency": ag, "report_year": y,
                                 "pub_date": d, "title": f"{ag}{y}年政府信息公开工作年度报告", "current_version": i + 1}
                                for i, (ag, y, d) in enumerate(reports)])
    a.close()
    return path


@pytest.fixture
def registry(tmp_path):
    return write_registry(tmp_path / "r.csv", [
        row(id="jia", agency="甲市人民政府", region_code="440100", level="city", column="https://www.jia.gov.cn/nb/"),
        row(id="jia-jyj", agency="甲市教育局", region_code="440100", level="department", parent="jia",
            column="https://jyj.jia.gov.cn/nb/"),
        row(id="bing", agency="丙县人民政府", region_code="640324", level="county", column="https://www.bing.gov.cn/nb/"),
    ])


def _matrix(archive, registry, today, years=(2022, 2024), region=None):
    return cov.coverage(Archive(archive), reg.load(registry).rows, years, region, today)


def test_cells_before_and_after_the_deadline(archive, registry):
    # 2024's reports: a department's is due 31 January 2025, a government's 31 March 2025
    jan, feb, april = date(2025, 1, 31), date(2025, 2, 1), date(2025, 4, 1)
    for today, department, government in ((jan, "pending", "pending"), (feb, "missing", "pending"),
                                          (april, "missing", "missing")):
        m = _matrix(archive, registry, today)
        assert m.cells["甲市教育局", 2024].status == department, today
        assert m.cells["甲市人民政府", 2024].status == government, today
    m = _matrix(archive, registry, april)
    assert m.cells["甲市人民政府", 2022].status == "found"
    assert m.cells["甲市人民政府", 2023].status == "late"  # published 2024-04-10, due 2024-03-31
    assert m.cells["甲市教育局", 2023].status == "found" and m.cells["甲市教育局", 2022].status == "missing"
    assert [c.year for a, c in m.missing() if a.name == "丙县人民政府"] == [2022, 2023, 2024]
    district = next(a for a in m.agencies if a.name == "甲市乙区人民政府")
    assert (district.source, district.level, district.region_code) == ("reports", "government", "440100")
    assert m.unnamed == 1
    old = _matrix(archive, registry, april, years=(2006, 2018))
    assert old.cells["甲市 教育局".replace(" ", ""), 2018].status == "found"
    assert old.cells["甲市人民政府", 2007].status == "not-owed" and old.cells["甲市人民政府", 2008].status == "missing"


def test_region_filter(archive, registry):
    today = date(2025, 4, 1)
    city = {a.name for a in _matrix(archive, registry, today, region="440100").agencies}
    assert city == {"甲市人民政府", "甲市教育局", "甲市乙区人民政府"}
    assert {a.name for a in _matrix(archive, registry, today, region="440000").agencies} == city
    assert {a.name for a in _matrix(archive, registry, today, region="640324").agencies} == {"丙县人民政府"}
    assert _matrix(archive, registry, today, region="440113").agencies == []


def test_command_text_csv_and_exit_status(archive, registry, capsys):
    args = ["coverage", "--db", archive, "--registry", registry, "--years", "2022-2024", "--today", "2025-04-01"]
    assert main(args) == 1  # reports are missing
    out = capsys.readouterr().out
    assert "4 agencies × 3 years as of 2025-04-01" in out and "MISSING" in out and "late" in out
    assert "丙县人民政府 (a government, due by 31 March): 2022 2023 2024" in out
    assert main(args + ["--csv"]) == 1
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 4 * 3 and set(rows[0]) == set(cov.CSV_COLUMNS)
    late = next(r for r in rows if r["agency"] == "甲市人民政府" and r["year"] == "2023")
    assert (late["status"], late["deadline"], late["pub_date"]) == ("late", "2024-03-31", "2024-04-10")
    assert main(["coverage", "--db", archive, "--registry", registry, "--years", "2023", "--today", "2024-01-10",
                 "--region", "440100"]) == 0  # nothing due yet
    for bad in (["--region", "4401"], ["--region", "990000"], ["--today", "next week"], ["--years", "soon"]):
        assert main(["coverage", "--db", archive, "--registry", registry, *bad]) == 2
        assert capsys.readouterr().err.count("\n") == 1


def test_the_canned_query_says_what_the_command_says(archive, registry):
    from archive.web.metadata import coverage_sql

    rows = reg.load(registry).rows
    sql = coverage_sql([2022, 2023, 2024], rows, params=True)
    db = sqlite3.connect(archive)
    db.row_factory = sqlite3.Row
    for today, region in (("2025-02-01", ""), ("2025-04-01", ""), ("2025-04-01", "440100"), ("2024-06-01", "640324")):
        got = {r["agency"]: (r["missing"] or "") for r in db.execute(sql, {"today": today, "region": region})}
        m = _matrix(archive, registry, date.fromisoformat(today), region=region or None)
        want = {a.name: " ".join(str(c.year) for b, c in m.missing() if b is a) for a in m.agencies}
        if region in ("", "440100"):  # the reports naming no agency, in their portal's region
            want["(agency unknown)"] = ""
        assert got == want, (today, region)
    counted = {r["agency"]: (r["2023"], r["reports"]) for r in db.execute(sql, {"today": "", "region": ""})}
    assert counted["甲市教育局"] == (1, 2) and counted["(agency unknown)"] == (1, 1)


def test_coverage_of_the_replayed_guangzhou_crawl(gz_archive, capsys):
    """Every stored report with an agency and a year of the span is a found (or late) cell."""
    db = sqlite3.connect(gz_archive.path)
    stored = {(cov.agency_key(a), y) for a, y in db.execute(
        "select agency, report_year from reports where current_version is not null and agency is not null "
        "and report_year between 2010 and 2025")}
    m = cov.coverage(Archive(gz_archive.path), reg.load().rows, (2010, 2025), today=date(2026, 6, 1))
    found = {k for k, c in m.cells.items() if c.status in ("found", "late")}
    assert found == stored and stored
    assert main(["coverage", "--db", gz_archive.path, "--years", "2010-2025", "--today", "2026-06-01",
                 "--region", "440100"]) == 1
    assert "广州市人民政府" in capsys.readouterr().out


def test_the_web_view_lists_the_registry_given(archive, registry):
    from tests.test_web import Client

    client = Client(archive, registry=registry)
    try:
        rows = client.json("/archive/coverage.json?_shape=array&region=640324&today=2025-04-01")
    finally:
        client.close()
    assert [(r["agency"], r["missing"]) for r in rows] == [("丙县人民政府", "2018 2019 2020 2021 2022 2023 2024")]  # 2018: a year the archive holds
