"""The statutory tables as numbers (archive.figures, ``archive figures``): a hand-entered gold
report, constructed variants of messy markup, planted inconsistencies, bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from archive.figures import T3_COLUMNS, T4_COLUMNS, T4_GROUPS, parse_value, read_figures
from archive.files import extract
from tests.figure_kit import (TABLE2_2019, TABLE2_2019_HTML, TABLE2_2021_CELLS, consistent_values, docx_with, flattened,
                              table3_2019_html, table3_html, table4_html, tables, values_2019, xlsx_with)
from tests.paths import CORPUS, DATA, ROOT, SHARED, corpus_file

ARCHIVE = [sys.executable, "-m", "archive.cli"]


def figures_of(*html, **kw):
    return read_figures([({"from": "test"}, tables(*html))])


def failing(f):
    return sorted((c["rule"], c["column"]) for c in f.checks if not c["ok"])


GOLD = sorted(p.name for p in DATA.glob("figures_gold_*.json"))


def _gold_sources(gold):
    """The document as the archive reads it: a corpus file through the file readers (its grids
    and its text), a seed text as the text of a stored version."""
    if gold.get("root") == "seeds":
        path = SHARED / "seeds" / gold["source"].split("/", 1)[1]
        if not path.is_file():
            pytest.skip(f"shared seeds not available: {gold['source']}")
        return [({"from": "seed"}, [], path.read_bytes().decode("utf-8"))]
    read = extract(corpus_file(gold["source"]), gold["source"])
    return [({"from": "file"}, read.tables, read.text)]


def test_gold_set_covers_every_real_report_with_the_tables():
    assert len(GOLD) == 6  # the three report PDFs, seeds 001 and 004, the DOCX template


@pytest.mark.parametrize("name", GOLD)
def test_gold_every_cell_right_and_every_published_inconsistency_flagged(name):
    gold = json.loads((DATA / name).read_bytes().decode("utf-8"))
    f = read_figures(_gold_sources(gold))
    assert f.template == gold["template"]
    assert f.numbers("table2") == gold["table2"]
    assert f.numbers("table3") == {k: dict(zip(T3_COLUMNS, v)) for k, v in gold["table3"].items()}
    assert f.numbers("table4") == {k: dict(zip(T4_COLUMNS, v)) for k, v in gold["table4"].items()}
    assert failing(f) == sorted(map(tuple, gold["failing_checks"]))
    assert not f.problems


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
    assert figures_of(prose) is None  # a 办理结果 summary in prose is no table 三
    f = figures_of(pre, prose)
    assert not f.statutory and f.template == "pre2019" and not f.checks
    assert [(r["label"], r["unit"], r["values"]) for r in f.table_pre2019] == [
        ("申请总数", "条", [3]), ("同意公开答复数", "条", [2])]


def test_pre_2019_tables_flattened_one_cell_per_line():
    """Seed 003 (2008) and seed 000 (2013): 附表 flattened one cell per line, with and without
    units, an empty value cell ("|" alone), thousands separators; the page chrome after the
    last 附表 is no row of it."""
    rows = {}
    for seed in ("003", "000"):
        path = next((SHARED / "seeds").glob(f"{seed}_*.txt"), None)
        if path is None:
            pytest.skip("shared seeds not available")
        f = read_figures([({"from": "seed"}, [], path.read_bytes().decode("utf-8"))])
        assert f.template == "pre2019" and not f.statutory and not f.problems
        rows[seed] = {(r["label"], r["unit"]): r["values"] for r in f.table_pre2019}
    assert len(rows["003"]) == 30 and len(rows["000"]) == 28
    assert rows["003"][("主动公开信息数", "条")] == [160]
    assert rows["003"][("新增的行政规范性文件数", "条")] == [None]
    assert rows["003"][("网站专栏页面访问量", "人次")] == [1363546]
    assert rows["000"][("网站专栏页面访问量", "人次")] == [64764090]
    assert rows["000"][("行政诉讼数", None)] == [2]
    assert not any("扫一扫" in label for label, _ in rows["000"])


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
    assert r.returncode == 1 and "no statutory table" in r.stderr and "3 other table(s)" in r.stderr, r.stderr


@pytest.mark.parametrize("shape", ["cells", "tabs", "pipes"])
def test_tables_flattened_into_text_are_read_as_the_grids_were(shape):
    values = consistent_values()
    t4 = [1, 0, 0, 0, 1] + [0] * 5 + [0, 0, 0, 1, 1]
    grids = tables(table3_html(values), table4_html(t4))
    text = "二、主动公开政府信息情况\n" + TABLE2_2021_CELLS + "\n三、收到和处理政府信息公开申请情况。\n" + \
        "\n".join(flattened(g, shape) + "\n四、政府信息公开行政复议、行政诉讼情况。" for g in grids)
    f = read_figures([({"from": "page"}, [], text)])
    assert f.numbers("table3") == figures_of(table3_html(values)).numbers("table3")
    assert f.numbers("table4") == {g: dict(zip(T4_COLUMNS, t4[5 * i:5 * i + 5])) for i, g in enumerate(T4_GROUPS)}
    assert f.source["table3"]["flattened"] and failing(f) == [] and not f.problems
    t2 = f.numbers("table2")
    assert t2["normative_docs"] == {"issued": 2, "repealed": 1, "in_force": 15} and t2["licensing"]["decisions"] == 1204
    assert t2["enforcement"]["decisions"] is None and t2["fees"]["amount"] == 0.5 and f.template == "2021"


def test_a_flattened_table_split_by_a_page_break_with_its_header_repeated():
    values = consistent_values()
    values["total"][0] += 1  # planted: 自然人 handled one too many
    values["total"][6] += 1
    lines = flattened(tables(table3_html(values))[0], "tabs").split("\n")
    header, body = lines[:3], lines[3:]
    text = "\n".join(header + body[:9] + ["", "", "— 3 —", ""] + header + body[9:])
    f = read_figures([({"from": "attachment"}, [], text)])
    assert set(f.table3) == set(values) and f.table3["total"]["natural_person"]["value"] == 12
    assert failing(f) == [("t3_balance", "natural_person"), ("t3_balance", "total"),
                          ("t3_outcomes", "natural_person"), ("t3_outcomes", "total")]


def test_rows_out_of_order_are_read_by_their_labels():
    values = consistent_values()
    html = table3_html(values)
    rows = html.split("<tr>")
    new = next(i for i, r in enumerate(rows) if "本年新收" in r)
    over = next(i for i, r in enumerate(rows) if "上年结转" in r)
    rows[new], rows[over] = rows[over], rows[new]  # 二、上年结转 printed before 一、本年新收
    f = figures_of("<tr>".join(rows))
    assert f.numbers("table3") == figures_of(html).numbers("table3") and failing(f) == []


def test_grids_win_over_the_same_table_flattened_in_the_text():
    values = consistent_values()
    grid = tables(table3_html(values))
    other = consistent_values()
    other["new"] = [99, 0, 0, 0, 0, 0, 99]
    text = flattened(tables(table3_html(other))[0], "pipes")
    f = read_figures([({"from": "page"}, grid, text)])
    assert f.table3["new"]["natural_person"]["value"] == 10 and "flattened" not in f.source["table3"]


def test_a_row_printed_twice_is_said_not_silently_overwritten():
    values = consistent_values()
    html = table3_html(values)
    first = html.index("<tr><td colspan=\"3\">一、本年新收")
    end = html.index("</tr>", first) + 5
    again = html[first:end].replace("<td>10</td>", "<td>99</td>")
    f = figures_of(html[:end] + again + html[end:])
    assert f.table3["new"]["natural_person"]["value"] == 10
    assert any("new appears again" in p for p in f.problems)


def test_a_huge_flattened_text_is_no_crash():
    rows = "\n".join(["一、本年新收政府信息公开申请数量\t1\t0\t0\t0\t0\t0\t1"] * 100_000 + ["（七）总计\t1\t0\t0\t0\t0\t0\t1"])
    f = read_figures([({"from": "page"}, [], rows)])
    assert f.table3["new"]["total"]["value"] == 1
    assert len(f.problems) == 51 and f.problems[-1] == "… and 99949 more problem(s)"


def test_cli_on_a_text_copy_flattened_and_pre_2019():
    seeds = SHARED / "seeds"
    new, old = next(seeds.glob("004_*.txt"), None), next(seeds.glob("003_*.txt"), None)
    if new is None or old is None:
        pytest.skip("shared seeds not available")
    r = subprocess.run([*ARCHIVE, "figures", str(new), "--json"], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["template"] == "2021" and out["table2"]["licensing"]["decisions"] == 489
    assert out["source"]["table3"]["flattened"] is True
    r = subprocess.run([*ARCHIVE, "figures", str(old)], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 1 and "a pre-2019 附表 of 30 labelled row(s)" in r.stderr
    assert "网站专栏页面访问量" in r.stdout and "1363546" in r.stdout


def test_the_2019_template_its_columns_changes_and_procurement():
    values = values_2019()
    f = figures_of(TABLE2_2019_HTML, table3_2019_html(values), table4_html([0] * 15))
    assert f.template == "2019" and f.numbers("table2") == TABLE2_2019
    assert f.numbers("table3") == {k: dict(zip(T3_COLUMNS, v)) for k, v in values.items()}
    assert failing(f) == [] and not f.problems
    # without 表二, 表三's single （六） row still tells the template
    assert figures_of(table3_2019_html(values)).template == "2019"


@pytest.mark.parametrize("kind", ["docx", "xlsx"])
def test_tables_in_word_and_excel_attachments(kind, tmp_path):
    values = consistent_values()
    values["granted"][1] = 4  # planted: 商业企业 granted 4, so its column and the row no longer add up
    grids = tables(table3_html(values), table4_html([1, 0, 0, 0, 1] + [0] * 10))
    body = docx_with(grids) if kind == "docx" else xlsx_with(grids)
    path = tmp_path / f"附件.{kind}"
    path.write_bytes(body)
    r = subprocess.run([*ARCHIVE, "figures", str(path), "--json"], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["table3"] == {k: dict(zip(T3_COLUMNS, v)) for k, v in values.items()}
    assert out["table4"]["review"] == {"upheld": 1, "corrected": 0, "other": 0, "pending": 0, "total": 1}
    assert sorted((c["rule"], c["column"]) for c in out["checks"] if not c["ok"]) == [
        ("t3_columns", "granted"), ("t3_outcomes", "business")]
    assert out["problems"] == []


def test_a_table_that_only_looks_like_table_3_is_passed_over():
    summary = ("<table><tr><td>项目</td><td>件数</td></tr><tr><td>本年新收申请</td><td>12</td></tr>"
               "<tr><td>办理结果：予以公开</td><td>5</td></tr><tr><td>总计</td><td>12</td></tr></table>")
    values = consistent_values()
    f = figures_of(summary, table3_html(values))
    assert f.source["table3"]["table_index"] == 1 and not f.problems
    assert f.numbers("table3") == {k: dict(zip(T3_COLUMNS, v)) for k, v in values.items()}
    alone = figures_of(summary)
    assert alone is None  # never its 12 presented as 表三's figures
