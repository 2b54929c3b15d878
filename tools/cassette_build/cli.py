"""The command line of a builder: ``--shared PATH`` and what it prints."""

from __future__ import annotations

import argparse
from pathlib import Path

from .base import DEFAULT_SHARED, ROOT


def parse_shared(doc: str, argv=None) -> Path:
    """Parse a builder's command line (``--shared PATH``, relative to the repository root);
    ``doc``: the builder's docstring, whose first paragraph describes it."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--shared", default=DEFAULT_SHARED,
                        help="the shared material; a relative path is taken from the repository root "
                             "(default %(default)s)")
    args = parser.parse_args(argv)
    return (ROOT / args.shared).resolve()


def print_interactions(interactions: list[dict], header: str = "Content-Type", width: int = 26) -> None:
    """One line per exchange: status, the ``header`` (``-`` if absent), Content-Length, URL."""
    for i in interactions:
        headers = i["response"]["headers"]
        print(f'{i["response"]["status"]["code"]} {headers.get(header, ["-"])[0]:{width}} '
              f'{headers["Content-Length"][0]:>7}  {i["request"]["uri"]}')


def print_written(cassette_out: str, cassette_path: Path, interactions: list[dict], manifest_out: str,
                  reports: list) -> None:
    """The closing line: what was written."""
    print(f"wrote {cassette_out} ({cassette_path.stat().st_size} bytes, {len(interactions)} interactions) "
          f"and {manifest_out} ({len(reports)} reports)")
