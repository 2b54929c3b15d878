#!/usr/bin/env python3
"""Benchmark: recording and replaying whole crawls with the cassette middleware, against the
middleware as it was before (vcrpy's ``Cassette``: every request compared with every stored
interaction, the whole YAML loaded, the whole crawl held until it is dumped), in the same run.

1. Recording: the incremental benchmark's local test portal (tests/portal_server.py, on
   127.0.0.1) crawled with ``--small`` and ``--reports`` reports, recording into new cassettes,
   each crawl in its own process (seconds, CPU, peak memory), and the large one once more without
   a cassette: what recording adds. Then the middleware alone: the recorded crawl fed through
   ``process_request``/``process_response`` as the crawl does (the network answering each miss),
   index vs vcrpy, in its own process: peak memory above the process's start, at both sizes.
2. Load: each implementation opening the large cassette, and every cassette in ``cassettes/``
   (real page templates, GBK pages, PDFs), in its own process: resident memory added and
   Python heap after the load (tracemalloc), as ratios to the file's size.
3. Lookups: both implementations over the same loaded cassettes, every request of the crawl
   once in crawl order: µs per lookup at both sizes, vcrpy's matcher calls.
4. Replay: the large cassette replayed into a fresh archive by the real spider, middlewares and
   pipeline (``CASSETTE_RECORD_MODE=none``), each implementation in its own process: pages/s,
   CPU, the middleware's own time and its lookups.

    .venv/bin/python tools/bench_replay.py [--reports 2000] [--small 500] [--no-baseline-replay]
"""

from __future__ import annotations

import argparse
import functools
import gc
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))


# ----------------------------------------------------------------------------------------------
# The middleware before the index (vcrpy's Cassette), kept here as the baseline
# ----------------------------------------------------------------------------------------------

def _counting(matcher, counter: dict):
    @functools.wraps(matcher)
    def counted(r1, r2):
        counter["calls"] += 1
        return matcher(r1, r2)
    return counted


def vcrpy_cassette(path: str, record_mode: str, counter: dict | None = None):
    """The cassette as the middleware opened it before: vcrpy's ``Cassette``, matching method,
    uri and body, repeats allowed, saved through the project's persister with PyYAML's
    pure-Python dumper as it was."""
    import yaml
    from vcr.cassette import Cassette
    from vcr.matchers import body, method, uri
    from vcr.record_mode import RecordMode

    from crawler.cassette import Utf8FilePersister, check_cassette

    class AsBefore:
        @staticmethod
        def deserialize(text):
            from vcr.serializers import yamlserializer
            return yamlserializer.deserialize(text)

        @staticmethod
        def serialize(data):
            return yaml.dump(data, Dumper=yaml.SafeDumper, allow_unicode=True, sort_keys=False, width=1 << 20)

    matchers = (method, uri, body)
    if counter is not None:
        matchers = tuple(_counting(m, counter) for m in matchers)
    check_cassette(path, record_mode)
    return Cassette.load(path=path, record_mode=RecordMode(record_mode), match_on=matchers,
                         allow_playback_repeats=True, serializer=AsBefore, persister=Utf8FilePersister)


def to_vcr_request(request):
    """A Scrapy request as vcrpy's ``Request`` (what the middleware handed vcrpy before)."""
    from vcr.request import Request as VcrRequest

    from archive.http import normalise_headers

    return VcrRequest(request.method, request.url, request.body or None, normalise_headers(request.headers))


def baseline_middleware_class():
    """``CassetteMiddleware`` as it was: vcrpy's scan per request (twice), append, save at close."""
    from crawler.cassette import (CassetteMiddleware, CassetteMiss, Utf8FilePersister, from_scrapy_response,
                                  recorded_from, to_scrapy_response)
    from vcr.record_mode import RecordMode

    class VcrpyCassetteMiddleware(CassetteMiddleware):
        def __init__(self, crawler, path, record_mode, allow_playback_repeats=True):
            self.crawler, self.stats, self.path, self.record_mode = crawler, crawler.stats, path, record_mode
            self.error = None
            self.matcher_calls = {"calls": 0}
            self.cassette = vcrpy_cassette(path, record_mode, self.matcher_calls)
            from scrapy import signals
            crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

        def process_request(self, request, spider=None):
            vreq = to_vcr_request(request)
            if self.cassette.can_play_response_for(vreq):
                self.stats.inc_value("cassette/played")
                return to_scrapy_response(request, recorded_from(self.cassette.play_response(vreq)))
            if self.cassette.write_protected:
                self.stats.inc_value("cassette/miss")
                raise CassetteMiss(f"not in cassette: {request.method} {request.url}")
            return None

        def process_response(self, request, response, spider=None):
            if "cassette" in response.flags:
                return response
            if not self.cassette.write_protected:
                self.cassette.append(to_vcr_request(request), from_scrapy_response(response))
                self.stats.inc_value("cassette/recorded")
            return response

        def spider_closed(self, spider, reason):
            if self.cassette.dirty:
                data = list(self.cassette.data)
                if self.cassette.record_mode == RecordMode.ALL:
                    data = list({(q.method, q.uri, q.body): (q, s) for q, s in data}.values())
                Utf8FilePersister.save_cassette(self.path, {"requests": [q for q, _ in data],
                                                            "responses": [s for _, s in data]},
                                                self.cassette._serializer)

    return VcrpyCassetteMiddleware


# the middleware runs on the reactor thread: its cost is that thread's CPU time
CLOCK = time.thread_time


def timed_middleware_class(base):
    """``base`` with its CPU time in ``process_request``/``process_response`` and in lookups counted."""

    class Timed(base):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.seconds = {"request": 0.0, "response": 0.0, "lookup": 0.0}
            self.lookups = 0
            cassette = self.cassette
            if hasattr(cassette, "find"):  # the index: time its lookups
                find = cassette.find

                def timed_find(*a, **k):
                    t = CLOCK()
                    try:
                        return find(*a, **k)
                    finally:
                        self.seconds["lookup"] += CLOCK() - t
                        self.lookups += 1
                cassette.find = timed_find
            else:  # vcrpy: can_play_response_for and play_response are the lookups
                for name in ("can_play_response_for", "play_response"):
                    method = getattr(cassette, name)

                    def timed(*a, _method=method, **k):
                        t = CLOCK()
                        try:
                            return _method(*a, **k)
                        finally:
                            self.seconds["lookup"] += CLOCK() - t
                            self.lookups += 1
                    setattr(cassette, name, timed)

        def process_request(self, request, spider=None):
            t = CLOCK()
            try:
                return super().process_request(request, spider)
            finally:
                self.seconds["request"] += CLOCK() - t

        def process_response(self, request, response, spider=None):
            t = CLOCK()
            try:
                return super().process_response(request, response, spider)
            finally:
                self.seconds["response"] += CLOCK() - t

        def spider_closed(self, spider, reason):
            super().spider_closed(spider, reason)
            calls = getattr(self, "matcher_calls", {"calls": 0})["calls"]
            print("MIDDLEWARE " + json.dumps({**self.seconds, "lookups": self.lookups, "matcher_calls": calls}))

    return Timed


# ----------------------------------------------------------------------------------------------
# Children: each measurement in its own process
# ----------------------------------------------------------------------------------------------

def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _children_cpu() -> float:
    """CPU seconds of this process's children: those it has waited for, and those still running
    (a crawl's worker processes, read from /proc before they are stopped)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = usage.ru_utime + usage.ru_stime
    parents, ticks = {}, {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry)] = int(fields[1])  # after the name: state, ppid, …, utime (12th), stime (13th)
        ticks[int(entry)] = (int(fields[11]) + int(fields[12])) / tick
    mine, grew = {os.getpid()}, True
    while grew:
        found = {pid for pid, ppid in parents.items() if ppid in mine} - mine
        grew = bool(found)
        mine |= found
    return total + sum(ticks[pid] for pid in mine if pid != os.getpid())


def _peak() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def spider_class(url: str):
    """A bare spider: follows every link inside the column (list pages, pagination, reports) and
    writes each body to SQLite, nothing else (no decoding, cleaning, archive or pipeline)."""
    import sqlite3

    import scrapy

    class BareSpider(scrapy.Spider):
        name = "bare"
        start_urls = [url]
        custom_settings = {"ITEM_PIPELINES": {}}

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.db = None

        def parse(self, response):
            if self.db is None:
                self.db = sqlite3.connect(self.settings.get("ARCHIVE_DB"))
                self.db.execute("create table if not exists pages (url text primary key, body blob)")
            self.db.execute("insert or replace into pages values (?, ?)", (response.url, response.body))
            self.db.commit()
            for href in response.css("a::attr(href)").getall():
                target = response.urljoin(href)
                if target.startswith(url):
                    yield scrapy.Request(target, callback=self.parse)

    return BareSpider


def child_crawl(url: str, db: str, cassette: str, mode: str, impl: str, bare: bool = False) -> dict:
    """A crawl of the test portal (live, recording or replaying) with the given implementation."""
    from crawler.run import run_crawl
    from tests.crawl_kit import FAST, spider_for

    settings = {**FAST, "CONCURRENT_REQUESTS_PER_DOMAIN": 16, "ARCHIVE_DB": db}
    if cassette != "-":
        from crawler.cassette import CassetteMiddleware
        base = CassetteMiddleware if impl == "index" else baseline_middleware_class()
        from crawler import settings as project

        middlewares = {**project.DOWNLOADER_MIDDLEWARES, "crawler.cassette.CassetteMiddleware": None,
                       timed_middleware_class(base): 950}
        settings.update({"CASSETTE": cassette, "CASSETTE_RECORD_MODE": mode, "DOWNLOADER_MIDDLEWARES": middlewares})
    wall, cpu, workers = time.perf_counter(), time.process_time(), _children_cpu()
    stats = run_crawl(spider_class(url) if bare else spider_for(url), settings)
    children = _children_cpu()  # worker processes a crawl keeps for the next one are still running here
    out = {"seconds": time.perf_counter() - wall, "peak_rss": _peak(),
           # the crawl's process, its workers, and the archive's writer (ended by now: by its own account)
           "cpu": time.process_time() - cpu + children - workers + stats.get("archive/writer/cpu_seconds", 0),
           "requests": stats.get("downloader/request_count", 0), "played": stats.get("cassette/played", 0),
           "recorded": stats.get("cassette/recorded", 0), "miss": stats.get("cassette/miss", 0),
           "new": stats.get("archive/reports/new", 0), "finish_reason": stats.get("finish_reason")}
    return out


def child_load(impl: str, path: str, measure: str) -> dict:
    """Memory added by opening a cassette for replay, in a fresh process after a warm-up load of a
    one-interaction cassette (first use of the code, not the file's cost): ``resident`` (RSS) or
    ``heap`` (tracemalloc: Python's heap after the load and at its peak)."""
    import tracemalloc

    from crawler.cassette import Cassette

    def load(file=path):
        if impl == "index":
            return Cassette.load(file, "none")
        return vcrpy_cassette(file, "none")

    with tempfile.TemporaryDirectory() as tmp:
        from tests import cassette_kit as kit
        load(kit.write(Path(tmp) / "warm.yaml", {"https://www.gz.gov.cn/robots.txt": kit.ROBOTS_OK}))
    gc.collect()
    if measure == "heap":
        tracemalloc.start()
        cassette = load()
        heap, heap_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return {"heap": heap, "heap_peak": heap_peak}
    before = _rss()
    t = time.perf_counter()
    cassette = load()
    seconds = time.perf_counter() - t
    gc.collect()
    n = len(cassette) if impl == "index" else len(cassette.data)
    return {"seconds": seconds, "resident": _rss() - before, "interactions": n}


def child_record_memory(impl: str, source: str, limit: int, target: str, measure: str) -> dict:
    """The middleware alone recording a crawl: each interaction of ``source`` (read one at a time)
    asked for (a miss: new_episodes over a new cassette) and answered "by the network", then the
    close that writes the cassette. ``rss``: peak resident memory above the process's start;
    ``heap``: the responses only (no lookups), Python's heap held before the close and its peak
    with the close (tracemalloc)."""
    import tracemalloc

    from scrapy import Spider
    from scrapy.http import Headers, Request
    from scrapy.responsetypes import responsetypes
    from scrapy.utils.test import get_crawler

    from crawler.cassette import CassetteMiddleware, CassetteReader

    def exchanges():
        for n, item in enumerate(CassetteReader(source)):
            if n >= limit:
                return
            q, s = item["request"], item["response"]
            body = q.get("body")
            request = Request(q["uri"], method=q["method"], body=body.encode() if isinstance(body, str) else body or b"",
                              headers={k: v for k, v in (q.get("headers") or {}).items()})
            headers = Headers({k: v for k, v in (s.get("headers") or {}).items()})
            string = s["body"]["string"]
            string = string.encode("utf-8") if isinstance(string, str) else string
            cls = responsetypes.from_args(headers=headers, url=q["uri"])
            yield request, cls(q["uri"], status=int(s["status"]["code"]), headers=headers, body=string)

    cls = CassetteMiddleware if impl == "index" else baseline_middleware_class()
    crawler = get_crawler(Spider, {"CASSETTE": target, "CASSETTE_RECORD_MODE": "new_episodes"})
    gc.collect()
    start = _rss()
    wall = time.perf_counter()
    mw = cls.from_crawler(crawler)
    count = 0
    if measure == "heap":
        tracemalloc.start()
        for request, response in exchanges():
            mw.process_response(request, response)
            count += 1
        held, _ = tracemalloc.get_traced_memory()
        mw.spider_closed(None, "finished")
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return {"held": held, "heap_peak": peak, "recorded": count, "size": os.path.getsize(target)}
    for request, response in exchanges():
        if mw.process_request(request) is None:
            mw.process_response(request, response)
            count += 1
    mw.spider_closed(None, "finished")
    return {"seconds": time.perf_counter() - wall, "peak_above_start": _peak() - start, "recorded": count,
            "size": os.path.getsize(target)}


def run_child(kind: str, *args) -> dict:
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", kind, *map(str, args)],
                          cwd=ROOT, capture_output=True, text=True)
    result, middleware = None, None
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            result = json.loads(line[7:])
        elif line.startswith("MIDDLEWARE "):
            middleware = json.loads(line[11:])
    if result is None:
        raise SystemExit(f"{kind} {args} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    if middleware is not None:
        result["middleware"] = middleware
    return result


# ----------------------------------------------------------------------------------------------
# Lookups in this process, over the same loaded cassettes
# ----------------------------------------------------------------------------------------------

def lookups(paths: dict[int, str], sample: int) -> dict[int, dict]:
    """The requests of each recorded crawl, in crawl order, looked up in each implementation: the
    index all of them, the sizes' passes interleaved (so that a busy machine weighs on each alike),
    best of 7; vcrpy an evenly spread sample of ``sample`` (one pass: its cost per lookup grows with
    the position of the answer in the file, the sample keeps the mix). CPU time; answers checked."""
    from scrapy.http import Request

    from crawler.cassette import Cassette, CassetteReader

    requests = {n: [Request(i["request"]["uri"], method=i["request"]["method"]) for i in CassetteReader(path)]
                for n, path in paths.items()}
    ours = {n: Cassette.load(path, "none") for n, path in paths.items()}
    best = dict.fromkeys(paths, float("inf"))
    for _ in range(7):
        for n in paths:
            t = time.process_time()
            hits = sum(ours[n].play(r.method, r.url, r.body or None, r.headers) is not None for r in requests[n])
            best[n] = min(best[n], time.process_time() - t)
            if hits != len(requests[n]):
                raise SystemExit(f"index lookups missed: {hits} of {len(requests[n])}")
    out = {}
    for n, path in paths.items():
        counter = {"calls": 0}
        theirs = vcrpy_cassette(path, "none", counter)
        chosen = requests[n][:: max(1, len(requests[n]) // sample)]
        t = time.process_time()
        for r in chosen:
            v = to_vcr_request(r)
            if not theirs.can_play_response_for(v):
                raise SystemExit(f"vcrpy lookup missed: {r.url}")
            theirs.play_response(v)
        out[n] = {"requests": len(requests[n]), "index_us": best[n] / len(requests[n]) * 1e6,
                  "vcrpy_us": (time.process_time() - t) / len(chosen) * 1e6, "vcrpy_sample": len(chosen),
                  "matcher_calls": round(counter["calls"] / len(chosen) * len(requests[n]))}
        del theirs
    return out


# ----------------------------------------------------------------------------------------------

def mb(n: float) -> str:
    return f"{n / 1e6:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=2000, help="reports in the large crawl (default 2000)")
    parser.add_argument("--small", type=int, default=500, help="reports in the small crawl (default 500)")
    parser.add_argument("--no-baseline-replay", action="store_true",
                        help="skip replaying the large crawl with vcrpy's Cassette (the slowest step)")
    args = parser.parse_args()
    from tests.portal_server import Portal, PortalServer

    sizes = sorted({args.small, args.reports})
    big = sizes[-1]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        cassettes, urls, rec = {}, {}, {}
        print("1. Recording a live crawl of the local test portal into a new cassette (each crawl in its own process)")
        print(f"{'reports':>8} {'requests':>8} {'cassette MB':>11} {'seconds':>8} {'CPU s':>7} {'peak MB':>8}")
        for n in sizes:
            with PortalServer(Portal(n)) as server:
                urls[n] = server.url
                cassettes[n] = str(tmp / f"rec-{n}.yaml")
                rec[n] = run_child("crawl", server.url, tmp / f"rec-{n}.db", cassettes[n], "new_episodes", "index")
                if n == big:
                    live = run_child("crawl", server.url, tmp / "live.db", "-", "none", "index")
            r = rec[n]
            assert r["recorded"] == r["requests"] and r["finish_reason"] == "finished", r
            print(f"{n:>8} {r['requests']:>8} {mb(os.path.getsize(cassettes[n])):>11} {r['seconds']:>8.1f} "
                  f"{r['cpu']:>7.1f} {mb(r['peak_rss']):>8}")
        r = rec[big]
        print(f"{'':>8} the same {big}-report crawl without a cassette: {live['seconds']:.1f} s, {live['cpu']:.1f} CPU s, "
              f"peak {mb(live['peak_rss'])} MB; recording adds {r['cpu'] - live['cpu']:+.1f} CPU s "
              f"({r['cpu'] / live['cpu']:.2f}x), {mb(r['peak_rss'] - live['peak_rss'])} MB of peak memory")
        print("   The middleware alone recording the crawl, each size in its own process: peak resident memory above "
              "the process's start (lookups, recording, close),")
        print("   and Python's heap held once every response is recorded / at its peak with the close (tracemalloc; "
              "responses only); growth per interaction from the small to the large crawl:")
        print(f"{'':>8} {'impl':<6} " + " ".join(f"{f'{n}: peak':>11} {'held':>9} {'heap peak':>9} {'seconds':>7}" for n in sizes)
              + f" {'held growth per interaction':>28}")
        recmem = {}
        per_file = os.path.getsize(cassettes[big]) / rec[big]["requests"]
        for impl in ("index", "vcrpy"):
            recmem[impl] = m = {n: {**run_child("recmem", impl, cassettes[big], rec[n]["requests"], tmp / f"m-{impl}-{n}.yaml", "rss"),
                                    **run_child("recmem", impl, cassettes[big], rec[n]["requests"], tmp / f"h-{impl}-{n}.yaml", "heap")}
                                for n in sizes}
            cells = " ".join(f"{mb(m[n]['peak_above_start']):>8} MB {mb(m[n]['held']):>6} MB {mb(m[n]['heap_peak']):>6} MB "
                             f"{m[n]['seconds']:>7.2f}" for n in sizes)
            growth = (m[big]["held"] - m[sizes[0]]["held"]) / max(1, m[big]["recorded"] - m[sizes[0]]["recorded"])
            print(f"{'':>8} {impl:<6} {cells} {growth:>10,.0f} B = {growth / per_file:>5.3f}x the file's")
        print(f"{'':>8} (an interaction is {per_file / 1e3:.1f} KB in the file; {big} reports: vcrpy holds "
              f"{recmem['vcrpy'][big]['held'] / max(1, recmem['index'][big]['held']):.0f}x what the index holds and takes "
              f"{recmem['vcrpy'][big]['seconds'] / recmem['index'][big]['seconds']:.0f}x its time)")

        print("\n2. Loading a cassette for replay (each in its own process): resident memory added and Python heap "
              "after the load / at its peak, as ratios to the file's size")
        print(f"{'cassette':<20} {'MB':>6} {'impl':<6} {'seconds':>8} {'resident MB':>12} {'resident':>9} {'heap':>6} {'peak':>6}")
        files = [(f"test portal {big}", cassettes[big])] + [(p.name, str(p)) for p in sorted((ROOT / "cassettes").glob("*.yaml"))]
        large = {}
        for label, path in files:
            size = os.path.getsize(path)
            for impl in ("index", "vcrpy"):
                load = {**run_child("load", impl, path, "resident"), **run_child("load", impl, path, "heap")}
                print(f"{label:<20} {mb(size):>6} {impl:<6} {load['seconds']:>8.2f} {mb(load['resident']):>12} "
                      f"{load['resident'] / size:>8.2f}x "
                      f"{load['heap'] / size:>5.2f}x {load['heap_peak'] / size:>5.2f}x")
                if impl == "index" and path == cassettes[big]:
                    large = load
        size = os.path.getsize(cassettes[big])
        print(f"{'':<20} the {big}-report cassette with the index: resident {large['resident'] / size:.2f}x, heap peak "
              f"{large['heap_peak'] / size:.2f}x the file (target <= 2; under 1 MB the resident figure is mostly the "
              "allocator's pages)")

        print("\n3. Lookups over the same loaded cassette (the crawl's requests in crawl order; CPU us per lookup; "
              "vcrpy: a sample of 300, its matcher calls for all requests extrapolated)")
        print(f"{'reports':>8} {'requests':>8} {'index us':>9} {'vcrpy us':>9} {'ratio':>7} {'vcrpy matcher calls':>20} "
              f"{'comparisons':>12}")
        looked = lookups({n: cassettes[n] for n in sizes}, 300)
        for n in sizes:
            lk = looked[n]
            print(f"{n:>8} {lk['requests']:>8} {lk['index_us']:>9.1f} {lk['vcrpy_us']:>9.0f} "
                  f"{lk['vcrpy_us'] / lk['index_us']:>6.0f}x {lk['matcher_calls']:>20,} {lk['matcher_calls'] // 3:>12,}")
        if len(sizes) > 1:
            s, b = looked[sizes[0]], looked[big]
            print(f"{'':>8} per-lookup cost from {sizes[0]} to {big} reports: index {b['index_us'] / s['index_us']:.2f}x, "
                  f"vcrpy {b['vcrpy_us'] / s['vcrpy_us']:.2f}x (linear in the cassette: 1x; a scan: "
                  f"{b['requests'] / s['requests']:.1f}x)")

        print(f"\n4. Replaying the {big}-report cassette into a fresh archive (real spider, middlewares, pipeline; "
              "each in its own process)")
        print(f"{'impl':<6} {'pages':>6} {'seconds':>8} {'pages/s':>8} {'CPU s':>7} {'middleware CPU s':>17} "
              f"{'share':>6} {'lookups':>8} {'us/lookup':>10} {'peak MB':>8}  (CPU: the crawl and its workers)")
        replays = {}
        for impl in ("index",) + (() if args.no_baseline_replay else ("vcrpy",)):
            r = replays[impl] = run_child("crawl", urls[big], tmp / f"replay-{impl}.db", cassettes[big], "none", impl)
            assert r["played"] == rec[big]["requests"] and not r["miss"] and r["new"] == big, r
            m = r["middleware"]
            spent = m["request"] + m["response"]
            print(f"{impl:<6} {r['played']:>6} {r['seconds']:>8.1f} {r['played'] / r['seconds']:>8.1f} {r['cpu']:>7.1f} "
                  f"{spent:>17.2f} {spent / r['cpu']:>5.1%} {m['lookups']:>8} {m['lookup'] / m['lookups'] * 1e6:>10.1f} "
                  f"{mb(r['peak_rss']):>8}")
        i = replays["index"]
        print(f"{'':<6} replay CPU / live crawl CPU: index {i['cpu'] / live['cpu']:.2f}x"
              + (f", vcrpy {replays['vcrpy']['cpu'] / live['cpu']:.2f}x" if "vcrpy" in replays else ""))
        if "vcrpy" in replays:
            v = replays["vcrpy"]
            vm, im = v["middleware"], i["middleware"]
            print(f"{'':<6} index vs vcrpy: pages/s {(i['played'] / i['seconds']) / (v['played'] / v['seconds']):.2f}x, "
                  f"CPU {v['cpu'] / i['cpu']:.2f}x less, middleware time "
                  f"{(vm['request'] + vm['response']) / (im['request'] + im['response']):.0f}x less "
                  f"({vm['matcher_calls']:,} vcrpy matcher calls, 3 per comparison)")

        print(f"\n5. The same cassette replayed by a bare spider (follows the column's links, writes each body to "
              "SQLite; no cleaning, no archive): what replay costs when the crawl's own work is small")
        print(f"{'impl':<6} {'pages':>6} {'seconds':>8} {'pages/s':>8} {'CPU s':>7} {'middleware CPU s':>17} {'share':>6}")
        bare = {}
        for impl in ("index",) + (() if args.no_baseline_replay else ("vcrpy",)):
            r = bare[impl] = run_child("bare", urls[big], tmp / f"bare-{impl}.db", cassettes[big], "none", impl)
            assert r["played"] == rec[big]["requests"] and not r["miss"], r
            m = r["middleware"]
            spent = m["request"] + m["response"]
            print(f"{impl:<6} {r['played']:>6} {r['seconds']:>8.1f} {r['played'] / r['seconds']:>8.1f} {r['cpu']:>7.1f} "
                  f"{spent:>17.2f} {spent / r['cpu']:>5.1%}")
        if "vcrpy" in bare:
            i, v = bare["index"], bare["vcrpy"]
            print(f"{'':<6} index vs vcrpy: pages/s {(i['played'] / i['seconds']) / (v['played'] / v['seconds']):.1f}x")


def child_main(argv: list[str]) -> None:
    kind, *rest = argv
    if kind in ("crawl", "bare"):
        url, db, cassette, mode, impl = rest
        result = child_crawl(url, db, cassette, mode, impl, bare=kind == "bare")
    elif kind == "load":
        result = child_load(*rest)
    elif kind == "recmem":
        impl, source, limit, target, measure = rest
        result = child_record_memory(impl, source, int(limit), target, measure)
    else:
        raise SystemExit(f"unknown child {kind}")
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child_main(sys.argv[2:])
    else:
        main()
