"""Serving the constructed discovery test sites (``tests/discovery_sites.py``) on 127.0.0.1, one
server (one port, so one host) per site; every request is recorded."""

from __future__ import annotations

import threading
from contextlib import ExitStack
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.discovery_sites import ORIGIN, Site


class SiteServer:
    def __init__(self, site: Site):
        self.site = site
        self.requests: list[tuple[str, int]] = []  # (path and query, status)
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):  # noqa: N802
                response = server.site.pages.get(self.path)
                origin = f"http://{self.headers.get('Host') or server.netloc}"
                if response is None:
                    status, body, headers = 404, b"<html><body><h1>404 Not Found</h1></body></html>", \
                        {"Content-Type": "text/html; charset=utf-8"}
                else:
                    status, headers = response.status, dict(response.headers)
                    body = response.body.replace(ORIGIN.encode(), origin.encode())
                    if "Location" in headers:
                        headers["Location"] = headers["Location"].replace(ORIGIN, origin)
                with server.lock:
                    server.requests.append((self.path, status))
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.netloc = f"127.0.0.1:{self.httpd.server_address[1]}"
        self.url = f"http://{self.netloc}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def real(self, url: str) -> str:
        """An expected URL (written with ``ORIGIN``) on this server."""
        return url.replace(ORIGIN, f"http://{self.netloc}")

    def __enter__(self) -> "SiteServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class Sites:
    """All the sites served at once: ``with Sites(sites) as served: served.servers[name]``."""

    def __init__(self, sites: list[Site]):
        self.sites = sites
        self.servers: dict[str, SiteServer] = {}
        self._stack = ExitStack()

    def __enter__(self) -> "Sites":
        for site in self.sites:
            self.servers[site.name] = self._stack.enter_context(SiteServer(site))
        return self

    def __exit__(self, *exc) -> None:
        self._stack.close()

    def homepages(self) -> dict[str, str]:
        return {s.url: name for name, s in self.servers.items()}
