"""The crawl's small extensions: the cycle collector's thresholds while a crawl runs."""

from __future__ import annotations

import gc

import pytest
from scrapy.utils.test import get_crawler

from crawler.extensions import CycleCollection
from crawler.run import run_crawl
from tests.crawl_kit import FAST, spider_for
from tests.portal_server import Portal, PortalServer


@pytest.fixture
def thresholds():
    saved = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*saved)


@pytest.mark.parametrize("setting, during", [(5000, (5000, 10, 10)), (0, (700, 10, 10))])
def test_a_crawl_collects_cycles_less_often_and_gives_the_thresholds_back(thresholds, db_path, setting, during):
    """``GC_GEN0_THRESHOLD = 0``: the collector is left as it is."""
    seen = []
    with PortalServer(Portal(3)) as server:
        spider = spider_for(server.url)

        class Watching(spider):
            async def parse_report(self, response):
                seen.append(gc.get_threshold())
                return await super().parse_report(response)

        stats = run_crawl(Watching, {**FAST, "ARCHIVE_DB": db_path, "GC_GEN0_THRESHOLD": setting})
    assert stats["archive/reports/new"] == 3
    assert seen and set(seen) == {during}
    assert gc.get_threshold() == (700, 10, 10)
    assert gc.isenabled()


def test_a_negative_threshold_is_refused():
    with pytest.raises(ValueError, match="GC_GEN0_THRESHOLD"):
        CycleCollection.from_crawler(get_crawler(settings_dict={"GC_GEN0_THRESHOLD": -1}))


def test_overlapping_crawls_restore_once_the_last_stops(thresholds):
    first = CycleCollection(8000)
    second = CycleCollection(20000)
    first.engine_started()
    assert gc.get_threshold() == (8000, 10, 10)
    second.engine_started()
    assert gc.get_threshold() == (20000, 10, 10)
    first.engine_stopped()
    assert gc.get_threshold()[0] == 20000  # the second crawl still runs
    second.engine_stopped()
    assert gc.get_threshold() == (700, 10, 10)


def test_a_higher_threshold_set_by_the_user_is_kept(thresholds):
    gc.set_threshold(50000, 5, 5)
    extension = CycleCollection(10000)
    extension.engine_started()
    assert gc.get_threshold() == (50000, 5, 5)
    extension.engine_stopped()
    assert gc.get_threshold() == (50000, 5, 5)


def test_a_stop_without_a_start_changes_nothing(thresholds):
    running = CycleCollection(9000)
    running.engine_started()
    CycleCollection(10000).engine_stopped()  # a crawl that never started its engine
    assert gc.get_threshold() == (9000, 10, 10)
    running.engine_stopped()
    assert gc.get_threshold() == (700, 10, 10)
