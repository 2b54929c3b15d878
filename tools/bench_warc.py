#!/usr/bin/env python3
"""Benchmark: what keeping every response costs in storage, and WARC export/import throughput.

For each size N (reports) it crawls the local test portal (tests/portal_server.py: NFCMS-style
list pages of 20 entries, one page per report) with the real spider, pipeline and archive, in a
child process, into a fresh archive, then prints:

1. Storage: bytes per report of the archive as crawled (every response kept: list pages,
   robots.txt, headers, request headers; payloads zstd; tables with each cell once) against the
   same content in the schema-3 layout, what the previous code stored (raw report bodies as zlib
   blobs in versions/files, full table JSON, no captures or payloads), both vacuumed, and the
   ratio (target ≤ 1.3); then the tables that take the space (``archive stats``).
2. Compression options measured on the archive's bodies and on the real pages and files of
   ../shared/corpus/raw: stored bytes and time (best of 3 interleaved rounds) for zlib 6 (the
   previous code), zlib 9, zstd 3, 9 (used) and 19.
3. Throughput: ``archive export --format warc``, ``archive import-warc`` of that file into an empty
   archive, and ``warcio index`` reading the same file — each a command in its own process,
   interleaved over ``--rounds`` rounds (median) — as records/s and MB/s, and as a ratio to
   ``warcio index``.
4. The same storage comparison on the replayed Guangzhou crawl (real pages and PDFs).
5. With ``--huge``: a WARC whose one record holds a 2 GiB body (a sparse file), imported: the
   record is refused under the 50 MB cap; seconds and the importer's peak memory.

    .venv/bin/python tools/bench_warc.py [--sizes 1000] [--rounds 3] [--huge]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive import payloads  # noqa: E402
from archive.stats import stats  # noqa: E402
from archive.store import Archive  # noqa: E402
from archive.tables import unpack_tables  # noqa: E402
from tests.portal_server import Portal, PortalServer  # noqa: E402

BIN = Path(sys.executable).parent
CRAWL = """
import json, sys
from tests.crawl_kit import FAST, spider_for
from crawler.run import run_crawl
stats = run_crawl(spider_for(sys.argv[1]), {**FAST, "CONCURRENT_REQUESTS_PER_DOMAIN": 16, "ARCHIVE_DB": sys.argv[2]})
print("RESULT " + json.dumps({k: stats.get(k, 0) for k in ("downloader/request_count", "archive/reports/new",
                                                            "finish_reason")}, default=str))
"""
PEAK = """
import resource, subprocess, sys
code = subprocess.run(sys.argv[1:]).returncode
print("PEAK_MB %.0f" % (resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024), file=sys.stderr)
sys.exit(code)
"""


def crawl(n: int, db: str) -> None:
    with PortalServer(Portal(n)) as server:
        proc = subprocess.run([sys.executable, "-c", CRAWL, server.url, db], cwd=ROOT, capture_output=True, text=True)
    if "RESULT " not in proc.stdout:
        raise SystemExit(f"crawl failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")


REPLAY = """
import sys
from crawler.run import run_crawl
stats = run_crawl("guangzhou", {"CASSETTE": "cassettes/guangzhou.yaml", "ARCHIVE_DB": sys.argv[1], "LOG_LEVEL": "ERROR"})
print("RESULT", stats.get("finish_reason"))
"""


def storage_line(label: str, db: str, tmp: Path) -> tuple[int, int, dict]:
    """Bytes per report of ``db`` (vacuumed) and of the same content in the schema-3 layout."""
    s = stats(Archive(db))
    after_copy, before_copy = str(tmp / f"{label}-after.db"), str(tmp / f"{label}-before.db")
    copy(db, after_copy)
    copy(db, before_copy)
    schema3_layout(before_copy)
    before, after = vacuumed_size(before_copy), vacuumed_size(after_copy)
    reports = s["reports"]
    print(f"storage, bytes per report: before (schema-3 layout, same content) {before / reports:,.0f}; "
          f"after {after / reports:,.0f} (as crawled, not vacuumed: {s['bytes_per_report']:,}); "
          f"ratio {after / before:.2f} (target <= 1.3)")
    return before, after, s


def copy(src: str, dst: str) -> None:
    with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
        a.backup(b)


def vacuumed_size(path: str) -> int:
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode = DELETE")
    con.execute("VACUUM")
    size = con.execute("PRAGMA page_count").fetchone()[0] * con.execute("PRAGMA page_size").fetchone()[0]
    con.close()
    return size


def schema3_layout(path: str) -> None:
    """Rewrite an archive copy as the schema-3 code stored the same content: each version's and
    file's raw bytes zlib-compressed (level 6) in the row, full table JSON, no payloads or captures."""
    con = sqlite3.connect(path)
    get = lambda digest: payloads.get(con, digest)  # noqa: E731
    # the full-text index's update trigger would re-index every text rewritten here (it is unchanged)
    triggers = con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'versions' "
                           "AND sql LIKE '%UPDATE%'").fetchall()
    with con:
        for name, _ in triggers:
            con.execute(f"DROP TRIGGER [{name}]")
        for table in ("versions", "files"):
            con.execute(f"ALTER TABLE {table} ADD COLUMN raw BLOB")
            con.execute(f"ALTER TABLE {table} ADD COLUMN raw_compression TEXT")
        for vid, digest, tables in con.execute("SELECT id, raw_sha256, tables FROM versions").fetchall():
            con.execute("UPDATE versions SET raw = ?, raw_compression = 'zlib', tables = ? WHERE id = ?",
                        [zlib.compress(get(digest), 6), json.dumps(unpack_tables(json.loads(tables)), ensure_ascii=False),
                         vid])
        for digest, tables in con.execute("SELECT sha256, tables FROM files").fetchall():
            con.execute("UPDATE files SET raw = ?, raw_compression = 'zlib', tables = ? WHERE sha256 = ?",
                        [zlib.compress(get(digest), 6), json.dumps(unpack_tables(json.loads(tables)), ensure_ascii=False),
                         digest])
        con.execute("DROP TABLE captures")
        con.execute("DROP TABLE payloads")
        for _, sql in triggers:
            con.execute(sql)
    con.close()


def archive_bodies(path: str) -> list[bytes]:
    con = sqlite3.connect(path)
    bodies = [payloads.get(con, d) for (d,) in con.execute("SELECT sha256 FROM payloads WHERE compression != 'derived'")]
    con.close()
    return bodies


def corpus_bodies() -> list[bytes]:
    """The real pages and files of ../shared/corpus/raw (none when it is not there)."""
    from tests.paths import CORPUS

    return [p.read_bytes() for p in sorted(CORPUS.rglob("*")) if p.is_file() and p.name != "MANIFEST.tsv"]


def compression_options(bodies: list[bytes], rounds: int = 3) -> list[tuple[str, int, int, float]]:
    """(name, bytes, stored bytes, seconds: the best of ``rounds``) per option over ``bodies``."""
    total = sum(map(len, bodies))
    options = [("zlib 6 (schema 3)", lambda b: zlib.compress(b, 6)), ("zlib 9", lambda b: zlib.compress(b, 9)),
               ("zstd 3", lambda b: payloads.zstd.compress(b, level=3)),
               (f"zstd {payloads.LEVEL} (used)", lambda b: payloads.zstd.compress(b, level=payloads.LEVEL)),
               ("zstd 19", lambda b: payloads.zstd.compress(b, level=19))]
    best = {name: float("inf") for name, _ in options}
    stored = {}
    for _ in range(rounds):  # interleaved: each option once per round
        for name, fn in options:
            started = time.perf_counter()
            stored[name] = sum(len(fn(b)) for b in bodies)
            best[name] = min(best[name], time.perf_counter() - started)
    return [(name, total, stored[name], best[name]) for name, _ in options]


def print_compression(title: str, bodies: list[bytes]) -> None:
    print(title)
    for name, total, stored, seconds in compression_options(bodies):
        print(f"  {name:<18} {stored:>12,} of {total:,} bytes ({stored / total:.3f}), {seconds * 1000:8.0f} ms, "
              f"{total / seconds / 1e6:6.1f} MB/s")


def timed(args: list, cwd=None) -> float:
    started = time.perf_counter()
    proc = subprocess.run([str(a) for a in args], cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(map(str, args))} failed: {proc.stderr[-2000:]}")
    return seconds


def throughput(db: str, tmp: Path, rounds: int) -> dict:
    warc = tmp / "bench.warc.gz"
    archive_cli, warcio_cli = BIN / "archive", BIN / "warcio"
    times = {"export": [], "index": [], "import": []}
    for r in range(rounds):
        if warc.exists():
            warc.unlink()
        times["export"].append(timed([archive_cli, "export", "--db", db, "--format", "warc", "-o", warc]))
        times["index"].append(timed([warcio_cli, "index", warc]))
        target = tmp / f"import-{r}.db"
        Archive(target).close()
        times["import"].append(timed([archive_cli, "import-warc", "--db", target, warc]))
    records = sum(1 for _ in subprocess.run([warcio_cli, "index", warc], capture_output=True, text=True).stdout.splitlines())
    size = warc.stat().st_size
    median = {k: statistics.median(v) for k, v in times.items()}
    return {"records": records, "bytes": size, "seconds": median, "all": times}


def huge(tmp: Path) -> str:
    from tests.warc_kit import huge_record_warc

    warc = huge_record_warc(tmp / "huge.warc", "https://www.example.org/huge.pdf", 2 * 1024 ** 3)
    db = tmp / "huge.db"
    Archive(db).close()
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", PEAK, str(BIN / "archive"), "import-warc", "--db", str(db), str(warc),
                           "--portals", "none"], capture_output=True, text=True)
    seconds = time.perf_counter() - started
    peak = next((line.split()[1] for line in proc.stderr.splitlines() if line.startswith("PEAK_MB")), "?")
    return f"{seconds:.1f} s, exit {proc.returncode}, peak RSS {peak} MB — {proc.stdout.strip()[:300]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000", help="portal sizes (reports), comma-separated")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds of export / index / import")
    parser.add_argument("--huge", action="store_true", help="also import a WARC with a 2 GiB record")
    args = parser.parse_args()
    for n in (int(x) for x in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp_name:
            tmp = Path(tmp_name)
            db = str(tmp / "after.db")
            started = time.perf_counter()
            crawl(n, db)
            print(f"== {n} reports (crawled in {time.perf_counter() - started:.0f} s)")
            _, _, s = storage_line("portal", db, tmp)
            reports = s["reports"]
            print(f"  captures {s['captures']:,}, distinct bodies {s['payloads']['distinct']:,}: "
                  f"{s['payloads']['bytes']:,} bytes stored in {s['payloads']['stored_bytes']:,}; "
                  f"bodies fetched {s['fetched']['body_bytes']:,} bytes; archive / fetched {s['stored_vs_fetched']}")
            top = list(s["tables"].items())[:8]
            print("  " + ", ".join(f"{name} {t['total_bytes'] / reports:,.0f}" for name, t in top) + " (bytes per report)")
            print_compression(f"compression of the archive's {s['payloads']['distinct']:,} distinct bodies "
                              "(best of 3 interleaved rounds):", archive_bodies(db))
            real = corpus_bodies()
            if real:
                print_compression(f"compression of the {len(real)} real pages and files of ../shared/corpus/raw:", real)
            t = throughput(db, tmp, args.rounds)
            records, mb = t["records"], t["bytes"] / 1e6
            index_s = t["seconds"]["index"]
            print(f"WARC: {records:,} records, {mb:.1f} MB (median of {args.rounds} interleaved rounds, each a command "
                  "in its own process)")
            for key, label in (("index", "warcio index"), ("export", "archive export --format warc"),
                               ("import", "archive import-warc")):
                sec = t["seconds"][key]
                print(f"  {label:<30} {sec:7.2f} s  {records / sec:9,.0f} records/s  {mb / sec:7.2f} MB/s  "
                      f"ratio to warcio index {sec / index_s:6.2f}x the time")
    with tempfile.TemporaryDirectory() as tmp_name:  # real pages: the recorded Guangzhou crawl
        db = str(Path(tmp_name) / "gz.db")
        proc = subprocess.run([sys.executable, "-c", REPLAY, db], cwd=ROOT, capture_output=True, text=True)
        if "RESULT finished" not in proc.stdout:
            raise SystemExit(f"replay failed: {proc.stderr[-2000:]}")
        print("== the replayed Guangzhou crawl (cassettes/guangzhou.yaml: real gz.gov.cn pages and PDFs)")
        storage_line("guangzhou", db, Path(tmp_name))
    if args.huge:
        with tempfile.TemporaryDirectory() as tmp_name:
            print("2 GiB record:", huge(Path(tmp_name)))


if __name__ == "__main__":
    main()
