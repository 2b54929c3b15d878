"""Find a portal's annual-report column(s): ``scrapy crawl discover -a url=HOMEPAGE`` (or
``-a file=LIST``, one homepage per line).

From the homepage the spider follows what a person would — the navigation and footer links whose
words lead to the column (政务公开 → 政府信息公开 → 政府信息公开年报 / 年度报告 / 工作年报), the site map
(网站地图), the 公开目录 (a gkmlpt catalogue's categories), URL shapes that name a column (…/zfxxgknb/,
…/ndbg/) — best promise first (``crawler.discovery``), and confirms a candidate by the report
entries its page lists (the platform modules' list parsers; for a column whose reports sit in
sub-columns, up to three of those). Bounded and polite: the homepage's host only (www.X and X
are one site; redirects elsewhere are not followed), one request at a time per site, robots.txt
obeyed, at most ``-a budget=`` requests per site (``ARCHIVE_DISCOVER_BUDGET``, 50, robots.txt
included) and ``-a depth=`` links deep (``ARCHIVE_DISCOVER_DEPTH``, 4; a link naming the column
may be one deeper). Once a column is confirmed, only other links naming a column are still
followed.

Each site's candidates are stored in the archive (``discoveries``: the column, platform, confirmed,
score, evidence — the links followed, the entries that confirmed it) and replace that site's earlier
ones; a site with none ends with "not found" and what was tried. Every exchange is a ``fetches`` row.
``archive registry discovered`` lists what was found; ``archive registry add --from-discoveries``
promotes the confirmed columns into a registry. The crawl fails (exit status 1) when no site had a
confirmed column.
"""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit, urlunsplit

import scrapy
from scrapy.exceptions import IgnoreRequest
from w3lib.url import safe_url_string

from archive.blocked import classify
from archive.decode import DecodeError, decode_html
from archive.http import header_value, normalise_headers
from archive.meta import report_year
from archive.records import utcnow
from archive.registry import column_folder
from crawler import discovery as disc
from crawler.extensions import NETWORK_ERRORS
from crawler.items import FetchItem
from crawler.pipelines import shared_writer
from crawler.provenance import failed_fetch, fetch_record
from crawler.spiders.base import identify, new_job_id
from crawler.walk import failure_reason

REDIRECTS = (301, 302, 303, 307, 308)
SEE_STATUSES = list(REDIRECTS) + [304] + list(range(400, 600))
MAX_SUB_COLUMNS = 3  # sub-columns fetched to confirm a column that lists only sub-columns
PRIORITY = {"redirect": 1000, "sub": 900, "api": 850, "column": 500, "catalogue": 450}


@dataclass
class Step:
    """One request of a site's search: where, why, and how it was reached."""

    url: str
    kind: str  # home, hub, column, catalogue, api, sub, redirect (of the kind in ``was``)
    depth: int
    path: list[dict]  # the links followed to get here: {url, text, via}
    text: str = ""  # the words of the link followed
    named: int = 0  # how plainly the link named the column (discovery.column_name_score)
    candidate: str | None = None  # sub / api steps: the candidate column they confirm
    was: str = ""  # a redirect step: the kind of the step redirected

    @property
    def effective(self) -> str:
        return self.was or self.kind


@dataclass
class Candidate:
    url: str  # the column URL as recorded
    name: str
    named: int
    path: list[dict]
    platform: str = "generic"
    reports: dict = field(default_factory=dict)  # url → Entry (disclosure reports)
    plain: dict = field(default_factory=dict)  # url → Entry (other report-titled entries)
    listed: int = 0
    is_article: bool = False
    why_article: str = ""
    sub_columns: list[dict] = field(default_factory=list)
    fetched: bool = False  # its page was fetched (else it was only linked)
    note: str = ""

    def verdict(self) -> disc.Verdict:
        if not self.fetched:
            return disc.Verdict(False, 0.0, self.note or "linked, not fetched (the budget ran out first)")
        return disc.judge(len(self.reports), len(self.plain), self.listed, self.named, self.is_article,
                          self.why_article)


@dataclass
class Site:
    homepage: str
    host: str
    budget: int
    max_depth: int
    requests: int = 0
    robots_for: set = field(default_factory=set)
    frontier: list = field(default_factory=list)
    queued: dict = field(default_factory=dict)  # URL → the best priority it was queued with
    fetched: set = field(default_factory=set)
    candidates: dict = field(default_factory=dict)  # column_url → Candidate
    tried: list = field(default_factory=list)  # (url, what came of it)
    site_facts: dict = field(default_factory=dict)
    in_flight: bool = False
    done: bool = False
    stop_reason: str = ""
    counter: itertools.count = field(default_factory=itertools.count)

    def push(self, step: Step, priority: float) -> None:
        """Queue a step; a URL queued again with a better promise (a link naming the column after
        one reading 更多) is queued again with it, the earlier entry skipped when it comes up."""
        key = step.url.split("#")[0] if step.kind not in ("api",) else step.url
        if key in self.fetched:
            return
        if step.kind != "redirect" and key in self.queued and self.queued[key] >= priority:
            return
        self.queued[key] = max(priority, self.queued.get(key, priority))
        heapq.heappush(self.frontier, (-priority, next(self.counter), step))

    def confirmed(self) -> list[Candidate]:
        return [c for c in self.candidates.values() if c.verdict().confirmed]


class DiscoverSpider(scrapy.Spider):
    name = "discover"
    portal = None  # not a portal spider: crawlall skips it, the redirect guard leaves it to us
    walk_complete = False  # nothing is ever marked gone by a discovery

    custom_settings: dict = {}

    @classmethod
    def update_settings(cls, settings):
        """The User-Agent names whoever runs the discovery, as the portal spiders' does."""
        super().update_settings(settings)
        identify(settings)

    @staticmethod
    def homepages(url: str | None = None, file: str | None = None) -> list[str]:
        """The homepages to search (ValueError for anything unusable, naming the line)."""
        if bool(url) == bool(file):
            raise ValueError("the discover spider needs -a url=<homepage> or -a file=<list of homepages>")
        lines: list[tuple[str, str]] = []
        if url:
            lines.append(("-a url", url.strip()))
        else:
            try:
                data = Path(file).read_bytes()
            except OSError as exc:
                raise ValueError(f"cannot read the list of homepages {file}: {exc.strerror or exc}") from None
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise ValueError(f"{file} is not UTF-8 text") from None
            for n, line in enumerate(text.splitlines(), 1):
                line = line.split("#", 1)[0].strip() if line.lstrip().startswith("#") else line.strip()
                if line:
                    lines.append((f"{file}, line {n}", line.split()[0]))
        out: list[str] = []
        for where, value in lines:
            parts = urlsplit(value)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError(f"{where}: not an http(s) URL: {value!r}")
            value = urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))
            if value not in out:
                out.append(value)
        if not out:
            raise ValueError(f"{file} lists no homepage")
        return out

    @classmethod
    def check_arguments(cls, url: str | None = None, file: str | None = None, budget: str | None = None,
                        depth: str | None = None, **others) -> None:
        cls.homepages(url, file)
        for name, value, low in (("budget", budget, 2), ("depth", depth, 1)):
            if value is not None and (not str(value).isdigit() or int(value) < low):
                raise ValueError(f"{name} is a whole number of at least {low}, not {value!r}")
        unknown = sorted(set(others) - {"_job"})
        if unknown:
            raise ValueError(f"the discover spider takes url, file, budget and depth, not {', '.join(unknown)}")

    def __init__(self, *args, url: str | None = None, file: str | None = None, budget: str | None = None,
                 depth: str | None = None, **kwargs):
        self.check_arguments(url=url, file=file, budget=budget, depth=depth)
        super().__init__(*args, **kwargs)
        self.start_urls_ = self.homepages(url, file)
        self.budget_arg, self.depth_arg = budget, depth
        self.sites: dict[str, Site] = {}

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.job_id = new_job_id(spider.name, crawler.settings)
        return spider

    # --- the search ----------------------------------------------------------------------------
    async def start(self):
        # the pipeline's connection: a second writer in this process would wait on its open batch
        self.archive = shared_writer(self.settings)
        budget = int(self.budget_arg or self.settings.getint("ARCHIVE_DISCOVER_BUDGET", 50))
        depth = int(self.depth_arg or self.settings.getint("ARCHIVE_DISCOVER_DEPTH", 4))
        self.obey_robots = self.settings.getbool("ROBOTSTXT_OBEY")
        replaying = bool(self.settings.get("CASSETTE")) and self.settings.get("CASSETTE_RECORD_MODE", "none") == "none"
        if not self.settings.get("ARCHIVE_CONTACT") and not replaying:
            self.logger.warning("ARCHIVE_CONTACT is not set: site operators cannot tell who runs this crawl. "
                                "Set it (-s ARCHIVE_CONTACT=you@example.org, or the environment variable).")
        for homepage in self.start_urls_:
            site = Site(homepage=homepage, host=urlsplit(homepage).netloc.lower(), budget=budget, max_depth=depth)
            self.sites[homepage] = site
            site.push(Step(homepage, "home", 0, [{"url": homepage, "text": "首页", "via": "homepage"}], "首页"), 0)
            self.crawler.stats.inc_value("discover/sites")
            request = self._next(site)
            if request is not None:
                yield request

    def _next(self, site: Site) -> scrapy.Request | None:
        """The site's next request (best promise first), or None when its search is over."""
        site.in_flight = False
        while site.frontier:
            priority, _, step = site.frontier[0]
            if step.kind != "api" and step.url.split("#")[0] in site.fetched:
                heapq.heappop(site.frontier)  # fetched already (queued twice, or reached by a redirect)
                continue
            if site.confirmed() and step.effective in ("hub", "catalogue", "home"):
                site.stop_reason = "a column was confirmed; no more exploring"
                break
            cost = 1 + (1 if self.obey_robots and urlsplit(step.url).netloc not in site.robots_for else 0)
            if site.requests + cost > site.budget:
                site.stop_reason = f"the budget of {site.budget} requests was used up"
                break
            heapq.heappop(site.frontier)
            site.requests += cost
            site.robots_for.add(urlsplit(step.url).netloc)
            site.in_flight = True
            self.crawler.stats.inc_value("discover/requests", cost)
            return scrapy.Request(
                step.url.split("#")[0], callback=self.parse, errback=self.on_error, dont_filter=True,
                meta={"site": site.homepage, "step": step, "dont_redirect": True,
                      "handle_httpstatus_list": SEE_STATUSES, "found_on": step.path[-2]["url"] if len(step.path) > 1 else None,
                      "download_maxsize": self.settings.getint("ARCHIVE_MAX_PAGE_BYTES")})
        if not site.stop_reason:
            site.stop_reason = "nothing more to follow"
        self._finish(site)
        return None

    def _fetch_item(self, response, outcome: str, reason: str) -> FetchItem:
        return FetchItem(fetch_record(response, self.job_id, self.name).but(outcome=outcome, reason=reason))

    def parse(self, response):
        site: Site = self.sites[response.meta["site"]]
        step: Step = response.meta["step"]
        site.fetched.add(step.url.split("#")[0] if step.kind != "api" else step.url)
        site.fetched.add(response.url)
        what = self._read(site, step, response)
        yield self._fetch_item(response, "discover", what)
        request = self._next(site)
        if request is not None:
            yield request

    def on_error(self, failure):
        request = failure.request
        site: Site = self.sites[request.meta["site"]]
        step: Step = request.meta["step"]
        site.fetched.add(step.url.split("#")[0])
        if failure.check(IgnoreRequest):
            reason = "disallowed by robots.txt"
            site.requests -= 1  # never sent: not a request to the site
            self.crawler.stats.inc_value("discover/requests", -1)
            self.crawler.stats.inc_value("discover/robots_disallowed")
        else:
            reason = failure_reason(failure)
            if failure.check(*NETWORK_ERRORS) and step.kind == "home":
                site.stop_reason = "the homepage is unreachable"
                site.frontier.clear()
        site.tried.append((step.url, step.text, reason))
        self._candidate_failed(site, step, reason)
        yield FetchItem(failed_fetch(request, self.job_id, self.name, reason).but(outcome="discover-error"))
        next_request = self._next(site)
        if next_request is not None:
            yield next_request

    # --- one response ---------------------------------------------------------------------------
    def _read(self, site: Site, step: Step, response) -> str:
        """Everything one response tells; returns what it was, for its fetch row."""
        headers = normalise_headers(response.headers)
        if response.status in REDIRECTS:
            location = header_value(headers, "Location")
            target = safe_url_string(urljoin(response.url, location)) if location else None
            if target and disc.same_site(target, site.host):
                self._follow_redirect(site, step, target, f"HTTP {response.status}")
                return f"redirect {response.status} to {target}: followed"
            why = f"HTTP {response.status} to {target or 'nowhere'}: off the site, not followed"
            site.tried.append((step.url, step.text, why))
            self._candidate_failed(site, step, why)
            return why
        verdict = classify(response.status, headers, response.body)
        if verdict is not None:
            site.tried.append((step.url, step.text, verdict.reason))
            self._candidate_failed(site, step, verdict.reason)
            return f"{verdict.kind}: {verdict.reason}"
        body_text = None
        try:
            body_text = decode_html(response.body, header_value(headers, "Content-Type")).text
        except DecodeError as exc:
            site.tried.append((step.url, step.text, f"not text: {exc}"))
            self._candidate_failed(site, step, f"not text: {exc}")
            return f"not text: {exc}"
        if step.effective == "api":
            return self._read_listing(site, step, response.url, body_text)
        page = disc.examine(response.url, body_text)
        if step.effective == "home" and not site.site_facts:
            site.site_facts = dict(page.site)
        if page.refresh and disc.same_site(page.refresh, site.host) and page.refresh.split("#")[0] != response.url:
            self._follow_redirect(site, step, page.refresh, "a refresh to")
        if step.effective == "sub":
            return self._read_sub(site, step, response.url, page)
        described = self._consider(site, step, response.url, page)
        self._queue_links(site, step, response.url, page)
        if page.catalogue:
            described += self._queue_catalogue(site, step, response.url, page)
        site.tried.append((response.url, step.text or page.name, described))
        return described

    def _follow_redirect(self, site: Site, step: Step, target: str, via: str) -> None:
        path = step.path + [{"url": target, "text": step.path[-1].get("text", ""), "via": via}]
        site.push(Step(target, "redirect", step.depth, path, step.text, step.named, step.candidate,
                       was=step.effective), PRIORITY["redirect"])

    def _consider(self, site: Site, step: Step, url: str, page: disc.Page) -> str:
        """The page as a candidate column: named as one (by the link followed or its own name),
        or listing report entries."""
        named = max(step.named if step.effective == "column" else 0, disc.column_name_score(page.name))
        has = len(page.reports) + len(page.plain)
        if not named and not page.reports:
            return f"{page.name or 'page'}: {has} report entries, not a candidate"
        key = disc.column_url(url)
        cand = site.candidates.get(key)
        if cand is None:
            cand = site.candidates[key] = Candidate(key, step.text if step.named else page.name, named, step.path)
        cand.named = max(cand.named, named)
        cand.fetched, cand.platform = True, page.platform
        cand.is_article, cand.why_article = page.is_article, page.why_article
        for e in page.reports:
            cand.reports.setdefault(e.url, e)
        for e in page.plain:
            cand.plain.setdefault(e.url, e)
        cand.listed = max(cand.listed, page.listed)
        if not page.is_article and named >= 70 and not has and page.folders:
            # a column whose reports sit in sub-columns (by year, by kind of agency): look at some
            for folder in page.folders[:MAX_SUB_COLUMNS]:
                sub = Step(folder, "sub", step.depth + 1, step.path + [{"url": folder, "text": "", "via": "sub-column"}],
                           candidate=key)
                site.push(sub, PRIORITY["sub"])
            return f"candidate column {key}: no entries on the page, {len(page.folders)} sub-columns (looking at " \
                   f"{min(len(page.folders), MAX_SUB_COLUMNS)})"
        return f"candidate column {key}: {cand.verdict().why}"

    def _read_sub(self, site: Site, step: Step, url: str, page: disc.Page) -> str:
        cand = site.candidates.get(step.candidate or "")
        if cand is None:
            return "sub-column of nothing"
        for e in page.reports:
            cand.reports.setdefault(e.url, e)
        for e in page.plain:
            cand.plain.setdefault(e.url, e)
        cand.listed += page.listed
        if cand.platform == "generic" and page.platform != "generic":
            cand.platform = page.platform
        cand.sub_columns.append({"url": url, "reports": len(page.reports), "plain": len(page.plain)})
        return f"sub-column of {cand.url}: {len(page.reports)} report entries"

    def _read_listing(self, site: Site, step: Step, url: str, body: str) -> str:
        try:
            page = disc.examine_listing(url, body)
        except ValueError as exc:
            self._candidate_failed(site, step, f"not a listing: {exc}")
            return f"not a listing: {exc}"
        cand = site.candidates[step.candidate]
        cand.fetched, cand.platform = True, "gkmlpt"
        for e in page.reports:
            cand.reports.setdefault(e.url, e)
        for e in page.plain:
            cand.plain.setdefault(e.url, e)
        cand.listed = max(cand.listed, page.listed)
        return f"catalogue listing of {cand.url}: {cand.verdict().why}"

    def _candidate_failed(self, site: Site, step: Step, reason: str) -> None:
        key = step.candidate if step.effective in ("api", "sub") else None
        if step.effective == "column":
            key = disc.column_url(step.url)
            site.candidates.setdefault(key, Candidate(key, step.text, step.named, step.path))
        cand = site.candidates.get(key or "")
        if cand is not None and not cand.fetched:
            cand.note = f"its page could not be read: {reason}"

    def _queue_links(self, site: Site, step: Step, url: str, page: disc.Page) -> None:
        depth = step.depth + 1
        for link in page.links:
            if disc.is_pager_link(url, link.url, link.text):
                continue  # another page of this list
            promise = disc.link_promise(link.text, link.url, link.title)
            if not promise.kind:
                continue
            path = step.path + [{"url": link.url, "text": promise.name, "via": "link"}]
            if promise.kind == "column" and depth <= site.max_depth + 1:
                site.push(Step(link.url, "column", depth, path, promise.name, promise.score),
                          PRIORITY["column"] + promise.score - 10 * depth)
            elif promise.kind == "catalogue" and depth <= site.max_depth:
                site.push(Step(link.url, "catalogue", depth, path, promise.name), PRIORITY["catalogue"] - 10 * depth)
            elif promise.kind == "hub" and depth <= site.max_depth:
                site.push(Step(link.url, "hub", depth, path, promise.name), promise.score - 20 * depth)

    def _queue_catalogue(self, site: Site, step: Step, url: str, page: disc.Page) -> str:
        sid, categories = page.catalogue
        named = [(cid, name, disc.column_name_score(name)) for cid, name in categories]
        named = [n for n in named if n[2] >= 70]
        for cid, name, score in named:
            column = disc.catalogue_column(url, cid)
            site.candidates.setdefault(column, Candidate(column, name, score, step.path + [
                {"url": column, "text": name, "via": f"公开目录 category {cid}"}], platform="gkmlpt"))
            api = disc.catalogue_api(url, sid, cid)
            site.push(Step(api, "api", step.depth + 1, site.candidates[column].path, name, score, column),
                      PRIORITY["api"])
        return f"; 公开目录 (gkmlpt, SID {sid}): {len(categories)} categories, {len(named)} named as the column"

    # --- the end of a site ----------------------------------------------------------------------------
    def _finish(self, site: Site) -> None:
        if site.done:
            return
        site.done = True
        rows = self._rows(site)
        try:
            self.archive.call("save_discoveries", site.homepage, rows)
        except Exception as exc:  # noqa: BLE001 — said once, the crawl goes on with the other sites
            self.logger.error("Cannot store the discoveries of %s: %s", site.homepage, exc)
            self.crawler.stats.set_value("archive/failed", f"storage failed: {exc}")
        found = [r for r in rows if r["confirmed"]]
        if found:
            self.crawler.stats.inc_value("discover/found")
            for r in found:
                via = " → ".join(s.get("text") or s.get("via") or "?" for s in r["evidence"]["path"])
                self.logger.info("Discovery of %s: found %s (%s, %d report entries%s, score %.1f) via %s, "
                                 "in %d requests", site.homepage, r["column_url"], r["platform"], r["reports"],
                                 f" {r['years']}" if r["years"] else "", r["score"], via, site.requests)
        else:
            self.crawler.stats.inc_value("discover/not_found")
            self.logger.warning("Discovery of %s: not found. %s", site.homepage, rows[-1]["note"])

    def _rows(self, site: Site) -> list[dict]:
        now = utcnow()
        base = {"job_id": self.job_id, "host": site.host, "site": site.site_facts, "requests": site.requests,
                "found_at": now}
        judged = [(c, c.verdict()) for c in site.candidates.values()]
        confirmed = [c for c, v in judged if v.confirmed]
        rows = []
        for cand, verdict in sorted(judged, key=lambda cv: (not cv[1].confirmed, -cv[1].score)):
            outer = next((o for o in confirmed if o is not cand and _within(cand.url, o.url)), None)
            if outer is not None and verdict.confirmed:
                continue  # a sub-column of a confirmed column: the column covers it
            if not cand.fetched and not verdict.confirmed and not cand.note:
                cand.note = "linked, not fetched (the search stopped first)"
            entries = sorted(list(cand.reports.values()) + list(cand.plain.values()),
                             key=lambda e: (report_year(e.title) or 0), reverse=True)
            years = sorted({y for e in entries if (y := report_year(e.title))})
            rows.append({**base, "column_url": cand.url, "platform": cand.platform, "confirmed": int(verdict.confirmed),
                         "score": verdict.score, "reports": len(cand.reports), "name": cand.name,
                         "years": f"{years[0]}–{years[-1]}" if len(years) > 1 else (str(years[0]) if years else ""),
                         "note": verdict.why if cand.fetched else cand.note,
                         "evidence": {"path": cand.path, "why": verdict.why,
                                      "entries": [{"url": e.url, "title": e.title, "date": e.date} for e in entries[:10]],
                                      "sub_columns": cand.sub_columns}})
        if not confirmed:
            pages = [t for t in site.tried]
            looked = "; ".join(f"{text or url} ({what})" for url, text, what in pages[:12])
            more = f" and {len(pages) - 12} more" if len(pages) > 12 else ""
            note = (f"No annual-report column found in {site.requests} requests ({site.stop_reason}). Looked for "
                    f"links named 政府信息公开年报/年度报告/工作年报/信息公开年报/政务公开年报, through 政务公开, "
                    f"政府信息公开, the site map (网站地图) and the 公开目录; fetched: {looked}{more}.")
            rows.append({**base, "column_url": None, "platform": None, "confirmed": 0, "score": 0.0, "reports": 0,
                         "name": None, "years": "", "note": note,
                         "evidence": {"path": [], "why": note, "entries": [], "sub_columns": [],
                                      "tried": [{"url": u, "text": t, "outcome": w} for u, t, w in pages]}})
        return rows

    def closed(self, reason):
        for site in self.sites.values():
            if not site.done:
                site.stop_reason = site.stop_reason or f"the crawl ended ({reason})"
                self._finish(site)
        stats = self.crawler.stats
        if self.sites and not stats.get_value("discover/found") and not stats.get_value("archive/failed"):
            stats.set_value("archive/failed", "no annual-report column found")
        if getattr(self, "archive", None) is not None:
            self.archive.release()


def _within(url: str, outer: str) -> bool:
    """Is the column ``url`` below the folder of the column ``outer`` (and not the same)?"""
    if "/gkmlpt/" in url or "/gkmlpt/" in outer:
        return False
    a, b = urlsplit(column_folder(url)), urlsplit(column_folder(outer))
    return a.netloc == b.netloc and a.path != b.path and a.path.startswith(b.path)

