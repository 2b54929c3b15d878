"""``archive serve``: the archive in a web browser (Datasette, read-only; ``archive.web``)."""

from __future__ import annotations

import sys

from ..store import ArchiveError, default_path


def register(sub, common) -> None:
    p = sub.add_parser("serve", help="browse, search and cite the archive in a web browser (Datasette, read-only)",
                       description="Serve the archive read-only with Datasette: report pages at /report?url=…, "
                                   "search at /search?q=…, raw bytes at /raw/<sha256>, every table with its "
                                   "description and facets, canned queries.")
    p.add_argument("--db", default=default_path(), help="archive database (default: %(default)s)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default %(default)s; 0.0.0.0 to publish)")
    p.add_argument("--port", type=int, default=8001, help="port (default %(default)s)")
    p.add_argument("--allow-sql", action="store_true", help="let visitors run their own read-only SQL (off by default)")
    p.add_argument("--immutable", action="store_true",
                   help="the file is a published copy that nothing writes: skip SQLite's locking "
                        "(chosen by itself when the file cannot be written)")
    p.add_argument("--registry", help="registry CSV whose agencies the coverage query lists "
                                      "(default: $ARCHIVE_REGISTRY, else the shipped one)")
    p.set_defaults(func=serve)


def serve(args) -> int:
    from ..web import check_archive, serve as run

    check_archive(args.db)  # a bad --db is one line and exit 2, before anything listens
    if args.registry:
        from ..registry import RegistryError, load

        try:
            load(args.registry)
        except RegistryError as exc:
            raise ArchiveError(str(exc)) from exc
    print(f"archive serve: http://{args.host}:{args.port}/ (read-only; Ctrl-C stops)", file=sys.stderr)
    try:
        run(args.db, host=args.host, port=args.port, allow_sql=args.allow_sql, immutable=args.immutable or None,
            registry=args.registry)
    except KeyboardInterrupt:
        pass
    return 0
