"""``archive import-warc`` (WARC files into the archive) and ``archive stats`` (what the file
holds and costs). ``archive export --format warc|wacz`` is in ``exporting``."""

from __future__ import annotations

import importlib
import json
import sys

from ..stats import render, stats
from ..store import Archive, ArchiveError
from .common import open_archive

DEFAULT_RESOLVER = "crawler.importing:resolve"


def register(sub, common) -> None:
    p = sub.add_parser("import-warc", parents=[common],
                       help="store the responses of WARC files (Browsertrix, Heritrix, wget, this archive's export) "
                            "as if crawled")
    p.add_argument("files", nargs="+", metavar="FILE", help="WARC files (.warc or .warc.gz); the archive (--db) is "
                                                            "created if it does not exist")
    p.add_argument("--portals", default=DEFAULT_RESOLVER,
                   help="module:function that names the registered portal of a URL (default: %(default)s; "
                        "'none': every report under warc:<host>)")
    p.add_argument("--max-bytes", type=int, default=50 * 1024 * 1024,
                   help="largest body read from a record (default %(default)s, the crawl's attachment cap); larger "
                        "records are refused and counted")
    p.add_argument("--json", action="store_true", help="the summary as JSON")
    p.set_defaults(func=import_warcs)

    p = sub.add_parser("stats", parents=[common], help="rows and bytes per table, bytes per report, compression")
    p.add_argument("--json", action="store_true", help="as JSON")
    p.set_defaults(func=show_stats)


def resolver(spec: str):
    """The portal resolver named ``module:function``; None for 'none' or when it is not installed."""
    if spec.strip().lower() == "none":
        return None
    module, _, name = spec.partition(":")
    try:
        return getattr(importlib.import_module(module), name or "resolve")
    except (ImportError, AttributeError) as exc:
        if spec != DEFAULT_RESOLVER:
            raise ArchiveError(f"--portals {spec}: {exc}") from exc
        print(f"archive: portal registry {spec} not available ({exc}); reports are filed under warc:<host>",
              file=sys.stderr)
        return None


def import_warcs(args) -> int:
    from ..warc.ingest import check_warc_file, import_warc

    if args.max_bytes <= 0:
        raise ArchiveError("--max-bytes must be a positive number of bytes")
    for path in args.files:  # every file looked at before anything is written
        check_warc_file(path)
    archive = Archive(args.db)  # a new archive is made if there is none yet (its folder must exist)
    resolve = resolver(args.portals)
    status = 0
    for path in args.files:
        done = import_warc(archive, path, resolve, max_bytes=args.max_bytes)
        summary = {k: v for k, v in vars(done).items()}
        if args.json:
            print(json.dumps(summary, ensure_ascii=False))
        else:
            portals = ", ".join(f"{k} {v}" for k, v in sorted(done.portals.items())) or "none"
            print(f"{path}: {done.records} records, {done.responses} responses → reports {done.reports_new} new, "
                  f"{done.reports_changed} changed, {done.reports_unchanged} unchanged ({portals}); {done.files} files, "
                  f"{done.attachments_linked} attachment links, {done.pages_not_reports} pages kept as fetches only; "
                  f"refused {done.refused} (digest {done.refused_digest}, too large {done.refused_too_large}, "
                  f"unreadable {done.refused_unreadable}); revisits without original {done.revisits_without_original}; "
                  f"already imported {done.already_imported}; crawl job {done.job_id}")
            for problem in done.problems:
                print(f"  {problem}", file=sys.stderr)
        if done.truncated:
            print(f"archive: {path}: {done.truncated} ({done.records - 1} records before it were read)",
                  file=sys.stderr)
            status = 2
        elif done.refused or done.revisits_without_original:
            status = max(status, 1)
    return status


def show_stats(args) -> int:
    data = stats(open_archive(args))
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print(render(data))
    return 0
