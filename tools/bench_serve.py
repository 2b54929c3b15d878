#!/usr/bin/env python3
"""Benchmark: the web view (``archive serve``) on a large archive.

Builds an archive of N reports by crawling the incremental benchmark's local test portal
(tests/portal_server.py, on 127.0.0.1, in a child process) — or reuses ``--db`` if it exists —
then starts ``archive serve`` on it, as a user would, in its own process, and times the first
byte of interleaved requests, in random order within each round:

  report   /report?url=…   a random stored report
  search   /search?q=…     terms cycled: 依申请公开 (trigram), 复议 (two characters: LIKE), 年度报告 局
  table    /archive/reports  a plain Datasette table page of the same archive (the baseline)

Prints median and p95 time to first byte of each, their ratio to the table page's, and the
server's resident memory after ``--requests`` requests in all (and its peak).

    .venv/bin/python tools/bench_serve.py [--reports 10000] [--rounds 200] [--requests 1000] [--db FILE]
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.portal_server import Portal, PortalServer  # noqa: E402
from tests.web_kit import Server  # noqa: E402

CHILD = """
import sys, time
from tests.crawl_kit import FAST, spider_for
from crawler.run import run_crawl
t = time.perf_counter()
stats = run_crawl(spider_for(sys.argv[1]), {**FAST, "CONCURRENT_REQUESTS_PER_DOMAIN": 16, "ARCHIVE_DB": sys.argv[2]})
print("RESULT", stats.get("archive/reports/new"), stats.get("finish_reason"), round(time.perf_counter() - t, 1))
"""
TERMS = ("依申请公开", "复议", "年度报告 局")


def build(n: int, db: str) -> None:
    portal = Portal(n)
    with PortalServer(portal) as server:
        proc = subprocess.run([sys.executable, "-c", CHILD, server.url, db], cwd=ROOT, capture_output=True, text=True)
    line = next((x for x in proc.stdout.splitlines() if x.startswith("RESULT")), None)
    if line is None:
        raise SystemExit(f"building the archive failed:\n{proc.stderr[-3000:]}")
    print(f"built {db}: {line}", file=sys.stderr)


def ttfb(conn: http.client.HTTPConnection, path: str) -> float:
    t = time.perf_counter()
    conn.request("GET", path)
    response = conn.getresponse()  # returns once the status line and headers are in: the first byte
    first = time.perf_counter() - t
    body = response.read()
    if response.status != 200:
        raise SystemExit(f"{path}: HTTP {response.status}: {body[:300]!r}")
    return first


def memory(pid: int) -> dict:
    status = Path(f"/proc/{pid}/status").read_text()
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    return {k: int(fields[k].split()[0]) / 1024 for k in ("VmRSS", "VmHWM")}


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p * (len(values) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=10000, help="reports in the archive built (default %(default)s)")
    parser.add_argument("--rounds", type=int, default=200, help="rounds of one request of each kind (default %(default)s)")
    parser.add_argument("--requests", type=int, default=1000, help="requests in all before memory is read (default %(default)s)")
    parser.add_argument("--db", help="archive to use (built there if missing; default: a temporary one)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or str(Path(tmp) / "serve.db")
        if not Path(db).exists():
            build(args.reports, db)
        conn = sqlite3.connect(db)
        urls = [u for (u,) in conn.execute("SELECT url FROM reports WHERE current_version IS NOT NULL")]
        size = Path(db).stat().st_size
        conn.close()
        print(f"archive: {len(urls):,} reports, {size / 1e6:.0f} MB")
        with Server(db) as server:
            host, port = "127.0.0.1", server.port
            c = http.client.HTTPConnection(host, port, timeout=60)
            kinds = {"report": lambda: "/report?url=" + quote(rng.choice(urls), safe=""),
                     "search": lambda: "/search?q=" + quote(TERMS[rng.randrange(len(TERMS))]),
                     "table": lambda: "/archive/reports"}
            for make in kinds.values():  # warm up each kind once (first query plans, template compile)
                ttfb(c, make())
            times: dict[str, list[float]] = {k: [] for k in kinds}
            done = len(kinds)
            for _ in range(args.rounds):
                order = list(kinds)
                rng.shuffle(order)
                for kind in order:
                    times[kind].append(ttfb(c, kinds[kind]()))
                    done += 1
            while done < args.requests:
                kind = rng.choice(list(kinds))
                ttfb(c, kinds[kind]())
                done += 1
            mem = memory(server.proc.pid)
            c.close()
    base = statistics.median(times["table"])
    base95 = pct(times["table"], 0.95)
    print(f"{'page':<8} {'n':>5} {'median ms':>10} {'p95 ms':>8} {'median ratio':>13} {'p95 ratio':>10}")
    for kind, values in times.items():
        med, p95 = statistics.median(values), pct(values, 0.95)
        print(f"{kind:<8} {len(values):>5} {1000 * med:>10.1f} {1000 * p95:>8.1f} {med / base:>13.2f} {p95 / base95:>10.2f}")
    print(f"server after {done:,} requests: {mem['VmRSS']:.0f} MB resident (peak {mem['VmHWM']:.0f} MB)")
    print("RESULT " + json.dumps({"reports": len(urls), "db_mb": round(size / 1e6), "requests": done,
                                  "rss_mb": round(mem["VmRSS"]), "peak_mb": round(mem["VmHWM"]),
                                  **{f"{k}_median_ms": round(1000 * statistics.median(v), 1) for k, v in times.items()},
                                  **{f"{k}_p95_ms": round(1000 * pct(v, 0.95), 1) for k, v in times.items()}}))


if __name__ == "__main__":
    main()
