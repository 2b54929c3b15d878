"""A small government portal on 127.0.0.1 for incremental-crawl tests and the benchmark.

It serves an NFCMS-style annual-report column (``/zfxxgknb/`` → ``bm/`` list pages of
``PER_PAGE`` entries, newest first, ``index.html``, ``index_2.html`` …, ``createPageHTML``) and
one detail page per report (``bm/content/post_<id>.html``) with ETag and Last-Modified, and it
honours conditional requests (304). Tests change it between crawls: add reports, correct one
(silently, or re-published with a new date, which moves it to the top), remove one.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PER_PAGE = 20
BASE_DAY = datetime(2014, 1, 1, tzinfo=timezone.utc)

PARAGRAPHS = (
    "根据《中华人民共和国政府信息公开条例》规定，特向社会公布本机关{year}年度政府信息公开工作年度报告。",
    "一、总体情况",
    "{year}年，本机关主动公开政府信息{n}条，收到政府信息公开申请{k}件，均按时答复。",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
)


@dataclass
class Report:
    id: int
    agency: str
    year: int
    day: datetime  # publication date shown in the list
    revision: int = 0
    modified: datetime | None = None
    extra: str = ""  # markup put into the article as it is (a test of hostile pages sets it)

    @property
    def title(self) -> str:
        return f"{self.agency}{self.year}年政府信息公开工作年度报告"

    def body(self) -> bytes:
        paras = "".join(
            f"<p>{p.format(year=self.year, n=100 + self.id % 900, k=self.id % 17)}</p>" for p in PARAGRAPHS
        )
        if self.revision:
            paras += f"<p>（本报告于第{self.revision}次更正后重新发布。）</p>"
        paras += self.extra
        table = ("<table border='1'><tr><td rowspan='2'>信息内容</td><td colspan='2'>数量</td></tr>"
                 f"<tr><td>本年制发件数</td><td>现行有效件数</td></tr><tr><td>规章</td><td>{self.id % 7}</td><td>{self.id % 11}</td></tr></table>")
        html = (
            "<!DOCTYPE html><html><head><meta charset='utf-8'>"
            f"<meta name='SiteName' content='测试门户'><meta name='ArticleTitle' content='{self.title}'>"
            f"<meta name='PubDate' content='{self.day:%Y-%m-%d} 09:00:00'><title>{self.title}</title></head><body>"
            "<div class='head'><a href='/'>首页</a> 繁體 无障碍</div>"
            f"<h1 class='content_title'>{self.title}</h1>"
            f"<div class='content_attr'>听全文 {self.day:%Y-%m-%d} 来源：{self.agency} 分享到</div>"
            f"<div class='content_article' id='zoomcon'>{paras}{table}"
            "<div class='info_xgfj'><div>相关附件</div><ul id='ul_xgfj'></ul></div></div>"
            "<div class='content_ewm'>扫一扫在手机打开当前页</div>"
            "<div class='footer'>主办：测试门户 网站标识码 0000000000 粤ICP备00000000号</div></body></html>"
        )
        return html.encode("utf-8")


class Portal:
    """The content of the test portal; thread-safe enough for one server thread pool."""

    column = "/zfxxgknb/"

    def __init__(self, n_reports: int, column: str | None = None):
        if column:
            self.column = column
        self.user_agents: list[str] = []  # the User-Agent of every request
        self.lock = threading.Lock()
        self.reports: list[Report] = []
        self.next_id = 1000
        self.requests: list[tuple[str, int, int]] = []  # (path, status, body bytes)
        self.changed_at = BASE_DAY  # Last-Modified of the list pages
        self.add(n_reports, start=BASE_DAY)

    # --- changes between crawls --------------------------------------------------------------
    def add(self, n: int, start: datetime | None = None) -> list[Report]:
        with self.lock:
            new = []
            day0 = start or (max(r.day for r in self.reports) + timedelta(days=1))
            for i in range(n):
                day = day0 + timedelta(hours=6 * i)
                r = Report(self.next_id, f"测试市第{self.next_id % 97}局", 2013 + (self.next_id % 12), day, modified=day)
                self.next_id += 1
                new.append(r)
            self.reports.extend(new)
            self.changed_at = max(self.changed_at, *(r.modified for r in new)) + timedelta(seconds=1)
            return new

    def correct(self, report_id: int, republish: bool = False) -> Report:
        """Change a report's body; ``republish`` also gives it a new date (it moves to the top)."""
        with self.lock:
            r = self.by_id(report_id)
            r.revision += 1
            r.modified = max(x.modified for x in self.reports) + timedelta(hours=1)
            if republish:
                r.day = max(x.day for x in self.reports) + timedelta(hours=1)
                self.changed_at = max(self.changed_at, r.modified) + timedelta(seconds=1)
            return r

    def remove(self, report_id: int) -> None:
        with self.lock:
            self.reports = [r for r in self.reports if r.id != report_id]
            self.changed_at += timedelta(hours=1)

    def by_id(self, report_id: int) -> Report:
        return next(r for r in self.reports if r.id == report_id)

    # --- pages ---------------------------------------------------------------------------------
    def listing(self) -> list[Report]:
        return sorted(self.reports, key=lambda r: (r.day, r.id), reverse=True)

    def n_pages(self) -> int:
        return max(1, -(-len(self.reports) // PER_PAGE))

    def list_page(self, k: int) -> tuple[bytes, datetime] | None:
        items = self.listing()[(k - 1) * PER_PAGE: k * PER_PAGE]
        if not items and k > 1:
            return None
        lis = "".join(
            f"<li><a href='content/post_{r.id}.html' title='{r.title}'>{r.title}</a><span>{r.day:%Y-%m-%d}</span></li>"
            for r in items
        )
        total = self.n_pages()
        nxt = f"<a href='index_{k + 1}.html'>下一页</a>" if k < total else ""
        html = (
            "<!DOCTYPE html><html><head><meta charset='utf-8'><title>市政府部门 - 测试门户</title></head><body>"
            f"<ul class='news_list'>{lis}</ul><div class='page'>{nxt}</div>"
            f"<script>createPageHTML({total}, {k - 1}, \"index\", \"html\");</script></body></html>"
        )
        return html.encode("utf-8"), self.changed_at

    def root_page(self) -> bytes:
        return ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>政府信息公开年报</title></head><body>"
                "<ul class='nav'><li><a href='bm/'>市政府部门</a></li></ul></body></html>").encode("utf-8")

    def resolve(self, path: str) -> tuple[int, bytes, datetime | None, str]:
        col = self.column
        with self.lock:
            if path == "/robots.txt":
                return 200, b"User-agent: *\nAllow: /\n", BASE_DAY, "text/plain"
            if path == col:
                return 200, self.root_page(), BASE_DAY, "text/html; charset=utf-8"
            if path.startswith(col + "bm/content/post_") and path.endswith(".html"):
                try:
                    r = self.by_id(int(path.rsplit("_", 1)[1][:-5]))
                except (StopIteration, ValueError):
                    return 404, b"<html><body>404</body></html>", None, "text/html; charset=utf-8"
                return 200, r.body(), r.modified, "text/html; charset=utf-8"
            if path in (col + "bm/", col + "bm/index.html"):
                k = 1
            elif path.startswith(col + "bm/index_") and path.endswith(".html"):
                try:
                    k = int(path[len(col + "bm/index_"):-5])
                except ValueError:
                    k = 0
            else:
                k = 0
            page = self.list_page(k) if k >= 1 else None
            if page is None:
                return 404, b"<html><body>404</body></html>", None, "text/html; charset=utf-8"
            return 200, page[0], page[1], "text/html; charset=utf-8"


class Columns:
    """Several test columns on one host (``Columns(Portal(20, "/a/ndbg/"), Portal(20, "/b/ndbg/"))``):
    each path is answered by the column it lies in; their requests are logged together."""

    def __init__(self, *portals: Portal):
        self.portals = portals
        self.column = portals[0].column
        self.requests: list[tuple[str, int, int]] = []
        self.user_agents: list[str] = []
        for p in portals:
            p.requests = self.requests

    def resolve(self, path: str) -> tuple[int, bytes, datetime | None, str]:
        for p in self.portals:
            if path.startswith(p.column):
                return p.resolve(path)
        return self.portals[0].resolve(path)  # robots.txt, 404s


class _Handler(BaseHTTPRequestHandler):
    portal: Portal

    def do_GET(self):  # noqa: N802
        self.portal.user_agents.append(self.headers.get("User-Agent", ""))
        status, body, modified, ctype = self.portal.resolve(self.path.split("?")[0])
        etag = '"%s"' % hashlib.sha1(body).hexdigest()[:16]
        if status == 200 and self._not_modified(etag, modified):
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            self.portal.requests.append((self.path, 304, 0))
            return
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        if status == 200:
            self.send_header("ETag", etag)
            if modified:
                self.send_header("Last-Modified", format_datetime(modified, usegmt=True))
        self.end_headers()
        self.wfile.write(body)
        self.portal.requests.append((self.path, status, len(body)))

    def _not_modified(self, etag: str, modified: datetime | None) -> bool:
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            return etag in [t.strip() for t in inm.split(",")]
        ims = self.headers.get("If-Modified-Since")
        if ims and modified:
            try:
                return modified.replace(microsecond=0) <= parsedate_to_datetime(ims)
            except (TypeError, ValueError):
                return False
        return False

    def log_message(self, *args):  # quiet
        pass


class PortalServer:
    """``with PortalServer(Portal(1000)) as server: server.url`` — serves until the block ends."""

    def __init__(self, portal: Portal | Columns):
        self.portal = portal
        handler = type("Handler", (_Handler,), {"portal": portal})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}{self.portal.column}"

    def column_url(self, column: str) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}{column}"

    def __enter__(self) -> "PortalServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
