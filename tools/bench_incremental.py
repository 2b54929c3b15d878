#!/usr/bin/env python3
"""Benchmark: what an incremental re-crawl costs compared with the first full crawl.

Starts the test portal (tests/portal_server.py) on 127.0.0.1 with N reports (20 per list
page, ETag/Last-Modified, conditional requests honoured) and runs the real spider, pipeline
and archive three times, each crawl in its own process (so peak memory is per run):

  1. first full crawl;
  2. re-crawl with nothing changed;
  3. re-crawl after 5 reports were added and 2 old ones corrected (re-published).

Prints requests, response bytes, reports new/changed/unchanged, report bodies downloaded,
seconds and peak RSS per run, and run 2's and 3's requests as a share of run 1's.

    .venv/bin/python tools/bench_incremental.py [--sizes 1000,5000]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.portal_server import PER_PAGE, Portal, PortalServer  # noqa: E402

CHILD = """
import json, resource, sys, time
from tests.crawl_kit import FAST, spider_for
from crawler.run import run_crawl
url, db = sys.argv[1], sys.argv[2]
t = time.perf_counter()
stats = run_crawl(spider_for(url), {**FAST, "CONCURRENT_REQUESTS_PER_DOMAIN": 16, "ARCHIVE_DB": db})
seconds = time.perf_counter() - t
keys = ("downloader/request_count", "downloader/response_bytes", "archive/reports/new",
        "archive/reports/changed", "archive/reports/unchanged", "archive/reports/not_modified",
        "archive/skipped_unchanged", "finish_reason")
out = {k: stats.get(k, 0) for k in keys}
out["seconds"] = seconds
out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print("RESULT " + json.dumps(out, default=str))
"""


def crawl(url: str, db: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", CHILD, url, db], cwd=ROOT, capture_output=True, text=True)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise SystemExit(f"crawl failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")


def bench(n: int) -> list[tuple[str, dict]]:
    portal = Portal(n)
    rows = []
    with tempfile.TemporaryDirectory() as tmp, PortalServer(portal) as server:
        db = str(Path(tmp) / "bench.db")
        for label, change in (
            ("1 first full crawl", None),
            ("2 nothing changed", None),
            ("3 +5 new, 2 corrected", "change"),
        ):
            if change:
                portal.add(5)
                old = portal.listing()
                for victim in (old[len(old) // 2], old[-1]):
                    portal.correct(victim.id, republish=True)
            portal.requests.clear()
            result = crawl(server.url, db)
            result["report_bodies"] = sum(1 for p, s, _ in portal.requests if "/content/" in p and s == 200)
            rows.append((label, result))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,5000", help="portal sizes to run (reports), comma-separated")
    args = parser.parse_args()
    head = (f"{'reports':>7} {'run':<24} {'requests':>8} {'bytes':>11} {'new':>5} {'changed':>7} "
            f"{'unchanged':>9} {'bodies':>6} {'seconds':>8} {'peak MB':>8}")
    print(head)
    print("-" * len(head))
    peaks = {}
    for n in (int(x) for x in args.sizes.split(",")):
        rows = bench(n)
        first = rows[0][1]["downloader/request_count"]
        for label, r in rows:
            unchanged = r["archive/reports/unchanged"] + r["archive/reports/not_modified"] + r["archive/skipped_unchanged"]
            print(f"{n:>7} {label:<24} {r['downloader/request_count']:>8} {r['downloader/response_bytes']:>11} "
                  f"{r['archive/reports/new']:>5} {r['archive/reports/changed']:>7} {unchanged:>9} "
                  f"{r['report_bodies']:>6} {r['seconds']:>8.1f} {r['peak_rss_mb']:>8.0f}")
        for label, r in rows[1:]:
            print(f"{'':>7} {label:<24} requests = {100 * r['downloader/request_count'] / first:.2f}% of run 1")
        peaks[n] = rows[0][1]["peak_rss_mb"]
        print(f"{'':>7} list pages: {-(-n // PER_PAGE)}")
    if len(peaks) > 1:
        sizes = sorted(peaks)
        print("peak memory of run 1: " + ", ".join(f"{s} reports {peaks[s]:.0f} MB" for s in sizes)
              + f" (ratio {peaks[sizes[-1]] / peaks[sizes[0]]:.2f} for {sizes[-1] / sizes[0]:.0f}x the reports)")


if __name__ == "__main__":
    main()
