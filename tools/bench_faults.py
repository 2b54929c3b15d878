#!/usr/bin/env python3
"""Fault benchmark: the crawl under a hostile local portal (tests/fault_server.py, 127.0.0.1).

Prints, in one run:

1. cases: every fault and hostile-input case of the test suite (tests/test_faults.py,
   tests/test_hostile_input.py), survived / tried, by case;
2. load: ``--reports`` reports (default 5,000) with 5 % failing on every attempt, then the server
   recovers: stored by the first run, recovered by a plain re-crawl, the re-crawl's requests as
   a share of the full crawl's, peak memory of each run;
3. crash series: a crawl of ``--crash-reports`` reports (a third with an attachment) SIGKILLed
   at ten random moments, then one plain run: reports and attachments complete,
   ``PRAGMA integrity_check``, duplicate versions, processes left behind (parsers, fork server,
  cleaning workers, the archive's writer);
4. memory ceiling: a crawl whose pages include an endless stream, a 100,000-deep nesting and
   the largest page allowed, peak memory (target < 500 MB).

    .venv/bin/python tools/bench_faults.py [--reports 5000] [--crash-reports 300] [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fault_server import FaultPortal, FaultServer  # noqa: E402
from tests.procs import alive, descendants  # noqa: E402

CRAWL = textwrap.dedent("""
    import json, resource, sys
    from tests.crawl_kit import FAST, spider_for
    from crawler.run import run_crawl
    url, db, extra = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    stats = run_crawl(spider_for(url), {**FAST, "ARCHIVE_DB": db, **extra})
    print("STATS", json.dumps({"finish_reason": stats.get("finish_reason"), "failed": stats.get("archive/failed"),
          "requests": stats.get("downloader/request_count", 0), "new": stats.get("archive/reports/new", 0),
          "owed": stats.get("archive/owed_reports", 0), "owed_attachments": stats.get("archive/owed_attachments", 0),
          "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}))
""")


def crawl(url: str, db: str, **extra) -> dict:
    r = subprocess.run([sys.executable, "-c", CRAWL, url, db, json.dumps(extra)], cwd=ROOT, capture_output=True,
                       text=True)
    line = next((x for x in r.stdout.splitlines() if x.startswith("STATS")), None)
    if line is None:
        raise SystemExit(f"crawl failed:\n{r.stderr[-3000:]}")
    return json.loads(line[6:])


def q(db: str, sql: str):
    con = sqlite3.connect(db)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def cases() -> None:
    r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rA", "-p", "no:cacheprovider",
                        "tests/test_faults.py", "tests/test_hostile_input.py",
                        "tests/test_decode.py::test_one_bad_byte_in_a_declared_utf8_page_is_a_replacement_character_not_mojibake"],
                       cwd=ROOT, capture_output=True, text=True)
    rows = [line.split(" ", 1) for line in r.stdout.splitlines() if line.startswith(("PASSED ", "FAILED ", "ERROR "))]
    print("1. cases (the fault tests, each a case):")
    for status, name in rows:
        print(f"   {status:<7} {name.split('::')[-1]}")
    passed = sum(1 for s, _ in rows if s == "PASSED")
    print(f"   survived {passed} / tried {len(rows)}\n")


def load(n: int, tmp: str) -> None:
    from tests.portal_server import PER_PAGE

    portal = FaultPortal(n)
    ids = [r.id for r in portal.listing()]
    failing = ids[::20]  # 5 %
    portal.fail(failing)
    db = os.path.join(tmp, "load.db")
    with FaultServer(portal) as server:
        t = time.time()
        first = crawl(server.url, db)
        t1 = time.time() - t
        stored1 = q(db, "select count(*) from reports where current_version is not null")
        portal.recover()
        t = time.time()
        again = crawl(server.url, db)
        t2 = time.time() - t
    stored2 = q(db, "select count(*) from reports where current_version is not null")
    share = (again["requests"] - len(failing)) / first["requests"]
    print(f"2. load: {n} reports ({n // PER_PAGE} list pages), {len(failing)} failing on every attempt")
    print(f"   first run:  {stored1} stored, {first['requests']} requests, {t1:.0f} s, peak {first['peak_mb']} MB")
    print(f"   plain re-crawl after recovery: {again['owed']} owed reports fetched, {stored2 - stored1} recovered "
          f"(target: all {len(failing)}), {again['requests']} requests = {len(failing)} owed + "
          f"{again['requests'] - len(failing)} others ({100 * share:.2f} % of the full crawl; target ≤ 2 %), "
          f"{t2:.0f} s, peak {again['peak_mb']} MB\n")


def docx_bytes(text: str) -> bytes:
    import io

    import docx

    d = docx.Document()
    d.add_paragraph(text)
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def crash_series(n: int, tmp: str, rng: random.Random) -> None:
    portal = FaultPortal(n)
    with_files = [r.id for r in portal.listing()][::3]
    for i in with_files:
        portal.attach([i], f"附件{i}.docx", docx_bytes(f"附件 {i}：本年度收到申请{i % 17}件。"))
    db = os.path.join(tmp, "crash.db")
    kills, helpers = [], set()
    with FaultServer(portal) as server:
        for _ in range(10):
            extra = json.dumps({"DOWNLOAD_DELAY": 0.03, "CONCURRENT_REQUESTS_PER_DOMAIN": 2})
            proc = subprocess.Popen([sys.executable, "-c", CRAWL, server.url, db, extra], cwd=ROOT,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            wait = rng.uniform(0.5, 6.0)
            time.sleep(wait)
            finished = proc.poll() is not None
            if not finished:
                helpers |= descendants(proc.pid)  # fork server, cleaning workers, writer, parsers
                os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            kills.append((round(wait, 1), "finished first" if finished else "killed"))
        time.sleep(1)
        # a killed crawl's forked parser children carry its command line; its other helpers were
        # named just before the kill: any still there is an orphan
        left = {int(p) for p in os.listdir("/proc") if p.isdigit() and "spider_for(url)" in _cmd(p)}
        left |= {p for p in helpers if alive(p)}
        final = crawl(server.url, db)
    reports = q(db, "select count(*) from reports where current_version is not null")
    attachments = q(db, "select count(*) from attachments")
    dupes = q(db, "select count(*) from (select report_url, clean_sha256 from versions group by 1, 2 "
                  "having count(*) > 1)")
    print(f"3. crash series: {n} reports, {len(with_files)} with an attachment; SIGKILL after "
          + ", ".join(f"{w} s ({k})" for w, k in kills))
    print(f"   then one plain run ({final['requests']} requests, {final['owed']} owed reports, "
          f"{final['owed_attachments']} owed attachments): reports {reports} / {n}, attachments {attachments} / "
          f"{len(with_files)}, integrity_check {q(db, 'pragma integrity_check')}, duplicate versions {dupes}, "
          f"processes left behind {len(left)} (of {len(helpers)} helpers the killed crawls had)\n")


def _cmd(pid: str) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().decode("utf-8", "replace")
    except OSError:
        return ""


def ceiling(tmp: str) -> None:
    from tests.portal_server import PER_PAGE

    portal = FaultPortal(PER_PAGE)
    ids = [r.id for r in portal.listing()]
    from archive.ingest import MAX_PAGE_BYTES

    def page(i: int, inner: str) -> bytes:
        title = portal.by_id(i).title
        return (f"<html><head><meta charset='utf-8'><title>{title}</title></head><body><div id='zoomcon'>"
                f"<h1>{title}</h1><p>{'本机关主动公开政府信息一百二十条，均按时答复。' * 10}</p>{inner}</div></body></html>"
                ).encode()

    deep = page(ids[1], "<div>" * 100_000 + "<p>" + "正文" * 1000 + "</p>")
    big = page(ids[2], "<div>" * ((MAX_PAGE_BYTES - 20_000) // 5) + "<p>" + "正文" * 1000 + "</p>")
    portal.rule(f"post_{ids[0]}.html", ("stream", 2 * 1024 * 1024 * 1024))
    portal.rule(f"post_{ids[1]}.html", ("body", deep, "text/html; charset=utf-8"))
    portal.rule(f"post_{ids[2]}.html", ("body", big, "text/html; charset=utf-8"))
    db = os.path.join(tmp, "ceiling.db")
    with FaultServer(portal) as server:
        stats = crawl(server.url, db)
    print(f"4. memory ceiling: an endless stream (2 GiB offered), a 100,000-deep nesting, a {len(big)}-byte page "
          f"of unclosed tags: peak {stats['peak_mb']} MB (target < 500 MB), {stats['new']} reports stored, "
          f"{q(db, 'select count(*) from versions where incomplete is not null')} flagged incomplete, finish "
          f"{stats['finish_reason']}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reports", type=int, default=5000)
    ap.add_argument("--crash-reports", type=int, default=300)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--skip-cases", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_cases:
            cases()
        load(args.reports, tmp)
        crash_series(args.crash_reports, tmp, random.Random(args.seed))
        ceiling(tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
