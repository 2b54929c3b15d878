#!/usr/bin/env python3
"""Figures benchmark: what reading the statutory tables adds to storing a report.

Replays the five recorded portals (cassettes/*.yaml) into a fresh archive through the real
crawl, then, for every stored report, times in the same run and interleaved:

- cleaning: what the crawl does to read the report — decode and clean its page
  (``archive.ingest.examine``), or read it as a file, plus reading each attachment it links
  (``archive.files.extract``);
- figures: finding and reading its statutory tables from what was stored
  (``archive.figures.read_figures`` over the page's and attachments' grids and text).

Prints per-report milliseconds (best of ``--repeat``), the ratio figures / cleaning (target ≤ 0.2),
then ``archive figures --rebuild`` over the archive grown ``--scale`` times (every version copied
under new URLs), in seconds and milliseconds per version.

    .venv/bin/python tools/bench_figures.py [--repeat 5] [--scale 20]
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive import figure_store  # noqa: E402
from archive.figures import read_figures  # noqa: E402
from archive.files import extract  # noqa: E402
from archive.ingest import examine  # noqa: E402
from archive.store import Archive  # noqa: E402

PORTALS = ("guangzhou", "panyu", "tongxin", "songyuan", "hengyang")


def replay(db: str) -> None:
    for portal in PORTALS:
        subprocess.run([str(Path(sys.executable).parent / "scrapy"), "crawl", portal,
                        "-s", f"CASSETTE=cassettes/{portal}.yaml", "-s", "CASSETTE_RECORD_MODE=none",
                        "-s", f"ARCHIVE_DB={db}", "-s", "LOG_LEVEL=ERROR"], cwd=ROOT, check=True, capture_output=True)


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times) * 1000


def per_report(archive: Archive, repeat: int) -> list[tuple[str, float, float]]:
    out = []
    for report in archive.reports():
        url = report["url"]
        version = archive.version(report["current_version"], with_raw=True)
        raw, ctype = version["raw"], version.get("content_type") or "text/html"
        files = [(a["url"], archive.file_bytes(a["sha256"])) for a in archive.attachments(url) if a["sha256"]]
        sources = archive.table_sources(url)

        def clean():
            if version.get("extractor", "").startswith(("pdf", "docx", "xls", "doc")) or "html" not in ctype:
                extract(raw, url)
            else:
                examine(200, {"Content-Type": ctype}, raw, url)
            for name, body in files:
                extract(body, name)

        clean_ms, figures_ms = 0.0, 0.0
        for _ in range(repeat):  # interleaved: one of each per round, the best of each kept
            clean_ms = min(clean_ms or float("inf"), best(clean, 1))
            figures_ms = min(figures_ms or float("inf"), best(lambda: read_figures(sources), 1))
        out.append((url, clean_ms, figures_ms))
    return out


def grow(db: str, scale: int) -> int:
    """Copy every report, version and attachment link ``scale - 1`` times under new URLs."""
    con = sqlite3.connect(db)
    with con:
        reports = [r[0] for r in con.execute("SELECT url FROM reports")]
        for k in range(1, scale):
            for url in reports:
                new = f"{url}#copy{k}"
                con.execute("INSERT INTO reports SELECT ?, portal, section, agency, title, report_year, pub_date, "
                            "source, list_title, list_date, found_on, site_meta, attachments, first_seen, last_seen, "
                            "last_listed, listed_in_job, gone_since, NULL, version_count, \"column\" "
                            "FROM reports WHERE url = ?", [new, url])
                for (vid,) in con.execute("SELECT id FROM versions WHERE report_url = ?", [url]).fetchall():
                    cols = [r[1] for r in con.execute("PRAGMA table_info(versions)") if r[1] not in ("id", "report_url")]
                    cur = con.execute(f"INSERT INTO versions (report_url, {', '.join(cols)}) SELECT ?, "
                                      f"{', '.join(cols)} FROM versions WHERE id = ?", [new, vid])
                    con.execute("UPDATE reports SET current_version = ? WHERE url = ?", [cur.lastrowid, new])
                con.execute("INSERT INTO attachments (report_url, url, name, sha256, fetch_id, first_seen, last_seen) "
                            "SELECT ?, url, name, sha256, fetch_id, first_seen, last_seen FROM attachments "
                            "WHERE report_url = ?", [new, url])
    n = con.execute("SELECT count(*) FROM versions").fetchone()[0]
    con.close()
    return n


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--scale", type=int, default=20)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "archive.db")
        replay(db)
        archive = Archive(db)
        rows = per_report(archive, args.repeat)
        print(f"{'report':<92} {'clean ms':>9} {'figures ms':>10} {'ratio':>6}")
        for url, c, f in rows:
            print(f"{url[-92:]:<92} {c:9.2f} {f:10.2f} {f / c:6.3f}")
        clean_total, fig_total = sum(r[1] for r in rows), sum(r[2] for r in rows)
        print(f"\n{len(rows)} reports: cleaning {clean_total:.1f} ms, figures {fig_total:.1f} ms; "
              f"figures / cleaning = {fig_total / clean_total:.3f} (total), "
              f"{statistics.median(r[2] / r[1] for r in rows):.3f} (median per report); target ≤ 0.2")
        archive.close()
        versions = grow(db, args.scale)
        archive = Archive(db)
        counts = figure_store.rebuild(archive)
        print(f"archive figures --rebuild: {versions} versions in {counts['seconds']:.2f} s "
              f"({1000 * counts['seconds'] / versions:.2f} ms per version); {counts['statutory']} with statutory "
              f"tables, {counts['pre2019']} pre-2019 附表 only, {counts['none']} without")
        archive.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
