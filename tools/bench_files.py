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

Then, page by page, the PDF reader before and after PDFium took the pages without a ruled table
(``archive.files.pdf_pdfium``): every page of a freshly opened file read in order, as
``pdf.parse`` reads them, by pdfplumber (before) and by what ``pdf.parse`` does now (PDFium where
no ruled table can be, else pdfplumber; the decision included), in turns, best of ``--repeat``,
in CPU time of the reading thread (a busy machine does not count); whether the page has a ruled table, which
reader took it, and whether its lines came out the same (text and place). Totals for pages
without and with a ruled table, and whole files (``pdf.parse(pdfium=False)`` against
``pdf.parse()``, in this process) with whether their text and tables are identical.

    .venv/bin/python tools/bench_files.py [--shared ../shared] [--repeat 3] [--pages-only [--ctypes]]
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


def _same_lines(a, b) -> bool:
    """Two readings of a page give the same lines: text, and place to within 0.01 pt."""
    from archive.files.pdf_layout import Line

    la = [x for x in a.blocks if isinstance(x, Line)]
    lb = [x for x in b.blocks if isinstance(x, Line)]
    return a.n_chars == b.n_chars and len(la) == len(lb) and all(
        x.text == y.text and all(abs(getattr(x, k) - getattr(y, k)) < 0.01 for k in ("x0", "x1", "top", "bottom", "size"))
        for x, y in zip(la, lb))


def page_readers(pdfs: list[Path], corpus: Path, repeat: int) -> None:
    """Each page read before (pdfplumber) and after (PDFium where no ruled table can be)."""
    import io

    import pdfplumber

    from archive.files import pdf as pdf_mod
    from archive.files.pdf_layout import PTable, read_page
    from archive.files.pdf_pdfium import PdfiumPages

    def read_all(body: bytes, quick: bool):
        """Every page of one freshly opened file, in order as ``pdf.parse`` reads them: (page,
        reader, seconds, PDFium's split of the seconds) each; a page's time includes what PDFium
        spends deciding."""
        out = []
        with pdfplumber.open(io.BytesIO(body)) as doc:
            reader = PdfiumPages(body) if quick else None
            for index, page in enumerate(doc.pages):
                before = dict(reader.spent) if reader else {}
                t = time.thread_time()
                got = reader.read(index, page) if reader else None
                by = "pdfium" if got is not None else "pdfplumber"
                if got is None:
                    got = read_page(page)
                elapsed = time.thread_time() - t
                split = {k: v - before[k] for k, v in reader.spent.items()} if reader else {}
                out.append((got, by, elapsed, split))
                page.close()
            if reader:
                reader.close()
        return out

    print(f"\nPDF pages, read before (pdfplumber) and after (PDFium where no ruled table can be): every page "
          f"of a freshly opened file in order, as pdf.parse reads them, before and after in turns; CPU time "
          f"of the reading thread (other processes on the machine do not count), best of {repeat}\n")
    head = f"{'file':<38} {'page':>4} {'table':>5} {'reader':>10} {'before ms':>9} {'after ms':>8} {'ratio':>6}  same lines"
    print(head)
    print("-" * len(head))
    sums = {False: [0, 0.0, 0.0], True: [0, 0.0, 0.0]}
    split_sum: dict[str, float] = {}  # PDFium's time on the pages it read, by step
    for path in pdfs:
        body = path.read_bytes()
        best_old: list[float] | None = None
        best_new: list[float] | None = None
        best_split: list[dict] = []
        for _ in range(repeat):
            old_pages, new_pages = read_all(body, False), read_all(body, True)
            times_old, times_new = [t for _, _, t, _ in old_pages], [t for _, _, t, _ in new_pages]
            if best_new is None or sum(times_new) < sum(best_new):
                best_split = [split for _, _, _, split in new_pages]
            best_old = times_old if best_old is None else list(map(min, best_old, times_old))
            best_new = times_new if best_new is None else list(map(min, best_new, times_new))
        for index, ((old, _, _, _), (new, by, _, _)) in enumerate(zip(old_pages, new_pages)):
            before, after = best_old[index], best_new[index]
            table = any(isinstance(b, PTable) for b in old.blocks)
            if by == "pdfium":
                for key, value in best_split[index].items():
                    split_sum[key] = split_sum.get(key, 0.0) + value
            sums[table][0] += 1
            sums[table][1] += before
            sums[table][2] += after
            print(f"{path.relative_to(corpus).as_posix():<38} {index + 1:>4} {'yes' if table else 'no':>5} {by:>10} "
                  f"{1000 * before:>9.1f} {1000 * after:>8.1f} {before / after:>6.1f}  {'yes' if _same_lines(old, new) else 'NO'}")
    for table, (count, before, after) in sorted(sums.items()):
        if count:
            print(f"pages {'with' if table else 'without'} a ruled table: {count}, before {1000 * before:.1f} ms, "
                  f"after {1000 * after:.1f} ms, ratio {before / after:.1f}")
        if not table and split_sum:
            print("  after, by step (pages PDFium read): " + ", ".join(
                f"{step} {1000 * value:.1f} ms" for step, value in split_sum.items())
                + f"; before / characters alone: {before / split_sum['characters']:.1f}")
    print("\nwhole files, pdf.parse in this process (no child), CPU time, best of", repeat)
    total_before = total_after = 0.0
    for path in pdfs:
        body = path.read_bytes()
        before = after = float("inf")
        for _ in range(repeat):
            t = time.thread_time()
            old = pdf_mod.parse(body, pdfium=False)
            t_old = time.thread_time() - t
            t = time.thread_time()
            new = pdf_mod.parse(body)
            t_new = time.thread_time() - t
            before, after = min(before, t_old), min(after, t_new)
        total_before += before
        total_after += after
        same = "identical" if (old.text, old.tables, old.pages) == (new.text, new.tables, new.pages) else "DIFFERENT"
        print(f"{path.relative_to(corpus).as_posix():<38} before {1000 * before:7.1f} ms  after {1000 * after:7.1f} ms  "
              f"ratio {before / after:4.1f}  text and tables {same}")
    print(f"all files: before {1000 * total_before:.1f} ms, after {1000 * total_after:.1f} ms, "
          f"ratio {total_before / total_after:.2f}")


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
    ap.add_argument("--pages-only", action="store_true", help="only the page-by-page comparison of the PDF readers")
    ap.add_argument("--ctypes", action="store_true",
                    help="with --pages-only: PDFium's per-character questions through ctypes, as where "
                         "archive.files._pdfium_loops is not built")
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

    if args.pages_only:
        from archive.files import pdf_pdfium

        if args.ctypes:
            pdf_pdfium._loops = None
        print("PDFium's per-character questions: " + ("in C (archive.files._pdfium_loops)" if pdf_pdfium._loops
                                                     else "through ctypes"))
        page_readers(pdfs, corpus, args.repeat)
        return 0

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
    page_readers(pdfs, corpus, args.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
