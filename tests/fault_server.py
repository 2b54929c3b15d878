"""A hostile test portal on 127.0.0.1: ``tests/portal_server.py``'s column, with faults.

``FaultPortal(n)`` serves the same NFCMS-style column; tests (and ``tools/bench_faults.py``) set
faults by path before or between crawls:

    portal.fail(ids)                 report pages answer 500, every attempt, until ``recover()``
    portal.rule(match, action)       any path containing ``match`` gets ``action``:
        ("status", 503, {"Retry-After": "2"}, times)   a status (with headers), ``times`` times
        ("reset",)                   the connection closes without an answer
        ("stall", seconds)           nothing is sent for that long
        ("redirect", location)       302 to ``location`` (another host, port, scheme, or itself)
        ("body", bytes, ctype)       this body instead
        ("stream", total_bytes)      an endless-looking body, written in chunks
    portal.attach(ids, name, body)   report pages link an attachment (the same name and bytes for
                                     every id given: a file shared by many reports)
"""

from __future__ import annotations

import hashlib
import threading
import time
from http.server import ThreadingHTTPServer
from email.utils import format_datetime
from urllib.parse import unquote

from tests.portal_server import Portal, PortalServer, _Handler


class FaultPortal(Portal):
    def __init__(self, n_reports: int, column: str | None = None):
        super().__init__(n_reports, column)
        self.failing: set[int] = set()
        self.rules: list[list] = []  # [match, action, remaining or None]
        self.files: dict[str, tuple[bytes, str]] = {}  # path → (body, content type)
        self.links: dict[int, list[tuple[str, str]]] = {}  # report id → [(href, name)]
        self.hits: dict[str, int] = {}
        self.stamps: list[tuple[str, float]] = []  # (path, monotonic time) of every request

    # --- faults ----------------------------------------------------------------------------------
    def fail(self, ids) -> None:
        with self.lock:
            self.failing |= set(ids)

    def recover(self) -> None:
        with self.lock:
            self.failing.clear()
            self.rules.clear()

    def rule(self, match: str, action: tuple, times: int | None = None) -> None:
        with self.lock:
            self.rules.append([match, action, times])

    def attach(self, ids, name: str, body: bytes,
               ctype: str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document") -> str:
        path = f"{self.column}files/{name}"
        with self.lock:
            self.files[path] = (body, ctype)
            for i in ids:
                self.links.setdefault(i, []).append((path, name))
        return path

    def action_for(self, path: str):
        with self.lock:
            self.hits[path] = self.hits.get(path, 0) + 1
            self.stamps.append((path, time.monotonic()))
            for rule in self.rules:
                match, action, remaining = rule
                if match in path and remaining != 0:
                    if remaining is not None:
                        rule[2] = remaining - 1
                    return action
            if "/content/post_" in path:
                try:
                    report_id = int(path.rsplit("_", 1)[1].split(".")[0])
                except ValueError:
                    return None
                if report_id in self.failing:
                    return ("status", 500, {}, None)
        return None

    def resolve(self, path: str):
        path = unquote(path)
        if path in self.files:
            body, ctype = self.files[path]
            return 200, body, None, ctype
        status, body, modified, ctype = super().resolve(path)
        if status == 200 and "/content/post_" in path:
            report_id = int(path.rsplit("_", 1)[1][:-5])
            links = self.links.get(report_id)
            if links:
                lis = "".join(f"<li><a href='{href}'>{name}</a></li>" for href, name in links)
                body = body.replace(b"<ul id='ul_xgfj'></ul>", f"<ul id='ul_xgfj'>{lis}</ul>".encode("utf-8"))
        return status, body, modified, ctype


class _FaultHandler(_Handler):
    portal: FaultPortal

    def do_GET(self):  # noqa: N802
        path = unquote(self.path.split("?")[0])
        action = self.portal.action_for(path)
        if action is None:
            return super().do_GET()
        self.portal.user_agents.append(self.headers.get("User-Agent", ""))
        kind = action[0]
        if kind == "reset":
            self.portal.requests.append((self.path, 0, 0))
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if kind == "stall":
            time.sleep(action[1])
            self.portal.requests.append((self.path, 0, 0))
            self.close_connection = True
            return
        if kind == "redirect":
            self._answer(302, b"", "text/html", {"Location": action[1]})
            return
        if kind == "status":
            body = f"<html><body><h1>{action[1]}</h1></body></html>".encode()
            self._answer(action[1], body, "text/html; charset=utf-8", action[2])
            return
        if kind == "body":
            self._answer(200, action[1], action[2], {})
            return
        if kind == "stream":
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            chunk, sent = b"<div>" * 8192, 0
            try:
                while sent < action[1]:
                    self.wfile.write(chunk)
                    sent += len(chunk)
            except OSError:
                pass
            self.portal.requests.append((self.path, 200, sent))
            return
        raise ValueError(f"unknown fault {action!r}")

    def _answer(self, status: int, body: bytes, ctype: str, headers: dict) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers.items():
            self.send_header(k, v)
        if status == 200:
            self.send_header("ETag", '"%s"' % hashlib.sha1(body).hexdigest()[:16])
            self.send_header("Last-Modified", format_datetime(self.portal.changed_at, usegmt=True))
        self.end_headers()
        self.wfile.write(body)
        self.portal.requests.append((self.path, status, len(body)))


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        """A client that hangs up on a fault (a size cap, a cancelled download) is the point."""


class FaultServer(PortalServer):
    """``with FaultServer(FaultPortal(100)) as server: …``; ``server.port``, ``server.host``."""

    def __init__(self, portal: FaultPortal, host: str = "127.0.0.1"):
        super().__init__(portal)
        handler = type("Handler", (_FaultHandler,), {"portal": portal})
        self.httpd.server_close()
        self.httpd = _QuietServer((host, 0), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    @property
    def host(self) -> str:
        return self.httpd.server_address[0]
