"""``archive`` command line: the library's functions, one sub-command each (as sqlite-utils' CLI
wraps its Python API). Every command that reads the archive takes ``--db`` (default
``$ARCHIVE_DB`` or ``archive.db``).

    archive clean PAGE|FILE [--url URL] [--json]     read a saved page or file as the crawl would
    archive reports [--portal P] [--year Y] [--json|--csv]   list stored reports
    archive show URL                                 a stored report's current text
    archive history URL [--diff A B]                 a report's versions; the diff of two
    archive search TERMS… [--portal P] [--limit N]   reports whose text holds every term
    archive export --format jsonl|csv|dir|figures [-o OUT]   reports with their provenance; figures CSV
    archive export --format warc|wacz -o FILE [--job J]   every exchange as received (WARC/WACZ)
    archive import-warc FILE… [--portals M:F]          WARC responses stored as if crawled
    archive stats [--json]                           rows and bytes per table, bytes per report
    archive figures URL|FILE [--json]               the statistics tables as numbers, checked
    archive figures --rebuild                        recompute the stored figures of every version
    archive check [--portal P] [--json]              reports whose figures fail a check
    archive serve [--port 8001] [--allow-sql]        the archive in a web browser (Datasette, read-only)
    archive coverage [--region CODE] [--years Y] [--csv]   agencies × years: reports found, missing past deadline
    archive registry check [FILE]                    every problem of a registry of columns
    archive registry discovered [--json]             the columns discovery crawls found, with evidence
    archive registry add --from-discoveries          confirmed discoveries into the registry
    archive merge SOURCE…                            other archives (workers') into this one, idempotently

Exit status: 0 done, 1 nothing found / not a report / records refused, 2 bad input (usage, no archive,
a file that is not a WARC or ends mid-record).
"""

from __future__ import annotations

import argparse
import os
import sys

from ..store import ArchiveError, default_path
from . import covering, exporting, figures, merging, pages, reading, registering, serving, warcs

COMMANDS = (pages, reading, exporting, figures, serving, warcs, registering, covering, merging)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="archive", description=__doc__.split("\n")[0])
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", default=default_path(), help="archive database (default: %(default)s)")
    sub = top.add_subparsers(dest="command", required=True)
    for module in COMMANDS:
        module.register(sub, common)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except ArchiveError as exc:
        print(f"archive: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # the reader went away (`archive search … | head`): nothing more to say, and no traceback
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0

