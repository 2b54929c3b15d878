"""``archive reports|show|history|search``: reading what is stored."""

from __future__ import annotations

import csv
import difflib
import json
import sys

from ..search import SearchError
from ..store import ArchiveError
from .common import open_archive, portals, years

REPORT_COLUMNS = ("portal", "section", "report_year", "pub_date", "versions", "gone_since", "title", "url")


def register(sub, common) -> None:
    p = sub.add_parser("reports", parents=[common], help="list stored reports")
    p.add_argument("--portal", action="append", help="only this portal (repeat or comma-separate)")
    p.add_argument("--year", help="only reports of these years: 2021 or 2019-2024")
    p.add_argument("--no-gone", action="store_true", help="leave out reports no longer listed on their portal")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="one JSON object per line")
    fmt.add_argument("--csv", action="store_true", help="CSV with a header row")
    p.set_defaults(func=reports)

    p = sub.add_parser("show", parents=[common], help="print a stored report's current text")
    p.add_argument("url")
    p.set_defaults(func=show)

    p = sub.add_parser("history", parents=[common], help="a report's versions, and the diff of two of them")
    p.add_argument("url")
    p.add_argument("--diff", nargs=2, type=int, metavar=("A", "B"), help="versions to compare (default: the last two)")
    p.set_defaults(func=history)

    p = sub.add_parser("search", parents=[common], help="reports whose current text holds every term")
    p.add_argument("terms", nargs="+", help="words to find (all must occur)")
    p.add_argument("--portal", action="append", help="only this portal (repeat or comma-separate)")
    p.add_argument("--limit", type=int, default=20, help="at most this many reports (default %(default)s)")
    p.set_defaults(func=search)


def reports(args) -> int:

    rows = open_archive(args).reports(portals(args), years(args.year), include_gone=not args.no_gone)
    table = [{"portal": r["portal"], "section": r["section"], "report_year": r["report_year"],
              "pub_date": r["pub_date"], "versions": r["version_count"], "gone_since": r["gone_since"],
              "title": r["title"], "url": r["url"]} for r in rows]
    if args.json:
        for row in table:
            print(json.dumps(row, ensure_ascii=False))
    elif args.csv:
        writer = csv.DictWriter(sys.stdout, REPORT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(table)
    else:
        print("\t".join(REPORT_COLUMNS))
        for row in table:
            print("\t".join("" if row[c] is None else str(row[c]) for c in REPORT_COLUMNS))
    if not table:
        print("archive reports: no report matches", file=sys.stderr)
        return 1
    return 0


def show(args) -> int:

    text = open_archive(args).current_text(args.url)
    if text is None:
        print(f"archive show: no report stored for {args.url}", file=sys.stderr)
        return 1
    print(text)
    return 0


def history(args) -> int:

    archive = open_archive(args)
    versions, report = archive.history(args.url), archive.report(args.url)
    if not versions or report is None:
        print(f"archive history: no report stored for {args.url}", file=sys.stderr)
        return 1
    print(args.url)
    if report.get("gone_since"):
        print(f"  gone: no longer listed since {report['gone_since']}")
    print(f"  {'version':>7}  {'stored at':<25} {'raw sha256':<14} {'text sha256':<14} {'chars':>6}  fetch")
    for v in versions:
        mark = "*" if v["id"] == report["current_version"] else " "
        print(f"{mark} {v['id']:>7}  {v['created_at']:<25} {v['raw_sha256'][:12]:<14} {v['clean_sha256'][:12]:<14} "
              f"{v['chars']:>6}  #{v['fetch_id']} HTTP {v['status']} ({v['job_id']})")
    ids = [v["id"] for v in versions]
    if args.diff:
        a, b = args.diff
        wrong = [vid for vid in (a, b) if vid not in ids]
        if wrong:
            raise ArchiveError(f"version {wrong[0]} is not a version of {args.url} (versions: {ids})")
    elif len(ids) >= 2:
        a, b = ids[-2], ids[-1]
    else:
        return 0
    old, new = archive.version_text(a), archive.version_text(b)
    diff = difflib.unified_diff(old.splitlines(), new.splitlines(), f"version {a}", f"version {b}", lineterm="")
    print()
    print("\n".join(diff) or f"(versions {a} and {b} have the same text; their tables differ)")
    return 0


def search(args) -> int:

    try:
        results = open_archive(args).search(" ".join(args.terms), portals(args), args.limit)
    except SearchError as exc:
        raise ArchiveError(str(exc)) from exc
    for hit in results.hits:
        print(f"{hit['portal']}\t{hit['report_year'] or ''}\t{hit['title']}\t{hit['url']}")
        print(f"    {hit['snippet']}")
    if results.more > 0:
        sys.stdout.flush()  # the note comes after the hits, also when both go to one terminal
        print(f"… {results.more} more (of {results.total}); raise --limit to see them", file=sys.stderr)
    if not results.hits:
        print("archive search: nothing found", file=sys.stderr)
        return 1
    return 0
