#!/usr/bin/env python3
"""The discovery tally: ``scrapy crawl discover`` over the constructed test sites.

Builds the test sites of ``tests/discovery_sites.py`` (real page templates of ``../shared/corpus/raw``
with constructed content; each says which template and how its column is reached), serves each on
127.0.0.1, runs one discovery crawl over all of them (``-a file=LIST``, the real spider, middlewares
and pipeline) and prints, per site, what a person would name, what was confirmed, the requests the
site received and the score; then the tally: sites, columns found, wrong (a confirmed column that is
not the one expected: worse than none), missed, requests per site. Then the rules on every real
HTML page of the corpus: pages confirmed as a column, links whose words promise one.

    .venv/bin/python tools/bench_discovery.py [--shared PATH] [--polite]

``--polite`` keeps the crawler's default delays (1 s per request per host, AutoThrottle) instead of
none, to show the wall time a real discovery takes.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.crawl_kit import FAST  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared", help="the shared folder (../shared)")
    parser.add_argument("--polite", action="store_true", help="the default delays instead of none")
    args = parser.parse_args()
    corpus = args.shared / "corpus" / "raw"

    from crawler.run import run_crawl
    from tests.discovery_server import Sites
    from tests.discovery_sites import build_sites

    sites = build_sites(corpus)
    tmp = Path(tempfile.mkdtemp(prefix="bench-discovery-"))
    settings = {"ARCHIVE_DB": str(tmp / "d.db"), "LOG_LEVEL": "WARNING"}
    if not args.polite:
        settings = {**FAST, **settings}
    with Sites(sites) as served:
        listing = tmp / "homepages.txt"
        listing.write_text("\n".join(s.url for s in served.servers.values()) + "\n", encoding="utf-8")
        started = time.perf_counter()
        stats = run_crawl("discover", settings, file=str(listing))
        seconds = time.perf_counter() - started
        db = sqlite3.connect(tmp / "d.db")
        tally = {"sites": 0, "with a column": 0, "found": 0, "wrong": 0, "missed": 0}
        requests = []
        print(f"{'site':<26} {'family':<8} {'req':>4}  {'score':>5}  result")
        for name, server in served.servers.items():
            rows = db.execute("select column_url, confirmed, score from discoveries where homepage = ?",
                              (server.url,)).fetchall()
            confirmed = {u: s for u, c, s in rows if c}
            expected = {server.real(u) for u in server.site.expected}
            tally["sites"] += 1
            tally["with a column"] += bool(expected)
            tally["found"] += len(set(confirmed) & expected)
            tally["wrong"] += len(set(confirmed) - expected)
            tally["missed"] += len(expected - set(confirmed))
            requests.append(len(server.requests))
            if set(confirmed) == expected:
                result = "found " + ", ".join(u.replace(server.url, "/") for u in confirmed) if expected else "none, as expected"
            else:
                result = f"WRONG: confirmed {sorted(confirmed)}, expected {sorted(expected)}"
            best = max(confirmed.values(), default=0.0)
            print(f"{name:<26} {server.site.family:<8} {len(server.requests):>4}  {best:>5.1f}  {result}")
    print()
    print(f"sites {tally['sites']} (with a column {tally['with a column']}, without {tally['sites'] - tally['with a column']}); "
          f"columns found {tally['found']}, wrong {tally['wrong']}, missed {tally['missed']}")
    print(f"requests per site: mean {sum(requests) / len(requests):.1f}, max {max(requests)} (budget 50, robots.txt "
          f"included); {seconds:.1f} s for all sites at once{' (polite delays)' if args.polite else ' (no delays)'}; "
          f"finish reason {stats.get('finish_reason')}")
    from tests.discovery_sites import real_pages

    pages, confirmed, promising = real_pages(corpus)
    print(f"real corpus pages: {pages}; confirmed as a column: {len(confirmed)} ({', '.join(confirmed)}); "
          f"links promising a column: {len(promising)}")
    for link in sorted(promising):
        print(f"    {link}")
    return 0 if tally["wrong"] == 0 and tally["missed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
