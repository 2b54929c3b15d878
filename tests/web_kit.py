"""An archive for the web view's tests: the replayed Guangzhou crawl, plus a local test portal
crawled twice — one report corrected in between (two versions to diff), one carrying hostile
markup (a live <script>, an onerror handler, and script tags written as text)."""

from __future__ import annotations

import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from crawler.run import run_crawl
from tests.crawl_kit import FAST, spider_for
from tests.portal_server import Portal, PortalServer

# a live script and handler in the page, and the same words as text (which must show as text)
HOSTILE = ("<p>样文&lt;script&gt;alert('as-text')&lt;/script&gt;结束</p>"
           "<script>alert('live-script')</script><img src='x' onerror=\"alert('live-onerror')\">")


@dataclass(frozen=True)
class WebArchive:
    path: str
    changed: str  # a report URL with two versions
    hostile: str  # a report URL whose page carries the hostile markup
    plain: str  # a local report with one version


def build(path: str, guangzhou: str) -> WebArchive:
    src, dst = sqlite3.connect(guangzhou), sqlite3.connect(path)
    with dst:
        src.backup(dst)
    src.close()
    dst.close()
    portal = Portal(3)
    hostile, changed, plain = portal.reports
    hostile.extra = HOSTILE
    with PortalServer(portal) as server:
        spider = spider_for(server.url)
        base = f"http://{urlsplit(server.url).netloc}{portal.column}bm/content/post_"
        for _ in range(2):
            stats = run_crawl(spider, {**FAST, "ARCHIVE_DB": path})
            assert stats["finish_reason"] == "finished", stats
            portal.correct(changed.id, republish=True)
            changed.day += timedelta(days=3)  # a list date of its own: the list shows days, not hours
    return WebArchive(path, f"{base}{changed.id}.html", f"{base}{hostile.id}.html", f"{base}{plain.id}.html")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``archive serve`` as a user runs it, in its own process, on a loopback port."""

    def __init__(self, db: str, *args: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen([sys.executable, "-m", "archive.cli", "serve", "--db", db, "--port",
                                      str(self.port), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(self.url + "/-/versions.json", timeout=2).read()
                return
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("archive serve did not start: " + self.proc.stderr.read().decode(errors="replace"))
                time.sleep(0.1)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def __enter__(self) -> "Server":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
