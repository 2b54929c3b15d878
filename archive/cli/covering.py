"""``archive coverage``: agencies × years, each cell the report stored (or its absence), and the years
missing past their deadline (``archive.coverage``)."""

from __future__ import annotations

import csv
import sys
from datetime import date

from .. import coverage as cov
from .. import registry as reg
from ..store import ArchiveError
from .common import open_archive, years


def register(sub, common) -> None:
    p = sub.add_parser("coverage", parents=[common],
                       help="agencies × years: the reports stored, and those missing past their deadline",
                       description="Every agency of the registry and every agency the stored reports name, by year: "
                                   "the report found (ok, late), or its absence (MISSING when its deadline has passed: "
                                   "since 2019 31 January of the next year for a department, 31 March for a "
                                   "government; before 2019 31 March; nothing owed before 2008). Exit status 1 when "
                                   "a report is missing.")
    p.add_argument("--region", help="only agencies within this 行政区划代码 (440000: the province; 440100: the city "
                                    "and its districts; 440113: the district)")
    p.add_argument("--years", help="years to show, 2019-2025 or 2021 (default: 2019 to last year)")
    p.add_argument("--csv", action="store_true", help="CSV, one row per agency and year (status, deadline, report)")
    p.add_argument("--registry", help="registry CSV (default: $ARCHIVE_REGISTRY, else the shipped one)")
    p.add_argument("--today", help="the date deadlines are judged on, YYYY-MM-DD (default: today)")
    p.set_defaults(func=run)


def run(args) -> int:
    today = date.today()
    if args.today:
        try:
            today = date.fromisoformat(args.today)
        except ValueError:
            raise ArchiveError(f"--today must be a date like 2026-04-01, not {args.today!r}") from None
    if args.region and (why := reg.region_problem(args.region)):
        raise ArchiveError(f"--region: {why}")
    span = years(args.years) or (cov.REVISED_FROM, max(cov.REVISED_FROM, today.year - 1))
    try:
        rows = reg.load(args.registry).rows
    except reg.RegistryError as exc:
        raise ArchiveError(str(exc)) from exc
    result = cov.coverage(open_archive(args), rows, span, args.region, today)
    if not result.agencies:
        print(f"archive coverage: no agency{' within ' + args.region if args.region else ''} in the registry or "
              f"the archive", file=sys.stderr)
        return 1
    if args.csv:
        writer = csv.DictWriter(sys.stdout, cov.CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(cov.csv_rows(result))
    else:
        print(cov.text(result))
    return 1 if result.missing() else 0
