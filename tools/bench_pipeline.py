#!/usr/bin/env python3
"""Benchmark: the whole crawl pipeline against a bare Scrapy spider, at archive scale.

The test portal (tests/portal_server.py: an NFCMS-style column of N reports, 20 per list page,
``createPageHTML`` paging, ETag/Last-Modified and 304s) runs on 127.0.0.1 in a process of its own.
Two crawlers walk it with the same settings (no delay, 16 requests at a time, robots.txt obeyed),
each crawl in a fresh process:

  bare   a spider that follows the same list pages and report links and only writes each
         body to SQLite (one INSERT and commit per page, WAL) — the baseline;
  ours   the project's spider, pipeline and archive (decoding, cleaning in the worker pool,
         storing in the archive's writer process,
         figures, provenance, incremental state).

For each size it prints pages/s, CPU seconds (the crawl process, its worker processes and
everything they started, those that ended too: the writer, and the cleaning workers pebble
replaces every ``archive.workers.MAX_TASKS`` pages) and peak memory (the crawl process, and
the largest helper process: a cleaning worker or the writer), with the
ratios the targets are stated in; then a ``-a full=1`` re-walk of the largest archive, where every
list page answers 304: CPU seconds (split: starting = the interpreter and imports before the crawl,
crawl = the crawl's process after, helpers = fork server and cleaning workers, writer) and peak
memory.

    .venv/bin/python tools/bench_pipeline.py [--sizes 2000,10000] [--rounds 1]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SERVER = """
import sys, time
from tests.portal_server import Portal, PortalServer
with PortalServer(Portal(int(sys.argv[1]))) as server:
    print(server.url, flush=True)
    sys.stdin.read()  # until the benchmark closes our stdin
"""

# What both crawlers share: the project's settings, made fast and local.
SETTINGS = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS": 16,
            "CONCURRENT_REQUESTS_PER_DOMAIN": 16, "LOG_LEVEL": "WARNING", "RETRY_ENABLED": False}

CHILD = """
import json, os, resource, sys, time
sys.path.insert(0, os.getcwd())
kind, url, db = sys.argv[1], sys.argv[2], sys.argv[3]
settings = {**json.loads(sys.argv[4]), "ARCHIVE_DB": db}
args = json.loads(sys.argv[5])
from crawler.run import run_crawl
if kind == "bare":
    from tools.bench_pipeline import bare_spider
    spider = bare_spider(url, db)
else:
    from tests.crawl_kit import spider_for
    spider = spider_for(url)
t, cpu0 = time.perf_counter(), os.times()
stats = run_crawl(spider, settings, **args)
seconds = time.perf_counter() - t
from tools.bench_pipeline import process_tree
writer = stats.get("archive/writer/cpu_seconds", 0)
tree = process_tree(os.getpid(), writer)
me = resource.getrusage(resource.RUSAGE_SELF)
waited = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = me.ru_utime + me.ru_stime + waited.ru_utime + waited.ru_stime + tree["cpu"] + tree["ended"]
print("RESULT " + json.dumps({
    "seconds": seconds, "responses": stats.get("downloader/response_count", 0),
    "requests": stats.get("downloader/request_count", 0), "stored": stats.get("archive/reports/new", 0)
    or stats.get("bare/stored", 0), "finish": stats.get("finish_reason"), "cpu": cpu,
    "peak_mb": me.ru_maxrss / 1024, "worker_peak_mb": max(tree["max_peak_mb"], stats.get("archive/writer/peak_mb", 0)),
    "workers": tree["n"], "split": {"starting": cpu0.user + cpu0.system,
                                    "crawl": me.ru_utime + me.ru_stime - cpu0.user - cpu0.system,
                                    "helpers": waited.ru_utime + waited.ru_stime + tree["cpu"] + tree["ended"] - writer,
                                    "writer": writer}}))
"""


def process_tree(pid: int, writer_seconds: float = 0.0) -> dict:
    """CPU seconds and peak memory of the live descendants of ``pid`` (the cleaning workers and
    their fork server: still running when the crawl returns), and ``ended``: the CPU seconds of
    those of their children that have ended. The archive's writer and the cleaning workers pebble
    replaced are children of the fork server (not ours), which waited for them; the writer also
    says what it used (``writer_seconds``, from the crawl's stats): the larger of the two counts,
    should the fork server not have waited for it yet."""
    from tests.procs import descendants

    tick = os.sysconf("SC_CLK_TCK")
    family = descendants(pid)
    cpu, reaped, peak = 0.0, 0.0, 0.0
    for p in family:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            cpu += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
            # cutime, cstime: its children that ended and it waited for — the fork server's are
            # the writer and the cleaning workers pebble replaced (every MAX_TASKS pages)
            reaped += (int(fields[13]) + int(fields[14])) / tick
            status = Path(f"/proc/{p}/status").read_text()
            hwm = next(line for line in status.splitlines() if line.startswith("VmHWM"))
            peak = max(peak, int(hwm.split()[1]) / 1024)
        except (OSError, StopIteration, IndexError, ValueError):
            continue
    return {"cpu": cpu, "ended": max(reaped, writer_seconds), "max_peak_mb": peak, "n": len(family)}


def bare_spider(column: str, db: str):
    """The baseline: follows the column's list pages (links and ``createPageHTML``) and report
    links, and writes each report body to SQLite. No decoding, cleaning or provenance."""
    import re
    import sqlite3
    from urllib.parse import urljoin

    import scrapy

    create_page = re.compile(r"createPageHTML\((\d+),\s*(\d+),\s*\"(\w+)\",\s*\"(\w+)\"\)")

    class BareSpider(scrapy.Spider):
        name = "bare"
        custom_settings = {"ITEM_PIPELINES": {}}

        async def start(self):
            self.db = sqlite3.connect(db)
            self.db.execute("PRAGMA journal_mode = WAL")  # as the archive: no sync to disk per commit
            self.db.execute("PRAGMA synchronous = NORMAL")
            self.db.execute("CREATE TABLE IF NOT EXISTS pages (url TEXT PRIMARY KEY, body BLOB)")
            yield scrapy.Request(column, callback=self.parse_list)

        def parse_list(self, response):
            for href in response.css("a::attr(href)").getall():
                url = urljoin(response.url, href)
                if "/content/" in url:
                    yield scrapy.Request(url, callback=self.parse_report)
                elif url.startswith(column) and url.endswith("/"):
                    yield scrapy.Request(url, callback=self.parse_list)
            m = create_page.search(response.text)
            if m and m.group(2) == "0":  # the first page names them all
                total, name, ext = int(m.group(1)), m.group(3), m.group(4)
                folder = response.url.rsplit("/", 1)[0] + "/"
                for k in range(2, total + 1):
                    yield scrapy.Request(f"{folder}{name}_{k}.{ext}", callback=self.parse_list)

        def parse_report(self, response):
            self.db.execute("INSERT OR REPLACE INTO pages VALUES (?, ?)", (response.url, response.body))
            self.db.commit()
            self.crawler.stats.inc_value("bare/stored")

        def closed(self, reason):
            self.db.close()

    return BareSpider


def crawl(kind: str, url: str, db: str, **args) -> dict:
    proc = subprocess.run([sys.executable, "-c", CHILD, kind, url, db, json.dumps(SETTINGS), json.dumps(args)],
                          cwd=ROOT, capture_output=True, text=True)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise SystemExit(f"{kind} crawl failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")


class Server:
    def __init__(self, n: int):
        self.proc = subprocess.Popen([sys.executable, "-c", SERVER, str(n)], cwd=ROOT, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        self.url = self.proc.stdout.readline().strip()

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="2000,10000", help="portal sizes (reports), comma-separated")
    parser.add_argument("--rounds", type=int, default=1, help="bare/ours pairs per size (interleaved)")
    args = parser.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    results: dict[int, dict[str, list[dict]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        last_db = last_url = None
        for n in sizes:
            server = Server(n)
            try:
                results[n] = {"bare": [], "ours": []}
                for r in range(args.rounds):
                    for kind in ("bare", "ours"):
                        db = str(Path(tmp) / f"{kind}-{n}-{r}.db")
                        out = crawl(kind, server.url, db)
                        results[n][kind].append(out)
                        print(f"{n:>6} {kind:<5} {out['responses']:>6} responses {out['seconds']:7.1f} s "
                              f"{out['responses'] / out['seconds']:7.1f} pages/s  CPU {out['cpu']:6.1f} s  "
                              f"peak {out['peak_mb']:5.0f} MB (worker {out['worker_peak_mb']:4.0f} MB)  "
                              f"stored {out['stored']}", file=sys.stderr, flush=True)
                if n == sizes[-1]:
                    last_db, last_url = str(Path(tmp) / f"ours-{n}-0.db"), server.url
                    rewalk = crawl("ours", last_url, last_db, full="1")
            finally:
                server.close()
    print(f"{'reports':>7} {'crawler':<6} {'pages/s':>8} {'ratio':>6} {'CPU s':>7} {'CPU ratio':>9} "
          f"{'peak MB':>8} {'worker MB':>9}")
    for n in sizes:
        bare, ours = results[n]["bare"], results[n]["ours"]
        b_rate = sum(x["responses"] for x in bare) / sum(x["seconds"] for x in bare)
        o_rate = sum(x["responses"] for x in ours) / sum(x["seconds"] for x in ours)
        b_cpu, o_cpu = (sum(x["cpu"] for x in v) / len(v) for v in (bare, ours))
        for name, rate, cpu, runs in (("bare", b_rate, b_cpu, bare), ("ours", o_rate, o_cpu, ours)):
            print(f"{n:>7} {name:<6} {rate:>8.1f} {rate / b_rate:>6.2f} {cpu:>7.1f} {cpu / b_cpu:>9.2f} "
                  f"{max(x['peak_mb'] for x in runs):>8.0f} {max(x['worker_peak_mb'] for x in runs):>9.0f}")
    if len(sizes) > 1:
        lo, hi = sizes[0], sizes[-1]
        peak = {n: max(x["peak_mb"] for x in results[n]["ours"]) for n in (lo, hi)}
        print(f"ours: peak memory {lo} → {hi} reports: {peak[lo]:.0f} → {peak[hi]:.0f} MB "
              f"(ratio {peak[hi] / peak[lo]:.2f})")
    split = ", ".join(f"{k} {v:.1f}" for k, v in rewalk["split"].items())
    print(f"-a full=1 re-walk of {sizes[-1]} reports ({rewalk['requests']} requests): CPU {rewalk['cpu']:.1f} s "
          f"({split}), peak {rewalk['peak_mb']:.0f} MB, {rewalk['seconds']:.1f} s")
    print("RESULT " + json.dumps({"results": results, "rewalk": rewalk}))


if __name__ == "__main__":
    main()
