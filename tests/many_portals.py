"""Hundreds of small government portals on one machine, each on its own loopback address.

``ManyPortals(300)`` starts one HTTP server per portal on 127.0.X.Y (Linux routes the whole of
127.0.0.0/8 to the loopback device, so each portal is a host of its own to the crawler: its own
download slot, its own politeness delay). Each serves ``tests/portal_server.py``'s NFCMS-style
column with 10–60 reports, and answers every request after a latency drawn for the host
(100–800 ms). A few hosts misbehave, as real ones do:

  failing   every page answers 503 (robots.txt too: the host is up but broken)
  slow      answers after 3–5 s
  down      nothing listens at its address (connection refused)

Used by ``tools/bench_scale.py`` (300 portals) and by the tests (a few portals).
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer

from tests.portal_server import Portal, _Handler


@dataclass
class Host:
    index: int
    address: str
    portal: Portal
    latency: float
    behaviour: str = "ok"  # ok | failing | slow | down
    server: ThreadingHTTPServer | None = None
    thread: threading.Thread | None = None
    # (path, status, monotonic time answered); and (monotonic time asked, answered) of each request
    requests: list[tuple[str, int, float]] = field(default_factory=list)
    spans: list[tuple[float, float]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"sim{self.index:03d}"

    @property
    def port(self) -> int:
        return self.server.server_address[1] if self.server else 9  # 9: discard, nothing listens

    @property
    def netloc(self) -> str:
        return f"{self.address}:{self.port}"

    @property
    def column(self) -> str:
        return f"http://{self.netloc}{self.portal.column}"

    @property
    def expected_reports(self) -> int:
        return len(self.portal.reports) if self.behaviour in ("ok", "slow") else 0


class _Server(ThreadingHTTPServer):
    """Notes when each connection was accepted (before a thread is started for it: the time the
    crawler asked, whatever the load on this process)."""

    daemon_threads = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.accepted: dict = {}

    def process_request(self, request, client_address):
        self.accepted[request] = time.monotonic()
        super().process_request(request, client_address)


class _SlowHandler(_Handler):
    host: Host

    def do_GET(self):  # noqa: N802
        asked = self.server.accepted.pop(self.request, None) or time.monotonic()
        try:
            self._answer_slowly()
        finally:
            self.host.spans.append((asked, time.monotonic()))

    def _answer_slowly(self):
        time.sleep(self.host.latency)
        if self.host.behaviour == "failing":
            body = b"<html><body>503 Service Unavailable</body></html>"
            self.send_response(503)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            self.host.requests.append((self.path, 503, time.monotonic()))
            return
        super().do_GET()
        self.host.requests.append((self.path, 200, time.monotonic()))


def address(i: int) -> str:
    return f"127.0.{10 + i // 200}.{1 + i % 200}"


class ManyPortals:
    """``with ManyPortals(300, seed=1) as sim: sim.hosts`` — every host serving until the block ends."""

    def __init__(self, n: int, seed: int = 1, reports: tuple[int, int] = (10, 60),
                 latency: tuple[float, float] = (0.1, 0.8), failing: int = 3, slow: int = 3, down: int = 2):
        rng = random.Random(seed)
        self.hosts: list[Host] = []
        odd = rng.sample(range(n), min(n, failing + slow + down))
        kinds = dict(zip(odd, ["failing"] * failing + ["slow"] * slow + ["down"] * down))
        for i in range(n):
            behaviour = kinds.get(i, "ok")
            delay = rng.uniform(3.0, 5.0) if behaviour == "slow" else rng.uniform(*latency)
            self.hosts.append(Host(i, address(i), Portal(rng.randint(*reports)), delay, behaviour))

    def __enter__(self) -> "ManyPortals":
        for host in self.hosts:
            if host.behaviour == "down":
                continue
            handler = type("Handler", (_SlowHandler,), {"portal": host.portal, "host": host})
            host.server = _Server((host.address, 0), handler)
            host.thread = threading.Thread(target=host.server.serve_forever, daemon=True)
            host.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        for host in self.hosts:
            if host.server is not None:
                host.server.shutdown()
                host.server.server_close()

    def registry_rows(self) -> list[dict]:
        """One registry row per portal (``archive.registry``'s columns): a county government of a
        made-up city (region code 4401XX) each."""
        return [{"id": h.name, "agency": f"测试市第{h.index}区人民政府", "region_code": f"4401{h.index % 99 + 1:02d}",
                 "region": f"测试市第{h.index}区", "level": "county", "platform": "nfcms", "column": h.column,
                 "sections": "bm=部门", "hosts": h.netloc, "containers": "#zoomcon", "scheme": "http",
                 "status": "active", "notes": "a simulated portal on a loopback address"} for h in self.hosts]

    def write_registry(self, path) -> None:
        """A registry file of every portal (``-s ARCHIVE_REGISTRY=path``)."""
        import csv

        from archive.registry import FIELDS

        with open(path, "w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=FIELDS)
            writer.writeheader()
            for row in self.registry_rows():
                writer.writerow({k: row.get(k, "") for k in FIELDS})
