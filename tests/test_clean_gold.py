"""The cleaner against the hand-checked gold set (tests/gold, tests/data/*_manifest.json).

The cleaning issue's targets hold on the whole set: body-line recall ≥ 99.5 %, precision ≥ 99 %,
no chrome line left, every table cell recovered. Each page is also pinned to the scores it had
when the pins were last written (tests/gold/pins.json, ``tools/bench_clean.py --write-pins``,
to be rewritten only when pages got better), so that a change that helps one page cannot
silently hurt another.
"""

from __future__ import annotations

import json

import pytest

from tests.evaluate import Score, score
from archive.ingest import examine
from tests.paths import SHARED
from tests.gold_set import GOLD, load_gold_set

PAGES = load_gold_set(SHARED)
PINS = json.loads((GOLD / "pins.json").read_bytes().decode("utf-8")) if (GOLD / "pins.json").is_file() else {}


def cleaned(page) -> str:
    result = examine(200, page.headers, page.body, page.url)
    return result.cleaned.text if result.is_report_page else ""


def test_gold_set_is_large_enough():
    if not (SHARED / "corpus" / "raw").is_dir():
        pytest.skip("shared corpus not available")
    assert len(PAGES) >= 30


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_page_does_not_regress(page):
    s = score(cleaned(page), page.gold)
    pin = PINS.get(page.name)
    assert pin is not None, f"no pin for {page.name}: run tools/bench_clean.py --write-pins"
    assert s.recall >= pin["recall"] - 1e-9, s.missed
    assert s.precision >= pin["precision"] - 1e-9, s.extra
    assert s.cells_recovered >= pin["cells"]
    assert s.paragraphs_whole + s.rows_whole >= pin["whole_lines"], s.merged


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_pages_without_a_body_are_not_taken_for_reports(page):
    # the gold set says which pages have an article at all (a navigation fragment, a list page do not)
    result = examine(200, page.headers, page.body, page.url)
    assert result.is_report_page == page.has_body, (result.kind, result.reason,
                                                    result.cleaned.text[:200] if result.cleaned else None)


def test_totals_meet_the_targets():
    total = Score()
    for page in PAGES:
        total += score(cleaned(page), page.gold)
    assert total.recall >= 0.995, total.recall
    assert total.precision >= 0.99, total.precision
    assert total.chrome == 0
    assert total.cells_recovered == total.cells
    # paragraph structure: each gold paragraph and table row comes out as one line of its own
    assert total.paragraph_share >= 0.99, total.paragraph_share


def test_annual_report_pages_meet_the_targets_exactly():
    reports = [p for p in PAGES if ":" in p.name]  # pages of the constructed cassettes
    assert reports
    for page in reports:
        s = score(cleaned(page), page.gold)
        assert (s.recall, s.precision, s.chrome, s.cells_recovered) == (1.0, 1.0, 0, s.cells), page.name
