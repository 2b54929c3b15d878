"""``archive export``: reports with their provenance, as JSON Lines, CSV or a folder."""

from __future__ import annotations

import sys

from ..export import FORMATS, export
from .common import open_archive, portals, years


def register(sub, common) -> None:
    p = sub.add_parser("export", parents=[common], help="reports with their provenance as JSON Lines, CSV or a folder; their figures as CSV")
    p.add_argument("--format", choices=FORMATS, default="jsonl",
                   help="jsonl: everything, one report per line; csv: metadata and provenance columns; "
                        "dir: a folder per report with text, tables, raw bytes and attachments; "
                        "figures: CSV, one row per report, one column per canonical cell of the statistics tables "
                        "(default %(default)s)")
    p.add_argument("-o", "--output", help="output file (dir: a new or empty directory); default standard output")
    p.add_argument("--portal", action="append", help="only this portal (repeat or comma-separate)")
    p.add_argument("--years", help="only reports of these years: 2019-2024 or 2021")
    p.add_argument("--no-gone", action="store_true", help="leave out reports no longer listed on their portal")
    p.set_defaults(func=run)


def run(args) -> int:

    archive = open_archive(args)
    count = export(archive, args.format, args.output, portals(args), years(args.years), include_gone=not args.no_gone,
                   stdout=sys.stdout)
    if args.output is not None:
        print(f"exported {count} reports to {args.output}", file=sys.stderr)
    return 0
