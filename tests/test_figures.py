"""The statutory tables as numbers (archive.figures, ``archive figures``): a hand-entered gold
report, constructed variants of messy markup, planted inconsistencies, bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from archive.figures import T3_COLUMNS, T4_COLUMNS, T4_GROUPS, parse_value, read_figures
from archive.files import extract
from tests.figure_kit import consistent_values, table3_html, table4_html, tables
from tests.paths import CORPUS, DATA, ROOT, corpus_file

ARCHIVE = [sys.executable, "-m", "archive.cli"]


def figures_of(*html, **kw):
    return read_figures([({"from": "test"}, tables(*html))])


def failing(f):
    return sorted((c["rule"], c["column"]) for c in f.checks if not c["ok"])


def test_gold_report_every_cell_right_and_its_published_inconsistency_flagged():
    gold = json.loads((DATA / "figures_gold_hzq2023.json").read_bytes().decode("utf-8"))
    body = corpus_file(gold["source"])
    f = read_figures([({"from": "file"}, extract(body, gold["source"]).tables)])
    assert f.template == gold["template"]
    assert f.numbers("table2") == gold["table2"]
    assert f.numbers("table3") == {k: dict(zip(T3_COLUMNS, v)) for k, v in gold["table3"].items()}
    assert f.numbers("table4") == {k: dict(zip(T4_COLUMNS, v)) for k, v in gold["table4"].items()}
    assert failing(f) == sorted(map(tuple, gold["failing_checks"]))
    assert not f.problems


@pytest.mark.parametrize("rel", ["kirogovcompare/hzq2024_working.pdf", "govnianbao/szfgs2024.pdf"])
def test_real_reports_hold_every_check(rel):
    f = read_figures([({"from": "file"}, extract(corpus_file(rel), rel).tables)])
    assert f.template == "2021" and len(f.table3) >= 23 and set(f.table4) == set(T4_GROUPS)
    assert failing(f) == [] and not f.problems


def test_the_template_docx_is_read_as_empty_cells_not_zeros():
    rel = "govnianbao/政务公开年报模版.docx"
    f = read_figures([({"from": "file"}, extract(corpus_file(rel), rel).tables)])
    assert f.template == "2021" and len(f.table3) == 25
    values = [v for row in f.numbers("table3").values() for v in row.values()]
    assert values and all(v is None for v in values)
    assert all(c.get("nulls_as_zero") for c in f.checks)


def test_constructed_table_every_cell_and_every_check():
    values = consistent_values()
    f = figures_of(table3_html(values), table4_html([1, 0, 0, 0, 1] + [0] * 5 + [0, 0, 0, 1, 1]))
    assert f.numbers("table3") == {k: dict(zip(T3_COLUMNS, v)) for k, v in values.items()}
    assert f.template == "2021" and failing(f) == [] and not f.problems
    assert len([c for c in f.checks if c["rule"] == "t3_balance"]) == 7


def test_unnumbered_sub_rows_and_headers_that_do_not_line_up():
    values = consistent_values()
    plain = figures_of(table3_html(values)).numbers("table3")
    messy = figures_of(table3_html(values, numbered=False, wide_person_header=True))
    assert messy.numbers("table3") == plain and failing(messy) == []


def test_full_width_digits_units_and_null_markers():
    assert parse_value("２１") == (21, True) and parse_value("21件") == (21, True)
    assert parse_value("73802895.90元") == (73802895.90, True) and parse_value("−18") == (-18, True)
    assert parse_value("0.5") == (0.5, True) and parse_value("1,234") == (1234, True)
    for blank in ("", "—", "/", "无", " "):
        assert parse_value(blank) == (None, True)
    assert parse_value("见附件") == (None, False)
    values = consistent_values()
    f = figures_of(table3_html(values, cell=lambda v: "—" if v == 0 else f"{v}件".translate(
        str.maketrans("0123456789", "０１２３４５６７８９"))))
    t3 = f.numbers("table3")
    assert t3["new"]["natural_person"] == 10 and t3["new"]["research"] is None  # never a silent 0
    balance = {c["column"]: c for c in f.checks if c["rule"] == "t3_balance"}
    assert failing(f) == [] and balance["research"]["nulls_as_zero"] and "nulls_as_zero" not in balance["natural_person"]


def test_planted_inconsistencies_are_flagged_and_nothing_else():
    values = consistent_values()
    values["total"][0] += 1  # 自然人 total one too many (and 总计 with it: the row still adds up)
    values["total"][6] += 1
    values["refused_6"][6] = 5  # a row whose 总计 is not the sum of its columns
    f = figures_of(table3_html(values), table4_html([1, 0, 0, 0, 2] + [0] * 10))
    # 10 + 3 ≠ 12 + 2 and 15 ≠ 16 + 0; outcomes 11 ≠ 12 and, in 总计, 6+1+5+4+1 = 17 ≠ 14
    assert failing(f) == sorted([
        ("t3_balance", "natural_person"), ("t3_balance", "total"), ("t3_outcomes", "natural_person"),
        ("t3_outcomes", "total"), ("t3_columns", "refused_6"), ("t4_groups", "review")])
    assert f.table3["total"]["natural_person"]["value"] == 12  # kept as published


def test_text_in_a_number_cell_is_a_problem_not_a_number():
    values = consistent_values()
    html = table3_html(values).replace("<td>5</td>", "<td>五件</td>", 1)
    f = figures_of(html)
    assert f.table3["granted"]["natural_person"]["value"] is None
    assert any("not a number" in p and "五件" in p for p in f.problems)


def test_a_row_with_a_missing_column_is_left_out_and_said():
    values = consistent_values()
    html = table3_html(values).replace("<td>3</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>3</td>",
                                       "<td>3</td><td>0</td><td>0</td><td>0</td><td>0</td><td>3</td>", 1)
    f = figures_of(html)
    assert "carried_over" not in f.table3
    assert any("carried_over" in p and "6 value cells" in p for p in f.problems)


def test_pre_2019_tables_and_prose_are_not_statutory_tables():
    pre = ("<table><tr><td>指标</td><td>单位</td><td>数量</td></tr><tr><td>申请总数</td><td>条</td><td>3</td></tr>"
           "<tr><td>同意公开答复数</td><td>条</td><td>2</td></tr></table>")
    prose = "<table><tr><td>本年新收申请12件，办理结果：予以公开5件，总计12件。</td></tr></table>"
    assert figures_of(pre, prose) is None


def test_a_huge_table_is_no_crash():
    rows = "".join(f"<tr><td>第{i}行</td><td>{i}</td></tr>" for i in range(100_000))
    assert figures_of(f"<table>{rows}</table>") is None


def test_cli_on_a_file_and_on_a_stored_report(gz_archive, tmp_path):
    pdf = CORPUS / "kirogovcompare" / "hzq2023_working.pdf"
    corpus_file("kirogovcompare/hzq2023_working.pdf")
    r = subprocess.run([*ARCHIVE, "figures", str(pdf), "--json"], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert set(out) >= {"template", "table2", "table3", "table4", "checks", "source"}
    assert out["table3"]["new"]["natural_person"] == 21 and out["source"]["table3"]["table_index"] == 1
    text = subprocess.run([*ARCHIVE, "figures", str(pdf)], cwd=ROOT, capture_output=True, text=True).stdout
    assert "FAILS t4_groups review: expected 11, found 0" in text
    # a stored page in traditional characters from a mirror (結(jié)轉(zhuǎn)): its tables are found
    url = "https://www.gz.gov.cn/zfjgzy/gzsrmzfbgt/zfxxgknb/gq/content/post_9441205.html"
    r = subprocess.run([*ARCHIVE, "figures", url, "--db", gz_archive.path, "--json"], cwd=ROOT,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["template"] == "2021" and len(out["table3"]) == 25 and out["source"]["table3"]["from"] == "page"
    # a pre-2019 report: exit 1, saying what was found instead
    old = "https://www.gz.gov.cn/zfjgzy/gzsrmzfbgt/zfxxgknb/gq/content/post_4398216.html"
    r = subprocess.run([*ARCHIVE, "figures", old, "--db", gz_archive.path], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 1 and "no statutory table" in r.stderr and "3 other table(s)" in r.stderr
