"""Many portals in one crawl (crawler.spiders.many), against portals on their own loopback
addresses (tests/many_portals.py): each host polite, none holding up the others."""

from __future__ import annotations

from collections import defaultdict

import pytest

from crawler.portals import Portal
from crawler.run import run_crawl
from crawler.spiders.many import ManyPortalsSpider
from tests.crawl_kit import FAST, rows
from tests.many_portals import ManyPortals


def spider_over(sim: ManyPortals) -> type[ManyPortalsSpider]:
    portals = [Portal(name=h.name, region=f"测试{h.index}", platform="nfcms", column=h.column,
                      sections={"bm": "部门"}, hosts=(h.netloc,), containers=("#zoomcon",), scheme="http")
               for h in sim.hosts]
    return type("SimSpider", (ManyPortalsSpider,), {"selected": classmethod(lambda cls, portals_arg=None: portals)})


@pytest.fixture(scope="module")
def sim():
    with ManyPortals(12, seed=3, reports=(3, 25), latency=(0.02, 0.1), failing=1, slow=1, down=1) as s:
        for host in s.hosts:
            if host.behaviour == "slow":
                host.latency = 1.0  # slow, not minutes
        yield s


def test_every_portal_at_once_each_polite_and_complete(sim, tmp_path):
    db = str(tmp_path / "a.db")
    delay = 0.5
    stats = run_crawl(spider_over(sim), {**FAST, "ARCHIVE_DB": db, "DOWNLOAD_DELAY": delay,
                                         "DOWNLOAD_DELAY_JITTER": 0, "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
                                         "RETRY_ENABLED": True, "RETRY_TIMES": 1})
    assert stats["finish_reason"] == "finished"
    walks = stats["archive/walks"]
    stored = {r["portal"]: r["n"] for r in rows(
        db, "select portal, count(*) AS n from reports where current_version is not null group by portal")}
    for host in sim.hosts:
        assert stored.get(host.name, 0) == host.expected_reports, host
        if host.behaviour in ("failing", "down"):
            assert walks[host.name]["archive/failed"], host  # failed, and said so
        else:
            assert walks[host.name]["archive/failed"] is None and walks[host.name]["archive/reports/new"] == \
                host.expected_reports
    # politeness: never two requests at once to one host, and the delay between them — on average
    # at least the delay (Scrapy spaces the requests it sends; the server sees one sent late, when
    # the crawler's thread was busy a moment, closer to the next), and never half of it
    for host in sim.hosts:
        spans = sorted(host.spans)
        for (asked, answered), (next_asked, _) in zip(spans, spans[1:]):
            assert next_asked >= answered - 0.01, (host.name, "two requests at once")
            assert next_asked - asked >= delay / 2, (host.name, next_asked - asked)
        if len(spans) > 2:
            assert (spans[-1][0] - spans[0][0]) / (len(spans) - 1) >= delay - 0.02, host.name
    # many hosts at once: the slow host's walk overlapped the others' instead of waiting its turn
    slow = next(h for h in sim.hosts if h.behaviour == "slow")
    ends = {h.name: max(t for _, _, t in h.requests) for h in sim.hosts if h.requests}
    starts = {h.name: min(t for _, _, t in h.requests) for h in sim.hosts if h.requests}
    assert sum(1 for n, s in starts.items() if n != slow.name and s < ends[slow.name]) >= 8
    # one crawls row per portal walked, under the portal's own name (its own spider's state)
    ends_as = {r["spider"]: r["finish_reason"]
               for r in rows(db, "select spider, finish_reason from crawls where spider like 'sim%'")}
    for host in sim.hosts:
        assert ends_as[host.name] == ("finished" if host.behaviour in ("ok", "slow") else walks[host.name]["archive/failed"])


def test_a_recrawl_of_many_fetches_only_what_changed(sim, tmp_path):
    db = str(tmp_path / "b.db")
    settings = {**FAST, "ARCHIVE_DB": db, "CONCURRENT_REQUESTS_PER_DOMAIN": 1}
    run_crawl(spider_over(sim), settings)
    healthy = [h for h in sim.hosts if h.behaviour in ("ok", "slow")]
    for h in sim.hosts:
        h.requests.clear()
    changed = healthy[0]
    changed.portal.add(2)
    stats = run_crawl(spider_over(sim), settings)
    walks = stats["archive/walks"]
    assert walks[changed.name]["archive/reports/new"] == 2
    for h in healthy[1:]:
        pages = [p for p, _, _ in h.requests if "/content/" in p]
        assert pages == [], (h.name, pages)  # nothing new there: no report page fetched
        assert walks[h.name].get("archive/reports/new", 0) == 0
    per_host = defaultdict(int)
    for h in healthy:
        per_host[h.name] = len(h.requests)
    assert max(per_host[h.name] for h in healthy[1:]) <= 3  # robots.txt, the column, its first list page


def test_crawlall_walks_the_portals_at_once_and_sums_up_each(tmp_path):
    """``scrapy crawlall`` as a user runs it (here one portal replayed from its cassette): one
    line per portal, the portal's own state (a later ``scrapy crawl guangzhou`` is incremental)."""
    import subprocess
    import sys

    from tests.paths import CASSETTES, ROOT

    db = tmp_path / "a.db"
    common = ["-s", f"CASSETTE={CASSETTES / 'guangzhou.yaml'}", "-s", f"ARCHIVE_DB={db}"]
    r = subprocess.run([sys.executable, "-m", "scrapy", "crawlall", "-a", "portals=guangzhou", *common],
                       cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    lines = r.stdout.splitlines()
    assert lines[0].startswith("crawl summary 20")
    guangzhou = next(line.split() for line in lines if line.startswith("guangzhou "))
    assert guangzhou[1] == "9" and guangzhou[-1] == "ok", r.stdout
    again = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "guangzhou", *common], cwd=ROOT,
                           capture_output=True, text=True, timeout=300)
    assert again.returncode == 0 and "Incremental walk" in again.stderr, again.stderr[-3000:]
    bad = subprocess.run([sys.executable, "-m", "scrapy", "crawlall", "-a", "portals=nowhere", *common],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2 and "unknown portal(s) nowhere" in bad.stderr
