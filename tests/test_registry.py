"""The registry as data: the shipped file passes its check, the portals and spiders are made from it,
a user's registry replaces it (``-s ARCHIVE_REGISTRY`` / ``$ARCHIVE_REGISTRY`` / ``--registry``), and
every kind of problem is one line naming its row."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import subprocess
import sys

import pytest

from archive import registry as reg
from archive.cli import main
from crawler.run import run_crawl
from tests.paths import CASSETTES, DATA, ROOT

SHIPPED_IDS = {"guangzhou", "panyu", "tongxin", "songyuan", "hengyang"}
# the real 行政区划代码 of the five portals' governments
CODES = {"guangzhou": "440100", "panyu": "440113", "tongxin": "640324", "songyuan": "220700", "hengyang": "430400"}


def write_registry(path, rows: list[dict], fields=reg.FIELDS) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fields, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: row.get(k, "") for k in fields})
    path.write_bytes(buffer.getvalue().encode("utf-8"))
    return str(path)


def shipped_rows() -> list[dict]:
    return [dict(r.raw) for r in reg.read().rows]


def row(**cells) -> dict:
    base = {"id": "example", "agency": "示例县人民政府", "region_code": "440113", "level": "county",
            "column": "https://www.example.gov.cn/zwgk/zfxxgknb/", "platform": "trs", "status": "active"}
    return {**base, **cells}


def test_the_shipped_registry_has_no_problems_and_the_five_portals():
    registry = reg.read()
    assert reg.check(registry) == []
    assert registry.source == reg.SHIPPED
    assert {r.id: r.region_code for r in registry.rows} == CODES
    assert main(["registry", "check"]) == 0


def test_the_platforms_a_registry_may_name_are_the_crawler_modules():
    from crawler.platforms import PLATFORM_NAMES

    assert set(reg.PLATFORMS) == set(PLATFORM_NAMES)


def test_portals_are_the_registry_rows():
    from crawler.portals import PORTALS

    registry = reg.read()
    assert set(PORTALS) == SHIPPED_IDS
    for r in registry.rows:
        p = PORTALS[r.id]
        assert (p.column, p.platform, p.hosts, p.sections, p.region_code, p.agency) == \
               (r.column, r.platform, r.hosts, r.sections, r.region_code, r.agency)
    # what the records said before they were data
    assert PORTALS["guangzhou"].sections == {"sbj": "市本级", "bm": "市政府部门", "gq": "各区"}
    assert PORTALS["songyuan"].default_section == "ndbg" and PORTALS["guangzhou"].containers == ("#zoomcon",)
    assert PORTALS["panyu"].region == "广州市番禺区" and PORTALS["panyu"].parent == "guangzhou"


def test_an_alternate_column_belongs_to_its_portal():
    from crawler.portals import registered_portal

    old = "https://www.panyu.gov.cn/zwgk/zfxxgkml/xxgkml/zfxxgkndbg/content/post_4957094.html"
    assert registered_portal(old).name == "panyu"
    assert registered_portal("https://www.panyu.gov.cn/zwgk/other/post_1.html") is None


@pytest.mark.parametrize("cells, problem", [
    ({"platform": "dedecms"}, "unknown platform 'dedecms'"),
    ({"region_code": "44011"}, "region code '44011' is not 6 digits"),
    ({"region_code": "990100"}, "does not start with a province's code"),
    ({"level": "county", "region_code": "440100"}, "level county does not fit region code 440100, a city's code"),
    ({"level": "ministry"}, "unknown level 'ministry'"),
    ({"column": "htp://www.example.gov.cn/x/"}, "column URL 'htp://www.example.gov.cn/x/': not http(s)"),
    ({"column": "https:///zwgk/"}, "no valid host"),
    ({"homepage": "https://www.exa mple.gov.cn/"}, "it holds a space"),
    ({"parent": "nowhere"}, "unknown parent 'nowhere'"),
    ({"parent": "example"}, "cannot be its own parent"),
    ({"id": "Example One"}, "must be lower-case letters"),
    ({"id": "column"}, "the name of one of the crawler's own spiders"),
    ({"id": "discover"}, "the name of one of the crawler's own spiders"),
    ({"status": "maybe"}, "unknown status 'maybe'"),
    ({"agency": ""}, "agency is empty"),
    ({"sections": "bm部门"}, "section 'bm部门' is not key=label"),
    ({"hosts": "other.gov.cn"}, "which hosts does not list"),
    ({"platform": "gkmlpt", "column": "https://www.example.gov.cn/gkmlpt/index"}, "names its category"),
    ({"scheme": "ftp"}, "scheme 'ftp' is not http or https"),
])
def test_each_problem_is_one_line_with_its_row(tmp_path, capsys, cells, problem):
    path = write_registry(tmp_path / "r.csv", shipped_rows() + [row(**cells)])
    assert main(["registry", "check", path]) == 1
    out = capsys.readouterr().out.strip().splitlines()
    assert any(problem in line and line.startswith(f"{path}: line 7: ") for line in out), out


def test_duplicates_and_columns_inside_columns(tmp_path, capsys):
    rows = shipped_rows() + [
        row(id="guangzhou", column="https://www.example.gov.cn/a/"),  # duplicate id
        row(id="gz-again", column="http://www.gz.gov.cn/zfjgzy/gzsrmzfbgt/zfxxgknb/index.html",  # http = https
            hosts="www.gz.gov.cn", region_code="440100", level="city"),
        row(id="inner", column="https://www.hengyang.gov.cn/xxgk/szfxxgkml/zfxxgkndbg/szfxxgk/",
            hosts="www.hengyang.gov.cn", region_code="430400", level="city"),
        row(id="district", parent="guangzhou", region_code="430421"),  # not within 广州市
    ]
    path = write_registry(tmp_path / "r.csv", rows)
    assert main(["registry", "check", path]) == 1
    out = capsys.readouterr().out
    assert "line 7: duplicate id 'guangzhou' (also on line 2)" in out
    assert "line 8: duplicate column http://www.gz.gov.cn/zfjgzy/gzsrmzfbgt/zfxxgknb/index.html (also on line 2 (guangzhou))" in out
    assert "line 9: column https://www.hengyang.gov.cn/xxgk/szfxxgkml/zfxxgkndbg/szfxxgk/ lies inside hengyang's column" in out
    assert "line 10: region code 430421 is not within its parent guangzhou's region 440100" in out


def test_parent_cycles_are_found(tmp_path, capsys):
    path = write_registry(tmp_path / "r.csv", [
        row(id="a", parent="b", column="https://a.gov.cn/x/"), row(id="b", parent="a", column="https://b.gov.cn/x/")])
    assert main(["registry", "check", path]) == 1
    assert "cycle" in capsys.readouterr().out


@pytest.mark.parametrize("content, message", [
    (None, "no registry file"),
    (b"", "is empty"),
    ("id,agency\n中,文\n".encode("gbk"), "is not UTF-8"),
    (b"name,url\nx,https://x.gov.cn/\n", "is not a registry"),
    (b"\x00\x01binary", "is not a CSV text file"),
])
def test_an_unreadable_registry_is_exit_status_2_and_one_line(tmp_path, capsys, content, message):
    path = tmp_path / "r.csv"
    if content is not None:
        path.write_bytes(content)
    assert main(["registry", "check", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err


def test_header_problems_and_a_bom(tmp_path, capsys):
    text = "\ufeff" + ",".join(reg.FIELDS) + ",extra\n"
    (tmp_path / "r.csv").write_bytes(text.encode("utf-8"))
    assert main(["registry", "check", str(tmp_path / "r.csv")]) == 1
    assert "line 1: unknown column 'extra'" in capsys.readouterr().out


def _scrapy(args: list[str], env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scrapy.cmdline", *args], cwd=ROOT, capture_output=True,
                          env={**os.environ, **(env or {})}, timeout=120)


def test_scrapy_list_follows_the_registry_given(tmp_path):
    mine = write_registry(tmp_path / "mine.csv", shipped_rows() + [row(id="example-county")])
    listed = _scrapy(["list"])
    assert listed.returncode == 0 and "example-county" not in listed.stdout.decode()
    own = set(listed.stdout.decode().split()) - SHIPPED_IDS  # the crawler's own spiders (column …)
    assert "column" in own and SHIPPED_IDS <= set(listed.stdout.decode().split())
    with_setting = _scrapy(["list", "-s", f"ARCHIVE_REGISTRY={mine}"])
    assert with_setting.returncode == 0
    assert set(with_setting.stdout.decode().split()) == {*own, *SHIPPED_IDS, "example-county"}
    with_env = _scrapy(["list"], {"ARCHIVE_REGISTRY": mine})
    assert "example-county" in with_env.stdout.decode().split()
    retired = write_registry(tmp_path / "retired.csv", [
        row(status="retired"), row(id="other", column="https://other.gov.cn/x/")])
    assert set(_scrapy(["list", "-s", f"ARCHIVE_REGISTRY={retired}"]).stdout.decode().split()) == {*own, "other"}


def test_a_registry_with_problems_stops_the_crawler_in_one_line(tmp_path):
    bad = write_registry(tmp_path / "bad.csv", [row(platform="dedecms")])
    for args in (["list"], ["crawl", "guangzhou"], ["crawlall"]):
        done = _scrapy([*args, "-s", f"ARCHIVE_REGISTRY={bad}", "-s", f"ARCHIVE_DB={tmp_path / 'a.db'}"])
        err = done.stderr.decode()
        assert done.returncode == 2, (args, err)
        assert "unknown platform 'dedecms'" in err and "Traceback" not in err
    assert not (tmp_path / "a.db").exists()


def test_column_spider_by_registry_id(tmp_path):
    m = json.loads((DATA / "tongxin_manifest.json").read_bytes().decode("utf-8"))
    stats = run_crawl("column", {"CASSETTE": str(CASSETTES / "tongxin.yaml"), "ARCHIVE_DB": str(tmp_path / "t.db"),
                                 "LOG_LEVEL": "WARNING"}, portal="tongxin")
    assert stats["archive/platform"] == "trs" and not stats.get("cassette/miss")
    db = sqlite3.connect(tmp_path / "t.db")
    assert {(u, p) for u, p in db.execute("select url, portal from reports")} == \
           {(r["url"], "tongxin") for r in m["reports"]}


def test_column_spider_portal_arguments():
    from crawler.spiders.column import ColumnSpider

    with pytest.raises(ValueError, match="no portal 'nowhere'"):
        ColumnSpider.check_arguments(portal="nowhere")
    with pytest.raises(ValueError, match="is not a column of the portal guangzhou"):
        ColumnSpider.check_arguments(portal="guangzhou", url="https://www.panyu.gov.cn/zwgk/zfxxgk/zfxxgknb/")
    ColumnSpider.check_arguments(portal="panyu", url="https://www.panyu.gov.cn/zwgk/zfxxgkml/xxgkml/zfxxgkndbg/")


def test_a_user_registry_row_crawls_a_gkmlpt_category(tmp_path):
    """A row of a user's registry is a spider: here a gkmlpt column (its category in the URL)."""
    from tests.test_platforms import GK, _gkmlpt_cassette

    cassette = _gkmlpt_cassette(tmp_path / "gk.yaml")
    mine = write_registry(tmp_path / "mine.csv", [row(
        id="panyu-gkmlpt", agency="广州市番禺区人民政府", column=f"{GK}/gkmlpt/index#2801", platform="gkmlpt")])
    from crawler.portals import use_registry

    try:
        stats = run_crawl("panyu-gkmlpt", {"CASSETTE": cassette, "ARCHIVE_DB": str(tmp_path / "g.db"),
                                           "ARCHIVE_REGISTRY": mine, "LOG_LEVEL": "WARNING"})
    finally:
        use_registry()  # the shipped registry again for the tests that follow
    assert stats["finish_reason"] == "finished" and not stats.get("cassette/miss") and not stats.get("archive/failed")
    db = sqlite3.connect(tmp_path / "g.db")
    assert sorted(t for (t,) in db.execute("select title from reports where portal = 'panyu-gkmlpt'")) == [
        "广州市番禺区2023年政府信息公开工作年度报告", "广州市番禺区2024年政府信息公开工作年度报告"]
