"""``archive merge``: archives made elsewhere (Scrapyd workers, other machines) into this one
(``archive.merge``)."""

from __future__ import annotations

from ..merge import merge
from ..store import Archive


def register(sub, common) -> None:
    p = sub.add_parser("merge", parents=[common], help="merge other archives into this one (--db)",
                       description="Merge each SOURCE archive into the archive --db (created if missing): the "
                                   "same report, version, fetch or file is kept once (by URL and content hash), "
                                   "every version and its provenance kept, references re-numbered. Merging the "
                                   "same archive twice adds nothing. Each source is merged in one transaction; "
                                   "sources are only read.")
    p.add_argument("sources", nargs="+", metavar="SOURCE", help="archive files to merge in")
    p.set_defaults(func=run)


def run(args) -> int:
    target = Archive(args.db)
    try:
        for source in args.sources:
            print(merge(target, source).line())
    finally:
        target.close()
    return 0
