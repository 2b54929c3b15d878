#!/usr/bin/env python3
"""Benchmark: hundreds of portals in one crawl (``scrapy crawlall``), each on its own host.

A server process starts N portals (tests/many_portals.py: one HTTP server per portal on its own
loopback address 127.0.X.Y, 10–60 reports each, every answer delayed by the host's latency,
100–800 ms; a few hosts failing with 503, slow (3–5 s) or down) and writes a registry of them.
Then ``scrapy crawlall`` runs over that registry twice, each run in its own process, as a user
runs it: a full first crawl, and an incremental re-crawl after a few portals published a report.

Printed, for each size (default 100 and 300 portals):
- wall time, and its ratio to the ideal: each host fetched one request at a time with the polite
  delay between request starts, all hosts in parallel — max over hosts of requests × max(delay,
  latency); also when the last healthy (not slow) host was done, against their own ideal;
- CPU seconds (crawl process and its cleaning workers) and peak memory (crawl process, largest worker);
- reports stored per portal against what it serves (every healthy portal complete?), the
  failing/down portals' walks failed and said so;
- the re-crawl's requests and what it stored.

    .venv/bin/python tools/bench_scale.py [--portals 100,300] [--delay 1.0] [--seed 1] [--hosts-at-once N]
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


SERVER = """
import json, sys
sys.path.insert(0, ".")
from tests.many_portals import ManyPortals
n, seed, registry = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
with ManyPortals(n, seed=seed) as sim:
    sim.write_registry(registry)
    print(json.dumps([{"name": h.name, "behaviour": h.behaviour, "latency": h.latency,
                       "reports": len(h.portal.reports)} for h in sim.hosts]), flush=True)
    for line in sys.stdin:  # "add NAME K": the portal publishes K reports; "times": when each was asked
        words = line.split()
        if words[0] == "times":
            print(json.dumps({h.name: [min(a for a, _ in h.spans), max(b for _, b in h.spans)]
                              for h in sim.hosts if h.spans}), flush=True)
            for h in sim.hosts:
                h.spans.clear()
            continue
        next(h for h in sim.hosts if h.name == words[1]).portal.add(int(words[2]))
        print("added", flush=True)
"""

CRAWL = """
import json, os, resource, sys, time
sys.path.insert(0, os.getcwd())
from crawler.run import run_crawl
from crawler.spiders.many import ManyPortalsSpider
settings = json.loads(sys.argv[1])
t, started = time.perf_counter(), time.monotonic()
stats = run_crawl(ManyPortalsSpider, settings)
seconds = time.perf_counter() - t
from tools.bench_pipeline import process_tree
tree = process_tree(os.getpid(), stats.get("archive/writer/cpu_seconds", 0))
me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
walks = stats.get("archive/walks") or {}
print("RESULT " + json.dumps({
    "seconds": seconds, "started": started, "finish": stats.get("finish_reason"), "requests": stats.get("downloader/request_count", 0),
    "cpu": me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime + tree["cpu"] + tree["ended"],
    "peak_mb": me.ru_maxrss / 1024, "worker_peak_mb": max(tree["max_peak_mb"], stats.get("archive/writer/peak_mb", 0)),
    "walks": {k: {"requests": v.get("downloader/request_count", 0), "new": v.get("archive/reports/new", 0),
                  "failed": v.get("archive/failed")} for k, v in walks.items()}}, default=str))
"""


def crawl(settings: dict) -> dict:
    proc = subprocess.run([sys.executable, "-c", CRAWL, json.dumps(settings)], cwd=ROOT, capture_output=True,
                          text=True, env={**os.environ, "ARCHIVE_REGISTRY": settings["ARCHIVE_REGISTRY"]})
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise SystemExit(f"crawl failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")


def stored_per_portal(db: str) -> dict[str, int]:
    con = sqlite3.connect(db)
    try:
        return dict(con.execute("select portal, count(*) from reports where current_version is not null "
                                "group by portal"))
    finally:
        con.close()


def bench(n: int, delay: float, seed: int, tmp: str, at_once: int = 0) -> dict:
    registry, db = str(Path(tmp) / f"registry-{n}.csv"), str(Path(tmp) / f"archive-{n}.db")
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(n), str(seed), registry], cwd=ROOT,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        hosts = json.loads(server.stdout.readline())
        settings = {"ARCHIVE_DB": db, "ARCHIVE_REGISTRY": registry, "DOWNLOAD_DELAY": delay,
                    "DOWNLOAD_DELAY_JITTER": 0, "AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
                    "ARCHIVE_HOSTS_AT_ONCE": at_once or n + 16, "LOG_LEVEL": "WARNING", "ARCHIVE_CONTACT": "bench@example.org"}
        t0 = time.time()
        first = crawl(settings)
        server.stdin.write("times\n")
        server.stdin.flush()
        spans = json.loads(server.stdout.readline())
        stored = stored_per_portal(db)
        # a few portals publish a report each; the re-crawl should fetch those and little else
        healthy = [h for h in hosts if h["behaviour"] == "ok"]
        publishers = healthy[:: max(1, len(healthy) // 5)][:5]
        for h in publishers:
            server.stdin.write(f"add {h['name']} 1\n")
            server.stdin.flush()
            server.stdout.readline()
        second = crawl(settings)
    finally:
        server.stdin.close()
        server.wait(60)
    by_name = {h["name"]: h for h in hosts}
    ideal = {name: (w["requests"]) * max(delay, by_name[name]["latency"]) for name, w in first["walks"].items()}
    # with fewer requests at once than hosts, no schedule beats the time the responses take, shared
    # among the slots (a host waiting out its polite delay holds no slot)
    floor = sum(w["requests"] * by_name[name]["latency"] for name, w in first["walks"].items()) / at_once \
        if at_once else 0.0
    healthy_names = [h["name"] for h in hosts if h["behaviour"] == "ok"]
    healthy_done = max(spans[n][1] for n in healthy_names) - first["started"]
    # per healthy host: how long after the crawl started it was first asked, and its own walk
    # (first to last request) against its ideal
    late = sorted(spans[n][0] - first["started"] for n in healthy_names)
    own = sorted((spans[n][1] - spans[n][0]) / ideal[n] for n in healthy_names if ideal[n])
    complete = sum(1 for h in hosts if h["behaviour"] in ("ok", "slow") and stored.get(h["name"], 0) == h["reports"])
    expected_complete = sum(1 for h in hosts if h["behaviour"] in ("ok", "slow"))
    failed_said = sum(1 for h in hosts if h["behaviour"] in ("failing", "down") and first["walks"][h["name"]]["failed"])
    return {"portals": n, "first": first, "second": second, "ideal": max(max(ideal.values()), floor),
            "ideal_healthy": max(max(ideal[k] for k in healthy_names), floor), "at_once": at_once or n + 16, "healthy_done": healthy_done, "complete": complete,
            "first_asked_median": late[len(late) // 2], "first_asked_max": late[-1],
            "own_ratio_median": own[len(own) // 2], "own_ratio_max": own[-1],
            "expected_complete": expected_complete, "failed_said": failed_said,
            "failing": sum(1 for h in hosts if h["behaviour"] in ("failing", "down")),
            "reports": sum(h["reports"] for h in hosts), "published": len(publishers),
            "recrawl_new": sum(w["new"] for w in second["walks"].values()), "started": t0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--portals", default="100,300", help="numbers of portals, comma-separated")
    parser.add_argument("--delay", type=float, default=1.0, help="polite delay per host, seconds (default 1.0)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--hosts-at-once", type=int, default=0,
                        help="ARCHIVE_HOSTS_AT_ONCE for the crawls (default: every portal at once); with fewer, the "
                             "ideal is the responses' total latency shared among that many slots, if longer")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(x) for x in args.portals.split(",")):
            r = bench(n, args.delay, args.seed, tmp, args.hosts_at_once)
            results.append(r)
            f, s = r["first"], r["second"]
            print(f"{n} portals, {r['reports']:,} reports, delay {args.delay:g} s, {r['at_once']} hosts at once")
            print(f"  full crawl: {f['seconds']:.0f} s wall, ideal {r['ideal']:.0f} s → ratio {f['seconds'] / r['ideal']:.2f}; "
                  f"{f['requests']:,} requests; CPU {f['cpu']:.0f} s; peak {f['peak_mb']:.0f} MB "
                  f"(largest worker {f['worker_peak_mb']:.0f} MB)")
            print(f"  healthy portals (not slow, failing or down) all done after {r['healthy_done']:.0f} s, their ideal "
                  f"{r['ideal_healthy']:.0f} s → ratio {r['healthy_done'] / r['ideal_healthy']:.2f}; each first asked "
                  f"after {r['first_asked_median']:.1f} s (median, max {r['first_asked_max']:.1f}), its own walk "
                  f"{r['own_ratio_median']:.2f}× its ideal (median, max {r['own_ratio_max']:.2f}×)")
            print(f"  portals complete: {r['complete']}/{r['expected_complete']} (healthy and slow); "
                  f"failing/down portals failed and said so: {r['failed_said']}/{r['failing']}")
            print(f"  re-crawl after {r['published']} portals published one report each: {s['requests']:,} requests "
                  f"({100 * s['requests'] / max(1, f['requests']):.1f} % of the full crawl), {r['recrawl_new']} new, "
                  f"{s['seconds']:.0f} s, peak {s['peak_mb']:.0f} MB")
    if len(results) > 1:
        lo, hi = results[0], results[-1]
        print(f"peak memory {lo['portals']} → {hi['portals']} portals: {lo['first']['peak_mb']:.0f} → "
              f"{hi['first']['peak_mb']:.0f} MB (ratio {hi['first']['peak_mb'] / lo['first']['peak_mb']:.2f})")
    print("RESULT " + json.dumps([{k: v for k, v in r.items() if k not in ("first", "second")} |
                                  {"first": {k: v for k, v in r["first"].items() if k != "walks"},
                                   "second": {k: v for k, v in r["second"].items() if k != "walks"}}
                                  for r in results]))


if __name__ == "__main__":
    main()
