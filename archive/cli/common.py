"""What every ``archive`` sub-command shares: opening the archive, the --portal and --year filters."""

from __future__ import annotations

from pathlib import Path

from ..meta import parse_years
from ..store import Archive, ArchiveError


def open_archive(args) -> Archive:
    if not Path(args.db).is_file():
        raise ArchiveError(f"no archive database at {args.db} (give --db, or set $ARCHIVE_DB)")
    return Archive(args.db)


def portals(args) -> list[str]:
    """``--portal a --portal b,c`` → ["a", "b", "c"]."""
    return [p.strip() for p in ",".join(args.portal or []).split(",") if p.strip()]


def years(value: str | None) -> tuple[int, int] | None:
    try:
        return parse_years(value)
    except ValueError as exc:
        raise ArchiveError(str(exc)) from exc
