#!/usr/bin/env python3
"""Attachment extraction benchmark: every PDF of ``../shared/corpus/raw`` through
``archive.files.extract``.

For each PDF (extracted 3 times, each time in the parsing child that ``extract`` forks) prints
pages, characters of text, tables found, seconds (best and mean of the 3), pages per second, the
peak memory (ru_maxrss) of the parsing child and of the process calling ``extract``, and whether
table 三's numbers came out row by row in order (the check of tests/test_files.py; "n/a" for a PDF
without expected values there). Each PDF is measured in a fresh Python process; the first line is
the same measurement for an idle one (modules imported, a parsing child forked that parses
nothing), so the figures can be read as "baseline + what the file costs".

    .venv/bin/python tools/bench_files.py [--shared ../shared] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _mb(kib: int) -> float:
    return kib / 1024  # ru_maxrss is in KiB on Linux


def worker(path: str | None, rel: str | None, repeat: int) -> dict:
    from archive import files

    files.child.preload("pdf")
    if path is None:  # idle: the same imports, a parsing child that does nothing
        files.child.PARSERS["noop"] = lambda body: files.Extracted(kind="pdf")
        files.child.run("noop", b"x", 10)
        return {"self_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                "child_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}
    body = Path(path).read_bytes()
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = files.extract(body, Path(path).name)
        times.append(time.perf_counter() - t)
    in_order = "n/a"
    try:
        from tests.file_kit import TABLE3, table3_rows_in_order

        if rel in TABLE3:
            problems = table3_rows_in_order(result.text, TABLE3[rel])
            in_order = "yes" if not problems else f"no ({len(problems)} rows missing)"
    except ImportError as exc:  # pytest missing: the check is skipped, not the benchmark
        in_order = f"n/a ({exc.name} not installed)"
    return {
        "bytes": len(body),
        "pages": result.pages,
        "chars": len(result.text),
        "tables": len(result.tables),
        "scanned": result.scanned,
        "error": result.error,
        "best": min(times),
        "mean": statistics.mean(times),
        "self_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "child_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
        "table3": in_order,
    }


def run_fresh(args: list[str]) -> dict:
    out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, cwd=ROOT,
                         check=False)
    if out.returncode != 0:
        return {"error": f"worker failed: {out.stderr.strip().splitlines()[-1:]}"}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"), help="the shared/ folder (default ../shared)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--rel", help=argparse.SUPPRESS)
    ap.add_argument("--idle", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.idle or args.worker:
        print(json.dumps(worker(args.worker, args.rel, args.repeat)))
        return 0

    corpus = Path(args.shared) / "corpus" / "raw"
    pdfs = sorted(p for p in corpus.rglob("*") if p.is_file() and p.suffix.lower() == ".pdf")
    if not pdfs:
        print(f"no PDF under {corpus}", file=sys.stderr)
        return 1

    idle = run_fresh(["--idle"])
    print(f"idle process: {_mb(idle['self_kib']):.1f} MB peak RSS; idle parsing child: "
          f"{_mb(idle['child_kib']):.1f} MB (archive.files and pdfplumber imported, nothing parsed)")
    print(f"{args.repeat} extractions per file, each file in a fresh process; seconds are per extraction "
          f"(fork + parse + result back)\n")
    head = (f"{'file':<38} {'pages':>5} {'chars':>6} {'tables':>6} {'best s':>7} {'mean s':>7} "
            f"{'pages/s':>7} {'child MB':>8} {'+idle':>6} {'caller MB':>9}  表三 in order")
    print(head)
    print("-" * len(head))
    total_pages, total_time = 0, 0.0
    for path in pdfs:
        rel = path.relative_to(corpus).as_posix()
        r = run_fresh(["--worker", str(path), "--rel", rel, "--repeat", str(args.repeat)])
        if "best" not in r:
            print(f"{rel:<38} {r.get('error')}")
            continue
        pages = r["pages"] or 0
        total_pages += pages
        total_time += r["best"]
        note = f"  [{r['error']}]" if r["error"] else ("  [scanned]" if r["scanned"] else "")
        print(f"{rel:<38} {pages:>5} {r['chars']:>6} {r['tables']:>6} {r['best']:>7.3f} {r['mean']:>7.3f} "
              f"{pages / r['best'] if r['best'] else 0:>7.1f} {_mb(r['child_kib']):>8.1f} "
              f"{_mb(r['child_kib'] - idle['child_kib']):>+6.1f} {_mb(r['self_kib']):>9.1f}  {r['table3']}{note}")
    if total_time:
        print(f"\nall: {total_pages} pages in {total_time:.2f} s (best runs) = {total_pages / total_time:.1f} pages/s; "
              f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
