"""``archive`` command line: the library's functions, one sub-command each.

    archive clean PAGE.html [--url URL] [--json]   clean a saved page (bytes in, as in the crawl)
    archive reports [--db archive.db]              list stored reports
    archive show URL [--db archive.db]             print a stored report's current text
    archive history URL [--diff A B]               a report's versions; diff of two (default: last two)
    archive search TERMS… [--portal P]              reports whose text holds every term
    archive export --format jsonl|csv|dir [-o OUT] [--portal P] [--years 2019-2024] [--no-gone]
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from pathlib import Path

from .export import FORMATS, export, search
from .ingest import examine
from .meta import parse_years
from .store import Archive, ArchiveError, default_path


def _cmd_clean(args) -> int:
    path = Path(args.page)
    if not path.is_file():
        print(f"archive clean: no such file: {path}", file=sys.stderr)
        return 2
    body = path.read_bytes()
    headers = {"Content-Type": [args.content_type]} if args.content_type else {}
    result = examine(200, headers, body, args.url)
    if not result.is_report_page:
        print(f"archive clean: {path}: {result.kind}: {result.reason}", file=sys.stderr)
        return 1
    cleaned = result.cleaned
    if args.json:
        out = {
            "url": args.url,
            "text": cleaned.text,
            "metadata": cleaned.metadata,
            "tables": cleaned.tables,
            "attachments": cleaned.attachments,
            "removed": cleaned.removed,
            "container": cleaned.container,
            "extractor": cleaned.extractor,
            **result.decoded.as_provenance(),
        }
        json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(cleaned.text + "\n")
    return 0


def _open(args) -> Archive:
    if not Path(args.db).is_file():
        raise ArchiveError(f"no archive database at {args.db}")
    return Archive(args.db)


def _cmd_reports(args) -> int:
    archive = _open(args)
    rows = archive.conn.execute(
        "SELECT portal, section, report_year, pub_date, title, url, version_count FROM reports "
        "ORDER BY portal, section, report_year, url"
    ).fetchall()
    for row in rows:
        print("\t".join("" if v is None else str(v) for v in row))
    return 0


def _cmd_show(args) -> int:
    archive = _open(args)
    row = archive.conn.execute(
        "SELECT v.text FROM reports r JOIN versions v ON v.id = r.current_version WHERE r.url = ?", (args.url,)
    ).fetchone()
    if row is None:
        print(f"archive show: no report stored for {args.url}", file=sys.stderr)
        return 1
    print(row[0])
    return 0


def _cmd_history(args) -> int:
    archive = _open(args)
    versions = archive.history(args.url)
    report = archive.known_report(args.url)
    if not versions:
        print(f"archive history: no report stored for {args.url}", file=sys.stderr)
        return 1
    print(f"{args.url}")
    if report and report.get("gone_since"):
        print(f"  gone: no longer listed since {report['gone_since']}")
    print(f"  {'version':>7}  {'stored at':<25} {'raw sha256':<14} {'text sha256':<14} {'chars':>6}  fetch")
    for v in versions:
        mark = "*" if report and v["id"] == report.get("current_version") else " "
        print(f"{mark} {v['id']:>7}  {v['created_at']:<25} {v['raw_sha256'][:12]:<14} {v['clean_sha256'][:12]:<14} "
              f"{v['chars']:>6}  #{v['fetch_id']} HTTP {v['status']} ({v['job_id']})")
    ids = [v["id"] for v in versions]
    if args.diff:
        a, b = args.diff
        for vid in (a, b):
            if vid not in ids:
                print(f"archive history: version {vid} is not a version of {args.url} (versions: {ids})", file=sys.stderr)
                return 2
    elif len(ids) >= 2:
        a, b = ids[-2], ids[-1]
    else:
        return 0
    old, new = archive.version_text(a), archive.version_text(b)
    diff = difflib.unified_diff(old.splitlines(), new.splitlines(), f"version {a}", f"version {b}", lineterm="")
    print()
    print("\n".join(diff) or f"(versions {a} and {b} have the same text; their tables differ)")
    return 0


def _portals(args) -> list[str]:
    return [p.strip() for p in ",".join(args.portal or []).split(",") if p.strip()]


def _cmd_search(args) -> int:
    archive = _open(args)
    hits = search(archive, " ".join(args.terms), _portals(args), args.limit)
    for hit in hits:
        print(f"{hit['portal']}\t{hit['report_year'] or ''}\t{hit['title']}\t{hit['url']}")
        print(f"    {hit['snippet']}")
    if not hits:
        print("archive search: nothing found", file=sys.stderr)
        return 1
    return 0


def _cmd_export(args) -> int:
    try:
        years = parse_years(args.years)
    except ValueError as exc:
        print(f"archive export: {exc}", file=sys.stderr)
        return 2
    archive = _open(args)
    count = export(archive, args.format, args.output, _portals(args), years, include_gone=not args.no_gone,
                   stdout=sys.stdout)
    if args.output is not None:
        print(f"exported {count} reports to {args.output}", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="archive", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("clean", help="print the cleaned text of a saved page")
    p.add_argument("page")
    p.add_argument("--url", help="the page's URL (resolves attachment links)")
    p.add_argument("--content-type", help="Content-Type header the server sent, if known")
    p.add_argument("--json", action="store_true", help="text, metadata, tables and removed chrome as JSON")
    p.set_defaults(func=_cmd_clean)

    for name, func, helptext in (("reports", _cmd_reports, "list stored reports"),
                                 ("show", _cmd_show, "print a stored report's current text"),
                                 ("history", _cmd_history, "a report's versions, and the diff of two of them")):
        p = sub.add_parser(name, help=helptext)
        if name in ("show", "history"):
            p.add_argument("url")
        if name == "history":
            p.add_argument("--diff", nargs=2, type=int, metavar=("A", "B"),
                           help="versions to compare (default: the last two)")
        p.add_argument("--db", default=default_path(), help="archive database (default: %(default)s)")
        p.set_defaults(func=func)

    p = sub.add_parser("search", help="reports whose current text holds every term")
    p.add_argument("terms", nargs="+", help="words to find (3+ characters use the full-text index)")
    p.add_argument("--portal", action="append", help="only this portal (repeat or comma-separate)")
    p.add_argument("--limit", type=int, default=20, help="at most this many reports (default %(default)s)")
    p.add_argument("--db", default=default_path(), help="archive database (default: %(default)s)")
    p.set_defaults(func=_cmd_search)

    p = sub.add_parser("export", help="reports with their provenance as JSON Lines, CSV or a folder")
    p.add_argument("--format", choices=FORMATS, default="jsonl",
                   help="jsonl: everything, one report per line; csv: metadata and provenance columns; "
                        "dir: a folder per report with text, tables, raw bytes and attachments (default %(default)s)")
    p.add_argument("-o", "--output", help="output file (dir: a new or empty directory); default standard output")
    p.add_argument("--portal", action="append", help="only this portal (repeat or comma-separate)")
    p.add_argument("--years", help="only reports of these years: 2019-2024 or 2021")
    p.add_argument("--no-gone", action="store_true", help="leave out reports no longer listed on their portal")
    p.add_argument("--db", default=default_path(), help="archive database (default: %(default)s)")
    p.set_defaults(func=_cmd_export)

    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except ArchiveError as exc:
        print(f"archive: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
