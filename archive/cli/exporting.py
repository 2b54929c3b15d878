"""``archive export``: reports with their provenance, as JSON Lines, CSV or a folder."""

from __future__ import annotations

import sys

from ..export import FORMATS, export, export_web_archive
from ..store import ArchiveError
from .common import open_archive, portals, years


def register(sub, common) -> None:
    p = sub.add_parser("export", parents=[common], help="reports with their provenance as JSON Lines, CSV or a folder; "
                                                        "their figures as CSV; the exchanges as WARC or WACZ")
    p.add_argument("--format", choices=FORMATS, default="jsonl",
                   help="jsonl: everything, one report per line; csv: metadata and provenance columns; "
                        "dir: a folder per report with text, tables, raw bytes and attachments; "
                        "figures: CSV, one row per report, one column per canonical cell of the statistics tables; "
                        "warc: every request and response as received (WARC/1.1, gzip: -o FILE.warc.gz); "
                        "wacz: that WARC with its index and the reports as pages (-o FILE.wacz) "
                        "(default %(default)s)")
    p.add_argument("-o", "--output", help="output file (dir: a new or empty directory); default standard output")
    p.add_argument("--portal", action="append", help="only this portal (repeat or comma-separate)")
    p.add_argument("--years", help="only reports of these years: 2019-2024 or 2021")
    p.add_argument("--no-gone", action="store_true", help="leave out reports no longer listed on their portal")
    p.add_argument("--job", help="warc/wacz: only the exchanges of this crawl job (crawls.job_id)")
    p.set_defaults(func=run)


def run(args) -> int:
    web = args.format in ("warc", "wacz")
    if args.job and not web:
        raise ArchiveError("--job applies to the warc and wacz formats")
    if args.no_gone and web:
        raise ArchiveError("--no-gone does not apply to warc/wacz (they hold the exchanges, gone reports' too)")
    archive = open_archive(args)
    if web:
        written = export_web_archive(archive, args.format, args.output, portals(args), years(args.years), args.job)
        print(f"exported {written.captures} captures ({written.responses} responses, {written.revisits} revisits, "
              f"{written.cassette} replayed from cassettes; {written.records} records, {len(written.pages)} report "
              f"pages) to {args.output}", file=sys.stderr)
        return 0
    count = export(archive, args.format, args.output, portals(args), years(args.years), include_gone=not args.no_gone,
                   stdout=sys.stdout)
    if args.output is not None:
        print(f"exported {count} reports to {args.output}", file=sys.stderr)
    return 0
