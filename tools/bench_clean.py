#!/usr/bin/env python3
"""Cleaning benchmark: our cleaner vs trafilatura's default ``extract()`` on the gold set.

For every page of the gold set (``tests/gold/pages_*.tsv``: real pages of ``../shared/corpus/raw``
and the report pages of the constructed cassettes) prints body-line recall and precision, chrome
lines left, table cells recovered and milliseconds per page, for both, then the totals and the
ratio of our time to trafilatura's — overall, and per page (median, 95th percentile, the worst page,
and the page that takes us longest). Both get the same decoded text; our time includes decoding and
the check for anti-bot challenges (``examine`` as the crawl calls it). The two are timed in turns
on each page (ours, theirs, ours, theirs …), best of ``--repeat``, in CPU time of the thread (what
other processes do on a busy machine does not count).

    .venv/bin/python tools/bench_clean.py [--shared ../shared] [--pages PATTERN] [--show-misses]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import trafilatura  # noqa: E402

from archive.decode import decode_html  # noqa: E402
from tests.evaluate import Score, score  # noqa: E402
from archive.ingest import examine  # noqa: E402
from tests.gold_set import load_gold_set  # noqa: E402


def timed_in_turns(fns, repeat: int):
    """Each function's result and best time in ms, the functions run in turns ``repeat`` times."""
    best = [float("inf")] * len(fns)
    results = [None] * len(fns)
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            t = time.thread_time()
            results[i] = fn()
            best[i] = min(best[i], time.thread_time() - t)
    return [(r, b * 1000) for r, b in zip(results, best)]


def percentile(values: list[float], share: float) -> float:
    """The value below which ``share`` of the values lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


def ours(page):
    r = examine(200, page.headers, page.body, page.url)
    return r.cleaned.text if r.is_report_page else ""


def theirs(page):
    text = decode_html(page.body, (page.headers.get("Content-Type") or [None])[0]).text
    return trafilatura.extract(text) or ""


def theirs_fast(page):
    """trafilatura without its fallback extractors (justext, readability) — as our cleaner runs it."""
    text = decode_html(page.body, (page.headers.get("Content-Type") or [None])[0]).text
    return trafilatura.extract(text, fast=True) or ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", default=str(ROOT.parent / "shared"))
    parser.add_argument("--pages", default="", help="only pages whose name contains this")
    parser.add_argument("--repeat", type=int, default=5, help="timing: best of N runs per page, ours and theirs in turns")
    parser.add_argument("--show-misses", action="store_true", help="print missed and extra lines")
    parser.add_argument("--write-pins", action="store_true",
                        help="record each page's current scores in tests/gold/pins.json (the regression floor)")
    args = parser.parse_args()

    pages = [p for p in load_gold_set(Path(args.shared)) if args.pages in p.name]
    head = (f"{'page':<44} | {'ours R%':>7} {'P%':>6} {'chr':>3} {'cells':>9} {'ms':>6} | "
            f"{'traf R%':>7} {'P%':>6} {'chr':>3} {'cells':>9} {'ms':>6}")
    print(head)
    print("-" * len(head))
    total_o, total_t, ms_o, ms_t = Score(), Score(), 0.0, 0.0
    pins = {}
    per_page: list[tuple[float, float, str]] = []  # (our ms, their ms, page)
    per_page_fast: list[tuple[float, float, str]] = []  # (our ms, trafilatura fast=True ms, page)
    for page in pages:
        (out_o, t_o), (out_t, t_t), (_, t_f) = timed_in_turns(
            [lambda: ours(page), lambda: theirs(page), lambda: theirs_fast(page)], args.repeat)
        per_page.append((t_o, t_t, page.name))
        per_page_fast.append((t_o, t_f, page.name))
        so, st = score(out_o, page.gold), score(out_t, page.gold)
        pins[page.name] = {"recall": round(so.recall, 6) - 1e-6, "precision": round(so.precision, 6) - 1e-6,
                           "cells": so.cells_recovered, "whole_lines": so.paragraphs_whole + so.rows_whole}
        total_o += so
        total_t += st
        ms_o += t_o
        ms_t += t_t
        print(f"{page.name[:44]:<44} | {100 * so.recall:>7.1f} {100 * so.precision:>6.1f} {so.chrome:>3} "
              f"{so.cells_recovered:>4}/{so.cells:<4} {t_o:>6.1f} | {100 * st.recall:>7.1f} {100 * st.precision:>6.1f} "
              f"{st.chrome:>3} {st.cells_recovered:>4}/{st.cells:<4} {t_t:>6.1f}")
        if args.show_misses:
            for line in so.missed:
                print(f"    - missed: {line[:100]}")
            for line in so.extra:
                print(f"    + extra:  {line[:100]}")
            for line in so.merged:
                print(f"    ~ merged: {line[:100]}")
    print("-" * len(head))
    n = len(pages)
    print(f"{'TOTAL (' + str(n) + ' pages, ' + str(total_o.gold_lines) + ' gold lines)':<44} | "
          f"{100 * total_o.recall:>7.2f} {100 * total_o.precision:>6.2f} {total_o.chrome:>3} "
          f"{total_o.cells_recovered:>4}/{total_o.cells:<4} {ms_o / n:>6.1f} | {100 * total_t.recall:>7.2f} "
          f"{100 * total_t.precision:>6.2f} {total_t.chrome:>3} {total_t.cells_recovered:>4}/{total_t.cells:<4} {ms_t / n:>6.1f}")
    print(f"paragraphs and rows as whole lines: ours {100 * total_o.paragraph_share:.2f} % "
          f"({total_o.paragraphs_whole}/{total_o.paragraphs} paragraphs, {total_o.rows_whole}/{total_o.rows} rows), "
          f"trafilatura {100 * total_t.paragraph_share:.2f} %")
    print(f"CPU time per page: ours {ms_o / n:.1f} ms, trafilatura {ms_t / n:.1f} ms, ratio {ms_o / ms_t:.2f}")
    ratios = sorted((o / t, name) for o, t, name in per_page if t > 0)
    worst_ratio, worst_page = ratios[-1]
    slow_o, slow_t, slow_page = max(per_page)
    print(f"per-page ratio: median {percentile([r for r, _ in ratios], 0.5):.2f}, "
          f"95th percentile {percentile([r for r, _ in ratios], 0.95):.2f}, max {worst_ratio:.2f} ({worst_page})")
    print(f"slowest page: {slow_page}: ours {slow_o:.1f} ms, trafilatura {slow_t:.1f} ms, ratio {slow_o / slow_t:.2f}")
    ms_f = sum(t for _, t, _ in per_page_fast)
    ratios_f = sorted((o / t, name) for o, t, name in per_page_fast if t > 0)
    fast_page = dict((name, t) for _, t, name in per_page_fast)[slow_page]
    print(f"against trafilatura extract(fast=True), the way our cleaner runs it: {ms_f / n:.1f} ms a page, "
          f"ratio {ms_o / ms_f:.2f}; per page median {percentile([r for r, _ in ratios_f], 0.5):.2f}, "
          f"95th percentile {percentile([r for r, _ in ratios_f], 0.95):.2f}, max {ratios_f[-1][0]:.2f} "
          f"({ratios_f[-1][1]}); slowest page {slow_o / fast_page:.2f}")
    if args.write_pins:
        path = ROOT / "tests" / "gold" / "pins.json"
        path.write_bytes((json.dumps(pins, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8"))
        print(f"wrote {path.relative_to(ROOT)} ({len(pins)} pages)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
