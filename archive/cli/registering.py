"""``archive registry check|discovered|add``: the registry of annual-report columns (``archive.registry``)
and what discovery crawls found (``scrapy crawl discover``).

    archive registry check [FILE]                       every problem of a registry, one line each
    archive registry discovered [--json]                the columns discovery crawls found, with evidence
    archive registry add --from-discoveries [--registry FILE]   confirmed ones into the registry
"""

from __future__ import annotations

import json
import sys

from .. import registry as reg
from ..store import ArchiveError
from .common import open_archive

DISCOVERY_KEYS = ("homepage", "column_url", "platform", "confirmed", "score", "reports", "years", "name",
                  "evidence", "site", "requests", "note", "found_at", "job_id")


def register(sub, common) -> None:
    top = sub.add_parser("registry", help="check the registry of annual-report columns; list and promote discoveries",
                         description=__doc__.split("\n\n")[0])
    rsub = top.add_subparsers(dest="registry_command", required=True)

    p = rsub.add_parser("check", help="list every problem of a registry (exit 1 if any, 2 if unreadable)")
    p.add_argument("file", nargs="?", help="registry CSV (default: --registry, $ARCHIVE_REGISTRY, else the shipped one)")
    p.add_argument("--registry", help="the same as FILE")
    p.set_defaults(func=check)

    p = rsub.add_parser("discovered", parents=[common], help="the columns discovery crawls found, best first per site")
    p.add_argument("--json", action="store_true", help="a JSON list of objects (homepage, column_url, platform, "
                                                       "confirmed, score, evidence …)")
    p.add_argument("--confirmed", action="store_true", help="only confirmed columns")
    p.set_defaults(func=discovered)

    p = rsub.add_parser("add", parents=[common], help="add confirmed discoveries to a registry file (as candidates)")
    p.add_argument("--from-discoveries", action="store_true", required=True,
                   help="take the confirmed columns of the archive's discoveries (the only source for now)")
    p.add_argument("--registry", help="registry CSV to add to (default: $ARCHIVE_REGISTRY, else the shipped one); "
                                      "created if missing")
    p.set_defaults(func=add)


def _registry_error(exc: reg.RegistryError) -> ArchiveError:
    return ArchiveError(str(exc))


def check(args) -> int:
    source = reg.source_of(args.file or args.registry)
    try:
        registry = reg.read(source)
    except reg.RegistryError as exc:
        raise _registry_error(exc) from exc
    problems = reg.check(registry)
    for problem in problems:
        print(f"{registry.source}: {problem}")
    if problems:
        print(f"archive registry check: {len(problems)} problem(s) in {len(registry.rows)} rows", file=sys.stderr)
        return 1
    print(f"archive registry check: {registry.source}: {len(registry.rows)} rows, no problems", file=sys.stderr)
    return 0


def discovered(args) -> int:
    rows = open_archive(args).discoveries(confirmed_only=args.confirmed)
    if args.json:
        out = [{k: (bool(r[k]) if k == "confirmed" else r.get(k)) for k in DISCOVERY_KEYS} for r in rows]
        print(json.dumps(out, ensure_ascii=False, indent=1))
    else:
        print_discoveries(rows)
    if not rows:
        print("archive registry discovered: nothing discovered (run: scrapy crawl discover -a url=HOMEPAGE)",
              file=sys.stderr)
        return 1
    return 0


def print_discoveries(rows: list[dict]) -> None:
    homepage = None
    for r in rows:
        if r["homepage"] != homepage:
            homepage = r["homepage"]
            print(f"{homepage}  ({r['requests']} requests, {r['found_at']})")
        evidence = r.get("evidence") or {}
        if r["column_url"] is None:
            print(f"  NOT FOUND  {r['note']}")
            continue
        mark = "confirmed  " if r["confirmed"] else "unconfirmed"
        years = f" {r['years']}" if r.get("years") else ""
        print(f"  {mark} score {r['score']:>5.1f}  {r['platform'] or '?':<8} {r['column_url']}  "
              f"{r['name'] or ''}  ({r['reports']} report entries{years})")
        path = " → ".join(step.get("text") or "?" for step in evidence.get("path", []))
        if path:
            print(f"      via {path}")
        if r.get("note"):
            print(f"      {r['note']}")


def add(args) -> int:
    discoveries = open_archive(args).discoveries(confirmed_only=True)
    source = reg.source_of(args.registry)
    if source == reg.SHIPPED:
        shipped = reg.shipped_path()
        if shipped is None:
            raise ArchiveError("the shipped registry is inside a package archive: give --registry FILE")
        source = str(shipped)
    try:
        registry = reg.read(source) if _exists(source) else reg.Registry(source, reg.FIELDS, [], [])
    except reg.RegistryError as exc:
        raise _registry_error(exc) from exc
    if not discoveries:
        print("archive registry add: no confirmed discovery in the archive", file=sys.stderr)
        return 1
    taken = {r.id for r in registry.rows}
    keys: dict[str, str] = {}
    rows: list[dict] = []
    for d in discoveries:
        column = d["column_url"]
        known = reg.registered_column(registry, column)
        if known is not None:
            print(f"already registered: {column} (row {known.id}, line {known.line})")
            continue
        key = reg.column_key(column)
        if key in keys:
            print(f"already added: {column} (as {keys[key]}, also found from {d['homepage']})")
            continue
        row = reg.proposed_row(d, taken)
        missing = [n for n in ("agency", "region_code") if not row[n]]
        if missing:
            print(f"not added: {column}: no {' and no '.join(missing)} could be read from the site "
                  f"(SiteName / 10-digit SiteIDCode meta tags); add it by hand")
            continue
        taken.add(row["id"])
        keys[key] = row["id"]
        rows.append(row)
    if not rows:
        print("archive registry add: nothing new to add", file=sys.stderr)
        return 0
    try:
        reg.append_rows(source, rows)
    except reg.RegistryError as exc:
        raise _registry_error(exc) from exc
    except OSError as exc:
        raise ArchiveError(f"cannot write the registry {source}: {exc.strerror or exc}") from exc
    for row in rows:
        print(f"added {row['id']}: {row['column']} ({row['platform']}, {row['agency']}, {row['region_code']}, "
              f"status candidate)")
    print(f"archive registry add: {len(rows)} row(s) added to {source}", file=sys.stderr)
    return 0


def _exists(path: str) -> bool:
    from pathlib import Path

    return Path(path).exists()
