#!/usr/bin/env python3
"""Benchmark: the coverage matrix on archives of every agency's reports.

Builds synthetic archives (reports rows only: agency, portal, year — half of the agencies in a
registry of the same size, half known only from their reports) and times, per size, the web view's
canned query ``coverage`` (all regions, and one city's), ``archive coverage``'s computation, and as the
baseline measured in the same run a plain ``GROUP BY agency, report_year`` over the same table; prints
each as a ratio to the baseline. Datasette stops a query after 2 s (``archive serve``'s limit).

    .venv/bin/python tools/bench_coverage.py [--sizes 300:10000,3000:100000]
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive import coverage as cov  # noqa: E402
from archive import registry as reg  # noqa: E402
from archive.store import Archive  # noqa: E402

YEARS = list(range(2008, 2026))


def build(path: str, agencies: int, reports: int) -> list[reg.Row]:
    rng = random.Random(agencies * 7 + reports)
    rows = [reg.Row(line=i + 2, id=f"p{i}", agency=f"第{i}县人民政府", region_code=f"44{i % 90 + 1:02d}{i % 89 + 1:02d}",
                    region="", level="county", parent="", homepage="", column=f"https://p{i}.gov.cn/nb/", alternates=(),
                    platform="trs", sections={}, default_section="", hosts=(f"p{i}.gov.cn",), containers=(),
                    scheme="https", status="active", notes="") for i in range(agencies // 2)]
    archive = Archive(path)
    batch = []
    for j in range(reports):
        k = rng.randrange(agencies)
        name = f"第{k}县人民政府" if k < agencies // 2 else f"第{k}局"
        batch.append({"url": f"http://x.gov.cn/{j}", "portal": f"p{k % (agencies // 2)}", "agency": name,
                      "report_year": rng.choice(YEARS), "pub_date": "2020-01-01", "current_version": j + 1})
    archive.db["reports"].insert_all(batch, batch_size=5000)
    archive.conn.commit()
    archive.close()
    return rows


def timed(fn) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="300:10000,3000:100000", help="agencies:reports, comma-separated")
    args = parser.parse_args()
    print(f"{'agencies':>8} {'reports':>8}  {'baseline':>8}  {'canned (all)':>16}  {'canned (city)':>16}  {'archive coverage':>18}")
    for size in args.sizes.split(","):
        agencies, reports = (int(x) for x in size.split(":"))
        path = str(Path(tempfile.mkdtemp(prefix="bench-coverage-")) / "a.db")
        rows = build(path, agencies, reports)
        sql = cov.canned_sql(YEARS, rows, params=True)
        db = sqlite3.connect(path)
        base, _ = timed(lambda: db.execute("SELECT agency, report_year, count(*) FROM reports WHERE current_version "
                                           "IS NOT NULL GROUP BY agency, report_year").fetchall())
        whole, got = timed(lambda: db.execute(sql, {"today": "", "region": ""}).fetchall())
        city, _ = timed(lambda: db.execute(sql, {"today": "", "region": "440100"}).fetchall())
        python, m = timed(lambda: cov.coverage(Archive(path), rows, (YEARS[0], YEARS[-1]), today=date(2026, 6, 1)))
        assert len(got) == len(m.agencies), (len(got), len(m.agencies))
        print(f"{agencies:>8} {reports:>8}  {base:>7.3f}s  {whole:>6.2f}s ({whole / base:>5.1f}×)  "
              f"{city:>6.2f}s ({city / base:>5.1f}×)  {python:>7.2f}s ({python / base:>5.1f}×)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
