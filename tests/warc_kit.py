"""WARC files for the tests: records built with warcio (another site's pages, a corrupted body,
a file cut short, a record far larger than the cap), the web-archiving tools installed beside
this Python (warcio, wacz, pywb's wb-manager and wayback), and a pywb server on 127.0.0.1."""

from __future__ import annotations

import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

BIN = Path(sys.executable).parent


def tool(name: str) -> str | None:
    """A command installed with this Python (the test extra), or on PATH; None when missing."""
    here = BIN / name
    return str(here) if here.exists() else shutil.which(name)


def run(*args, cwd=None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=timeout)


def response(writer: WARCWriter, url: str, body: bytes, content_type: str = "text/html; charset=utf-8",
             status: str = "200 OK", date: str = "2025-02-01T08:00:00Z", extra: dict | None = None):
    headers = StatusAndHeaders(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))],
                               protocol="HTTP/1.1")
    return writer.create_warc_record(url, "response", payload=io.BytesIO(body), length=len(body), http_headers=headers,
                                     warc_headers_dict={"WARC-Date": date, **(extra or {})})


def write_warc(path: Path, pages: list[tuple[str, bytes, str]], gzip: bool = True, metadata: dict | None = None) -> Path:
    """A WARC with one response (and its request) per ``(url, body, content type)``;
    ``metadata``: url → warc-fields text of a metadata record referring to that response."""
    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=gzip, warc_version="1.1")
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "tests/warc_kit.py"}))
        for url, body, content_type in pages:
            resp = response(writer, url, body, content_type)
            parts = urlsplit(url)
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            request = writer.create_warc_record(url, "request", http_headers=StatusAndHeaders(
                f"GET {target} HTTP/1.1", [("Host", parts.netloc), ("User-Agent", "warc_kit")], is_http_request=True))
            writer.write_request_response_pair(request, resp)
            if metadata and url in metadata:
                fields = metadata[url].encode("utf-8")
                writer.write_record(writer.create_warc_record(
                    url, "metadata", payload=io.BytesIO(fields), length=len(fields),
                    warc_headers_dict={"WARC-Refers-To": resp.rec_headers.get_header("WARC-Record-ID"),
                                       "Content-Type": "application/warc-fields"}))
    return path


def corrupt_first_body(path: Path, marker: bytes) -> None:
    """Change one byte of the first body holding ``marker`` in an uncompressed WARC (its digests
    then no longer hold)."""
    data = bytearray(path.read_bytes())
    at = data.index(marker)
    data[at] = ord("X") if data[at] != ord("X") else ord("Y")
    path.write_bytes(bytes(data))


def huge_record_warc(path: Path, url: str, size: int) -> Path:
    """An uncompressed WARC whose one response body is ``size`` bytes of zeros, made sparse (no
    disk or memory spent on them): the importer must stream through it, never hold it."""
    http = (f"HTTP/1.1 200 OK\r\nContent-Type: application/pdf\r\nContent-Length: {size}\r\n\r\n").encode("ascii")
    head = (f"WARC/1.1\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-000000000001>\r\n"
            f"WARC-Target-URI: {url}\r\nWARC-Date: 2025-02-01T08:00:00Z\r\n"
            f"Content-Type: application/http; msgtype=response\r\nContent-Length: {len(http) + size}\r\n\r\n").encode()
    with open(path, "wb") as out:
        out.write(head + http)
        out.seek(size, os.SEEK_CUR)  # a hole: reads as zeros
        out.write(b"\r\n\r\n")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Wayback:
    """pywb over one WARC: ``wb-manager init`` a collection, ``wb-manager add`` the file, then its
    ``wayback`` server on 127.0.0.1 (its own process, stopped by its id)."""

    def __init__(self, root: Path, warc: Path, collection: str = "archive"):
        self.root, self.warc, self.collection = root, warc, collection
        self.proc: subprocess.Popen | None = None
        self.port = free_port()

    def __enter__(self) -> "Wayback":
        manager, wayback = tool("wb-manager"), tool("wayback")
        for step in (("init", self.collection), ("add", self.collection, self.warc)):
            done = run(manager, *step, cwd=self.root)
            assert done.returncode == 0, done.stderr[-2000:]
        self.proc = subprocess.Popen([wayback, "-p", str(self.port), "-b", "127.0.0.1"], cwd=self.root,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/", timeout=2).read()
                return self
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError("pywb's wayback server exited at start-up")
                time.sleep(0.2)
        raise RuntimeError("pywb's wayback server did not answer within 60 s")

    def get(self, timestamp: str, url: str) -> tuple[int, dict, bytes]:
        """``/COLL/<timestamp>id_/<url>``: the archived response, unmodified."""
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}/{self.collection}/{timestamp}id_/{url}")
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return answer.status, dict(answer.headers), answer.read()
        except urllib.error.HTTPError as err:
            return err.code, dict(err.headers), err.read()

    def __exit__(self, *exc) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)  # its own session: the server and any child it started
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
