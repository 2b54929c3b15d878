"""Statutory tables built as HTML the way portals publish them (2021 template), with the messy
variants real markup shows; read back through the archive's own table parser."""

from __future__ import annotations

import io

import lxml.html

from archive.tables import parse_table

# (group cell, sub-row label, canonical key) in template order
T3_ROWS_2021 = (
    ("一、本年新收政府信息公开申请数量", None, "new"),
    ("二、上年结转政府信息公开申请数量", None, "carried_over"),
    ("（一）予以公开", None, "granted"),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", None, "partly_granted"),
    *(("（三）不予公开", f"{i}.{w}", f"refused_{i}") for i, w in enumerate(
        ("属于国家秘密", "其他法律行政法规禁止公开", "危及“三安全一稳定”", "保护第三方合法权益",
         "属于三类内部事务信息", "属于四类过程性信息", "属于行政执法案卷", "属于行政查询事项"), 1)),
    *(("（四）无法提供", f"{i}.{w}", f"unavailable_{i}") for i, w in enumerate(
        ("本机关不掌握相关政府信息", "没有现成信息需要另行制作", "补正后申请内容仍不明确"), 1)),
    *(("（五）不予处理", f"{i}.{w}", f"not_handled_{i}") for i, w in enumerate(
        ("信访举报投诉类申请", "重复申请", "要求提供公开出版物", "无正当理由大量反复申请",
         "要求行政机关确认或重新出具已获取信息"), 1)),
    *(("（六）其他处理", f"{i}.{w}", f"other_{i}") for i, w in enumerate(
        ("申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
         "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "其他"), 1)),
    ("（七）总计", None, "total"),
    ("四、结转下年度继续办理", None, "carried_forward"),
)


def consistent_values() -> dict[str, list]:
    """Figures that satisfy every check: 12 new + 3 carried over = 13 handled + 2 carried forward."""
    handled = {"granted": [5, 1, 0, 0, 0, 0], "partly_granted": [1, 0, 0, 0, 0, 0], "refused_6": [1, 0, 0, 0, 0, 0],
               "unavailable_1": [3, 1, 0, 0, 0, 0], "not_handled_2": [1, 0, 0, 0, 0, 0]}
    values = {key: [0] * 6 for _, _, key in T3_ROWS_2021}
    values.update(handled)
    values["new"] = [10, 2, 0, 0, 0, 0]
    values["carried_over"] = [3, 0, 0, 0, 0, 0]
    values["total"] = [11, 2, 0, 0, 0, 0]
    values["carried_forward"] = [2, 0, 0, 0, 0, 0]
    return {k: v + [sum(v)] for k, v in values.items()}


def table3_html(values: dict[str, list], *, numbered: bool = True, wide_person_header: bool = False,
                cell=str) -> str:
    """Table 三 as HTML: the 三、本年度办理结果 cell spans the outcome rows, group cells span their
    sub-rows. ``numbered=False`` drops the sub-rows' "1." numbers; ``wide_person_header`` makes
    the 自然人 header span two columns over one data column (headers that do not line up);
    ``cell`` renders a value."""
    person = '<td rowspan="2" colspan="2">自然人</td>' if wide_person_header else '<td rowspan="2">自然人</td>'
    head = ('<tr><td colspan="3" rowspan="3">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td>'
            '<td colspan="7">申请人情况</td></tr>'
            f'<tr>{person}<td colspan="5">法人或其他组织</td><td rowspan="2">总计</td></tr>'
            '<tr><td>商业企业</td><td>科研机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td></tr>')
    body, groups_done = [], set()
    outcome_rows = [r for r in T3_ROWS_2021 if r[2] not in ("new", "carried_over", "carried_forward")]
    for group, sub, key in T3_ROWS_2021:
        tds = "".join(f"<td>{cell(v)}</td>" for v in values[key])
        if key in ("new", "carried_over", "carried_forward"):
            body.append(f'<tr><td colspan="3">{group}</td>{tds}</tr>')
            continue
        lead = ""
        if key == "granted":
            lead = f'<td rowspan="{len(outcome_rows)}">三、本年度办理结果</td>'
        if sub is None:
            body.append(f'<tr>{lead}<td colspan="2">{group}</td>{tds}</tr>')
            continue
        if group not in groups_done:
            groups_done.add(group)
            n = sum(1 for g, s, _ in T3_ROWS_2021 if g == group)
            lead += f'<td rowspan="{n}">{group}</td>'
        label = sub if numbered else sub.split(".", 1)[1]
        body.append(f"<tr>{lead}<td>{label}</td>{tds}</tr>")
    return f"<table border='1'>{head}{''.join(body)}</table>"


def table4_html(values: list) -> str:
    groups = "".join(f"<td>{w}</td>" for _ in range(3) for w in ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计"))
    return ("<table><tr><td colspan='5'>行政复议</td><td colspan='10'>行政诉讼</td></tr>"
            "<tr><td colspan='5'></td><td colspan='5'>未经复议直接起诉</td><td colspan='5'>复议后起诉</td></tr>"
            f"<tr>{groups}</tr><tr>{''.join(f'<td>{v}</td>' for v in values)}</tr></table>")


def tables(*html: str) -> list[dict]:
    """HTML tables → the grids the archive stores."""
    return [parse_table(lxml.html.fragment_fromstring(h)).to_json() for h in html]


def flattened(table: dict, shape: str) -> str:
    """A grid as text the way tables reach us flattened: ``cells`` one cell per line (the
    cells that start in each row, empty ones dropped), ``tabs`` one row per line with a tab per
    column (PDF text: a spanned column is an empty cell), ``pipes`` the archive's own rendering."""
    starts: dict[int, dict[int, str]] = {}
    for cell in table["cells"]:
        starts.setdefault(cell["r"], {})[cell["c"]] = cell["text"]
    lines = []
    for r in range(table["n_rows"]):
        own = starts.get(r, {})
        if shape == "cells":
            lines += [own[c] for c in sorted(own) if own[c]]
        elif shape == "tabs":
            lines.append("\t".join(own.get(c, "") for c in range(table["n_cols"])))
        else:
            lines.append(" | ".join(own[c] for c in sorted(own)))
    return "\n".join(lines)


TABLE2_2021_CELLS = """第二十条第（一）项
信息内容
本年制发件数
本年废止件数
现行有效件数
规章
0
0
3
行政规范性文件
2
1
15
第二十条第（五）项
信息内容
本年处理决定数量
行政许可
1,204
第二十条第（六）项
信息内容
本年处理决定数量
行政处罚
87
行政强制
—
第二十条第（八）项
信息内容
本年收费金额（单位：万元）
行政事业性收费
0.5"""


# 2019 template: 表二 with its four column headers and 政府集中采购; 表三 with one （六）其他处理 row
TABLE2_2019_HTML = """<table border="1">
<tr><td colspan="4">第二十条第（一）项</td></tr>
<tr><td>信息内容</td><td>本年新制作数量</td><td>本年新公开数量</td><td>对外公开总数量</td></tr>
<tr><td>规章</td><td>0</td><td>0</td><td>4</td></tr>
<tr><td>规范性文件</td><td>3</td><td>3</td><td>27</td></tr>
<tr><td colspan="4">第二十条第（五）项</td></tr>
<tr><td>信息内容</td><td>上一年项目数量</td><td>本年增/减</td><td>处理决定数量</td></tr>
<tr><td>行政许可</td><td>56</td><td>-18</td><td>2,310</td></tr>
<tr><td>其他对外管理服务事项</td><td>12</td><td>＋2</td><td>40</td></tr>
<tr><td colspan="4">第二十条第（六）项</td></tr>
<tr><td>信息内容</td><td>上一年项目数量</td><td>本年增/减</td><td>处理决定数量</td></tr>
<tr><td>行政处罚</td><td>8</td><td>0</td><td>117</td></tr>
<tr><td>行政强制</td><td>3</td><td>/</td><td>9</td></tr>
<tr><td colspan="4">第二十条第（八）项</td></tr>
<tr><td>信息内容</td><td>上一年项目数量</td><td colspan="2">本年增/减</td></tr>
<tr><td>行政事业性收费</td><td>5</td><td colspan="2">-1</td></tr>
<tr><td colspan="4">第二十条第（九）项</td></tr>
<tr><td>信息内容</td><td>采购项目数量</td><td colspan="2">采购总金额</td></tr>
<tr><td>政府集中采购</td><td>14</td><td colspan="2">73802895.90元</td></tr>
</table>"""
TABLE2_2019 = {
    "rules": {"made": 0, "published": 0, "total_published": 4},
    "normative_docs": {"made": 3, "published": 3, "total_published": 27},
    "licensing": {"last_year": 56, "change": -18, "decisions": 2310},
    "other_services": {"last_year": 12, "change": 2, "decisions": 40},
    "penalty": {"last_year": 8, "change": 0, "decisions": 117},
    "enforcement": {"last_year": 3, "change": None, "decisions": 9},
    "fees": {"last_year": 5, "change": -1},
    "procurement": {"projects": 14, "amount": 73802895.90},
}


def values_2019() -> dict[str, list]:
    """consistent_values() with the 2019 template's single （六）其他处理 row."""
    values = consistent_values()
    for k in ("other_1", "other_2", "other_3"):
        values.pop(k)
    values["other"] = [0] * 7
    return values


def table3_2019_html(values: dict[str, list]) -> str:
    html = table3_html({**values, **{k: [0] * 7 for k in ("other_1", "other_2", "other_3")}})
    start = html.index('<tr><td rowspan="3">（六）其他处理</td>')
    end = html.index("<tr><td colspan=\"2\">（七）总计")
    row = "<tr><td colspan=\"2\">（六）其他处理</td>" + "".join(f"<td>{v}</td>" for v in values["other"]) + "</tr>"
    return html[:start] + row + html[end:]


def docx_with(grids: list[dict], trailing_empty_row: bool = True) -> bytes:
    """A Word document holding the grids as tables (merged cells as Word merges them), each with
    the empty last row Word exports often leave."""
    import docx

    document = docx.Document()
    document.add_paragraph("三、收到和处理政府信息公开申请情况")
    for grid in grids:
        n_rows, n_cols = grid["n_rows"], grid["n_cols"]
        table = document.add_table(rows=n_rows + int(trailing_empty_row), cols=n_cols)
        for cell in grid["cells"]:
            top = table.cell(cell["r"], cell["c"])
            bottom = table.cell(cell["r"] + cell["rowspan"] - 1, cell["c"] + cell["colspan"] - 1)
            merged = top.merge(bottom) if (cell["rowspan"], cell["colspan"]) != (1, 1) else top
            merged.text = cell["text"]
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_with(grids: list[dict]) -> bytes:
    """A workbook, one sheet per grid, merged ranges as the grid's spans."""
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for i, grid in enumerate(grids):
        sheet = book.create_sheet(f"表{i + 1}")
        for cell in grid["cells"]:
            r, c = cell["r"] + 1, cell["c"] + 1
            text = cell["text"]
            sheet.cell(r, c, int(text) if text.isdigit() else text)
            if (cell["rowspan"], cell["colspan"]) != (1, 1):
                sheet.merge_cells(start_row=r, start_column=c, end_row=r + cell["rowspan"] - 1,
                                  end_column=c + cell["colspan"] - 1)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
