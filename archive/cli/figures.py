"""``archive figures``: a report's statutory tables as numbers, with the template's checks."""

from __future__ import annotations

import hashlib
import json
import sys
import unicodedata
from pathlib import Path

from .. import figure_store
from ..figures import T3_COLUMNS, T4_COLUMNS, Figures, read_figures
from ..decode import DecodeError, decode_html
from ..files import Extracted
from ..ingest import NotReadable, read_saved
from .common import open_archive, portals, years


def register(sub, common) -> None:
    p = sub.add_parser("figures", parents=[common], help="a report's statistics tables (表二/三/四) as numbers, checked",
                       description="The tables of the 2019/2021 national template, read from a stored report "
                                   "(its page and attachments) or from a saved page or file, with the "
                                   "template's consistency checks.")
    p.add_argument("target", nargs="?", help="a stored report URL, or a saved HTML page / PDF / DOCX / XLS(X) file")
    p.add_argument("--json", action="store_true", help="template, tables, checks and sources as JSON")
    p.add_argument("--rebuild", action="store_true",
                   help="recompute the stored figures of every version in the archive (after an upgrade)")
    p.set_defaults(func=figures)
    c = sub.add_parser("check", parents=[common], help="reports whose statistics tables break the template's checks",
                       description="Every failed consistency check of the current versions (exit 1 if any).")
    c.add_argument("--portal", action="append", help="only this portal (repeat or comma-separate)")
    c.add_argument("--years", help="only reports of these years: 2019-2024 or 2021")
    c.add_argument("--json", action="store_true", help="one JSON object per failed check, one per line")
    c.set_defaults(func=check)


def check(args) -> int:
    archive = open_archive(args)
    failed = list(figure_store.failing_checks(archive, portals(args), years(args.years)))
    for c in failed:
        if args.json:
            print(json.dumps(c, ensure_ascii=False))
        else:
            note = " (blank cells counted as 0)" if c["nulls_as_zero"] else ""
            print(f"{c['url']}\t{c['agency'] or ''}\t{c['report_year'] or ''}\t{c['rule']} {c['column_key']}: "
                  f"expected {c['expected']}, found {c['found']}{note}")
    reports = len({c["url"] for c in failed})
    print(f"archive check: {len(failed)} failed check(s) in {reports} report(s)", file=sys.stderr)
    return 1 if failed else 0


def figures(args) -> int:
    if args.rebuild:
        if args.target:
            print("archive figures: --rebuild takes no target (it recomputes the whole archive)", file=sys.stderr)
            return 2
        counts = figure_store.rebuild(open_archive(args))
        print("archive figures --rebuild: {versions} version(s) in {seconds} s: {statutory} with statutory tables, "
              "{pre2019} pre-2019 附表 only, {none} without; {checks_failed} failing a check".format(**counts),
              file=sys.stderr)
        return 0
    if not args.target:
        print("archive figures: give a stored report URL or a saved file (or --rebuild)", file=sys.stderr)
        return 2
    sources = _sources(args)
    if sources is None:
        return 2
    found = read_figures(sources)
    if found is None or not found.statutory:
        n = sum(len(s[1]) for s in sources)
        instead = (f"a pre-2019 附表 of {len(found.table_pre2019)} labelled row(s) (printed)" if found
                   else "no pre-2019 附表 either")
        print(f"archive figures: {args.target}: no statutory table (表三 or 表四) found; "
              f"{n} other table(s) in {len(sources)} source(s); {instead}", file=sys.stderr)
    if found is None:
        return 1
    if args.json:
        json.dump(found.to_json(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(render(found))
    return 0 if found.statutory else 1


def _sources(args):
    if args.target.startswith(("http://", "https://")):
        sources = open_archive(args).table_sources(args.target)
        if sources is None:
            print(f"archive figures: not a stored report: {args.target}", file=sys.stderr)
        return sources
    try:
        result = read_saved(args.target, None, None)
    except NotReadable as exc:
        print(f"archive figures: {exc}", file=sys.stderr)
        return None
    body = Path(args.target).read_bytes()
    where = {"from": "file", "path": Path(args.target).name, "sha256": hashlib.sha256(body).hexdigest()}
    if Path(args.target).suffix.lower() in (".txt", ".tsv"):  # a text copy: its tables are flattened
        try:
            return [(where, [], decode_html(body, "text/plain").text)]
        except DecodeError as exc:
            print(f"archive figures: {args.target}: {exc}", file=sys.stderr)
            return None
    if isinstance(result, Extracted):
        return [(where, result.tables or [], result.text)]
    cleaned = result.cleaned
    return [(where, cleaned.tables if cleaned else [], cleaned.text if cleaned else None)]


def _grid(title: str, columns, rows: dict) -> list[str]:
    if not rows:
        return []
    cols = list(columns) or sorted({c for r in rows.values() for c in r})
    names = list(rows)
    width = max(len(n) for n in names)
    cw = [max(len(c), 6) for c in cols]
    lines = [title, " " * width + "  " + "  ".join(f"{c:>{w}}" for c, w in zip(cols, cw))]
    for name in names:
        cells = [rows[name].get(c) for c in cols]
        lines.append(f"{name:<{width}}  " + "  ".join(
            f"{'' if v is None or 'value' not in v or v['value'] is None else v['value']:>{w}}"
            if isinstance(v, dict) else f"{'':>{w}}" for v, w in zip(cells, cw)))
    return lines + [""]


def _width(text: str) -> int:
    """Columns a text takes in a terminal: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _pre2019(rows: list[dict]) -> list[str]:
    if not rows:
        return []
    width = max(_width(r["label"]) for r in rows)
    lines, section = ["附表 (pre-2019: labelled rows as published)"], None
    for r in rows:
        if r["section"] != section:
            section = r["section"]
            lines.append(f"  {section}")
        values = "  ".join("" if v is None else str(v) for v in r["values"])
        lines.append(f"    {_pad(r['label'], width)}  {_pad(r['unit'] or '', 4)}  {values}")
    return lines + [""]


def render(f: Figures) -> str:
    lines = [f"template {f.template or 'unknown'}", ""]
    lines += _pre2019(f.table_pre2019)
    t2_cols = list(dict.fromkeys(c for r in f.table2.values() for c in r))
    lines += _grid("table 二", t2_cols, f.table2)
    lines += _grid("table 三", T3_COLUMNS, f.table3)
    lines += _grid("table 四", T4_COLUMNS, f.table4)
    failed = [c for c in f.checks if not c["ok"]]
    if f.statutory:
        lines.append(f"checks: {len(f.checks) - len(failed)} of {len(f.checks)} hold")
    for c in failed:
        note = " (blank cells counted as 0)" if c.get("nulls_as_zero") else ""
        lines.append(f"  FAILS {c['rule']} {c['column']}: expected {c['expected']}, found {c['found']}{note}")
    lines += [f"  problem: {p}" for p in f.problems]
    for name, where in f.source.items():
        lines.append(f"{name} from {where.get('from')} {where.get('url') or where.get('path') or ''} "
                     f"table {where.get('table_index')}")
    return "\n".join(lines) + "\n"
