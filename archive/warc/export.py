"""The archive as WARC (ISO 28500, WARC/1.1), written with warcio.

One file: a ``warcinfo`` record naming the software and its versions, what was selected, and how
many of the exchanges were replayed from cassettes; then, for every capture (each HTTP request
and response on the wire: redirect hops and retried errors are captures of their own), in the
order they were captured:

* a ``request`` record: method, URL, the headers as sent (``Host`` added as the HTTP client
  sends it), the POSTed body;
* a ``response`` record: status line, headers and body as received — before a gzip
  Content-Encoding was undone, so that the payload digest holds for the bytes the server sent —
  or, for a body already written to this file, a ``revisit`` record (profile
  identical-payload-digest, referring to the first capture's URI and date);
* for the last hop of a fetch, a ``metadata`` record: what the crawl made of it (outcome, crawl
  job, list page, report, the cleaned version and the figures read from it, or the file).

``WARC-Date`` is the time the response was received, ``WARC-Target-URI`` the URL asked for.
Digests are sha256 (base32), the archive's own content addresses. What the HTTP client did not
keep is written the standard way and said so in the metadata record (``reconstructed``): the
reason phrase, the request line and ``Host``. Every record of a capture replayed from a
cassette carries ``WARC-Capture-Source: cassette`` (``live`` otherwise; ``warc-import`` for
captures imported from another WARC, ``fetch-row`` for ones rebuilt from an older archive), and
the ``warcinfo`` record says how many there are: a constructed cassette is never passed off as a
capture of the live site.
"""

from __future__ import annotations

import base64
import http
import io
import json
from dataclasses import dataclass, field
from typing import BinaryIO, Iterator, Sequence
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.utils import Digester
from warcio.warcwriter import WARCWriter

from .. import __version__
from ..http import mime_type
from ..software import package_version, software_versions
from .surt import surt

WARC_VERSION = "1.1"
REVISIT_MIN_BYTES = 1  # an empty body is written again, never a revisit
CAPTURE_SOURCES = {"wire": "live", "warc": "warc-import", "fetch": "fetch-row"}
SOURCE_HEADER = "WARC-Capture-Source"
# connection-level headers that describe a transfer no longer there (the body is kept de-chunked)
_TRANSFER = ("transfer-encoding",)


def digest_of(hex_sha256: str) -> str:
    """``sha256:<base32>``, the WARC spelling of a sha256 hex digest."""
    return "sha256:" + base64.b32encode(bytes.fromhex(hex_sha256)).decode("ascii")


def warc_date(iso: str | None) -> str:
    """An archive timestamp (ISO 8601 UTC, ``+00:00``) as a WARC-Date (``…Z``)."""
    text = (iso or "1970-01-01T00:00:00+00:00").replace("+00:00", "Z")
    return text if text.endswith("Z") else text + "Z"


def timestamp14(iso: str | None) -> str:
    return "".join(ch for ch in warc_date(iso) if ch.isdigit())[:14].ljust(14, "0")


class _Sha256Writer(WARCWriter):
    """warcio's writer with sha256 block digests (payload digests are given, from the archive)."""

    @staticmethod
    def _create_digester():
        return Digester("sha256")


class _ExactHeaders(StatusAndHeaders):
    """An HTTP header block written byte for byte as given (warcio would %-encode non-ASCII
    values; a header received as bytes is written back as those bytes)."""

    def __init__(self, statusline: str, headers: list[tuple[str, str]], protocol: str, block: bytes):
        super().__init__(statusline, headers, protocol=protocol)
        self._block = block

    def compute_headers_buffer(self, header_filter=None):
        self.headers_buff = self._block


def _latin1(text: str) -> bytes:
    return text.encode("latin-1", errors="replace")


def _header_block(first_line: str, headers: list[tuple[str, str]]) -> bytes:
    lines = [first_line] + [f"{name}: {value}" for name, value in headers]
    return b"".join(_latin1(line) + b"\r\n" for line in lines) + b"\r\n"


def reason_phrase(status: int | None) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except (ValueError, TypeError):
        return ""


@dataclass
class Selection:
    """Which fetches an export holds: every one with captures, or those of some portals / report
    years / crawl job (the exchanges of the selected reports — their pages, redirects,
    attachments — and the list pages, robots.txt and failures of the crawls that stored them)."""

    portals: Sequence[str] = ()
    years: tuple[int, int] | None = None
    job: str | None = None

    def describe(self) -> str:
        parts = []
        if self.portals:
            parts.append("portals " + ", ".join(self.portals))
        if self.years:
            parts.append(f"report years {self.years[0]}–{self.years[1]}")
        if self.job:
            parts.append(f"crawl job {self.job}")
        return "; ".join(parts) or "everything"

    def fetch_ids(self, db) -> list[int]:
        job_clause, job_params = ("AND f.job_id = ?", [self.job]) if self.job else ("", [])
        if not self.portals and not self.years:
            rows = db.execute(f"SELECT DISTINCT f.id FROM fetches f JOIN captures c ON c.fetch_id = f.id "
                              f"WHERE 1 = 1 {job_clause} ORDER BY f.id", job_params).fetchall()
            return [r[0] for r in rows]
        where, params = [], []
        if self.portals:
            where.append(f"r.portal IN ({', '.join('?' * len(self.portals))})")
            params += list(self.portals)
        if self.years:
            where.append("r.report_year BETWEEN ? AND ?")
            params += list(self.years)
        reports = f"SELECT url FROM reports r WHERE {' AND '.join(where)}"
        ids = {r[0] for r in db.execute(f"SELECT f.id FROM fetches f WHERE f.report_url IN ({reports}) {job_clause}",
                                        params + job_params)}
        jobs = {r[0] for r in db.execute(
            f"SELECT DISTINCT f.job_id FROM fetches f WHERE f.report_url IN ({reports}) {job_clause}",
            params + job_params) if r[0]}
        for job in jobs:  # the crawl's own exchanges: list pages, robots.txt, failures, pages rejected
            ids |= {r[0] for r in db.execute("SELECT id FROM fetches WHERE job_id = ? AND report_url IS NULL", [job])}
        with_captures = {r[0] for r in db.execute("SELECT DISTINCT fetch_id FROM captures")}
        return sorted(ids & with_captures)


@dataclass
class Written:
    """What an export wrote: counts, and per response/revisit record its index entry."""

    records: int = 0
    captures: int = 0
    responses: int = 0
    revisits: int = 0
    payload_bytes: int = 0
    cassette: int = 0
    index: list[dict] = field(default_factory=list)  # CDXJ material: url, ts, status, mime, digest, offset, length
    pages: list[dict] = field(default_factory=list)  # reports: url, ts, title


def _fields(pairs: list[tuple[str, object]]) -> bytes:
    """``application/warc-fields``: one ``name: value`` line each (values on one line)."""
    out = io.StringIO()
    for name, value in pairs:
        if value is None or value == "":
            continue
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        out.write(f"{name}: {' '.join(text.splitlines())}\r\n")
    return out.getvalue().encode("utf-8")


def software_info() -> dict[str, str]:
    return {**software_versions(), "warcio": package_version("warcio")}


class Exporter:
    """Writes the captures of an archive (``archive.store.Reader``) to one WARC stream."""

    def __init__(self, reader, out: BinaryIO, selection: Selection | None = None, filename: str = "archive.warc.gz"):
        self.reader, self.db = reader, reader.db
        self.out = out
        self.selection = selection or Selection()
        self.filename = filename
        self.writer = _Sha256Writer(out, gzip=True, warc_version=WARC_VERSION)
        self.written = Written()
        self._first: dict[str, tuple[str, str, str]] = {}  # payload sha256 → URI, WARC-Date, ID of its response

    # --- records --------------------------------------------------------------------------
    def _write(self, record, index: dict | None = None) -> None:
        start = self.out.tell()
        self.writer.write_record(record)
        self.written.records += 1
        if index is not None:
            index.update(offset=start, length=self.out.tell() - start)
            self.written.index.append(index)

    def warcinfo(self, fetch_ids: list[int]) -> None:
        marks = dict(self.db.execute(
            "SELECT coalesce(source, 'wire') || ':' || cassette, count(*) FROM captures WHERE fetch_id IN "
            "(SELECT value FROM json_each(?)) GROUP BY 1", [json.dumps(fetch_ids)]).fetchall())
        total = sum(marks.values())
        replayed = sum(n for k, n in marks.items() if k.endswith(":1"))
        imported = sum(n for k, n in marks.items() if k.startswith("warc:"))
        rebuilt = sum(n for k, n in marks.items() if k.startswith("fetch:"))
        jobs = [dict(r) for r in self.reader.db.query(
            "SELECT job_id, spider, started_at, finished_at, finish_reason FROM crawls WHERE job_id IN "
            "(SELECT DISTINCT job_id FROM fetches WHERE id IN (SELECT value FROM json_each(?))) ORDER BY started_at",
            [json.dumps(fetch_ids)])]
        versions = software_info()
        info = {
            "software": f"annual-report-archive/{__version__} "
                        + " ".join(f"{k}/{v}" for k, v in versions.items() if k != "archive"),
            "format": f"WARC File Format {WARC_VERSION}",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
            "description": "Government information-disclosure annual reports (政府信息公开年度报告) and the pages "
                           "that list them, as fetched, exported from the archive with their provenance",
            "isPartOf": "annual-report-archive",
            "selection": self.selection.describe(),
            "captures": str(total),
            "capture-sources": (f"{total - replayed - imported - rebuilt} live, {replayed} replayed from cassettes, "
                                f"{imported} imported from WARC files, {rebuilt} rebuilt from fetch rows of an "
                                f"older archive"),
            "cassette-replays": (f"{replayed} of the {total} responses in this file were replayed from cassettes "
                                 "(recorded or constructed HTTP exchanges), not captured from the live site; their "
                                 f"records carry {SOURCE_HEADER}: cassette" if replayed else "none"),
            "reconstructed": "HTTP reason phrases (standard phrase when the client did not keep it), request lines "
                             "and Host headers (added by the HTTP client), header name case and order (as the client "
                             "gives them); bodies are the bytes received, de-chunked",
            "crawl-jobs": "; ".join(f"{j['job_id']} ({j['spider']}, {j['started_at']} – {j['finished_at'] or 'unfinished'})"
                                    for j in jobs),
        }
        self._write(self.writer.create_warcinfo_record(self.filename, info))

    def _capture_source(self, c: dict) -> str:
        if c["cassette"]:
            return "cassette"
        return CAPTURE_SOURCES.get(c["source"] or "wire", c["source"] or "live")

    def request(self, c: dict, source: str, concurrent_to: str | None):
        parts = urlsplit(c["url"])
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = [(k, v) for k, v in c["request_headers"]]
        if not any(k.lower() == "host" for k, _ in headers):
            headers.insert(0, ("Host", parts.netloc.rsplit("@", 1)[-1]))
        method = c["method"] or "GET"
        block = _header_block(f"{method} {target} HTTP/1.1", headers)
        body = self.reader.payload(c["request_body_sha256"]) if c["request_body_sha256"] else b""
        http_headers = _ExactHeaders(f"{method} {target}", headers, "HTTP/1.1", block)
        warc_headers = {"WARC-Date": warc_date(c["captured_at"]), SOURCE_HEADER: source}
        if concurrent_to:
            warc_headers["WARC-Concurrent-To"] = concurrent_to
        return self.writer.create_warc_record(c["url"], "request", payload=io.BytesIO(body), length=len(body),
                                              http_headers=http_headers, warc_headers_dict=warc_headers)

    def response(self, c: dict, source: str):
        """The response record of one capture, or a revisit record when its body is in this file
        already; returns (record, its index entry, whether it is a revisit)."""
        digest = c["payload_sha256"]
        date = warc_date(c["captured_at"])
        headers = []
        for name, value in c["response_headers"]:
            # the body is kept de-chunked: the header says how it came, under another name
            headers.append((f"X-Archive-Orig-{name}", value) if name.lower() in _TRANSFER else (name, value))
        protocol = c["protocol"] or "HTTP/1.1"
        statusline = f"{c['status']} {c['reason'] if c['reason'] is not None else reason_phrase(c['status'])}".rstrip()
        block = _header_block(f"{protocol} {statusline}", headers)
        http_headers = _ExactHeaders(statusline, headers, protocol, block)
        warc_headers = {"WARC-Date": date, SOURCE_HEADER: source}
        if c["ip_address"]:
            warc_headers["WARC-IP-Address"] = c["ip_address"]
        if c["truncated"]:
            warc_headers["WARC-Truncated"] = c["truncated"]
        index = {"url": c["url"], "ts": timestamp14(c["captured_at"]), "status": str(c["status"]),
                 "mime": mime_type(headers) or "unk", "digest": digest_of(digest)}
        first = self._first.get(digest)
        if first is not None and (c["payload_size"] or 0) >= REVISIT_MIN_BYTES:
            warc_headers["WARC-Refers-To"] = first[2]
            record = self.writer.create_revisit_record(c["url"], digest_of(digest), first[0], first[1],
                                                       http_headers=http_headers, warc_headers_dict=warc_headers)
            index["mime"] = "warc/revisit"
            return record, index, True
        body = self.reader.payload(digest)  # checked against its sha256 on the way out
        warc_headers["WARC-Payload-Digest"] = digest_of(digest)
        record = self.writer.create_warc_record(c["url"], "response", payload=io.BytesIO(body), length=len(body),
                                                http_headers=http_headers, warc_headers_dict=warc_headers)
        return record, index, False

    def metadata(self, c: dict, fetch: dict, source: str, response_id: str, revisit: bool, hops: int) -> None:
        fields: list[tuple[str, object]] = [
            ("fetch-id", str(fetch["id"])), ("crawl-job", fetch["job_id"]), ("spider", fetch["spider"]),
            ("outcome", fetch["outcome"]), ("reason", fetch["reason"]), ("url-asked", fetch["url"]),
            ("final-url", fetch["final_url"]), ("found-on", fetch["found_on"]),
            ("hops", str(hops)), ("capture-source", source),
            ("body-sha256", c["payload_sha256"]), ("decoded-sha256", fetch["sha256"]),
        ]
        if revisit:
            fields.append(("revisit-of", self._first[c["payload_sha256"]][0]))
        if c["source"] == "fetch":
            fields.append(("reconstructed", "request headers unknown; response headers and body as the crawler "
                                            "kept them (decoded), from the fetch row of an archive made before "
                                            "captures were kept"))
        else:
            rebuilt = ["request line", "Host header"]
            if c["reason"] is None:
                rebuilt.append("reason phrase")
            if c["protocol"] is None:
                rebuilt.append("HTTP version")
            if any(k.lower() in _TRANSFER for k, _ in c["response_headers"]):
                rebuilt.append("Transfer-Encoding renamed X-Archive-Orig-Transfer-Encoding (body kept de-chunked)")
            fields.append(("reconstructed", ", ".join(rebuilt)))
        if c["truncated"]:
            fields.append(("truncated", c["truncated"]))
        if c["warc_file"]:
            fields.append(("imported-from", f"{c['warc_file']} record {c['warc_record_id']} at offset {c['warc_offset']}"))
        report_url = fetch["report_url"]
        if report_url:
            report = self.reader.report(report_url) or {}
            fields += [("report-url", report_url), ("portal", report.get("portal")), ("section", report.get("section")),
                       ("column", report.get("column")), ("report-title", report.get("title")),
                       ("list-title", report.get("list_title")), ("list-date", report.get("list_date")),
                       ("list-page", report.get("found_on"))]
        if fetch["version_id"]:
            v = next(self.db.execute(
                "SELECT id, created_at, clean_sha256, raw_sha256, length(text), tables, extractor, container FROM "
                "versions WHERE id = ?", [fetch["version_id"]]), None)
            if v is not None:
                fields += [("version-id", str(v[0])), ("version-created", v[1]), ("clean-sha256", v[2]),
                           ("raw-sha256", v[3]), ("text-chars", str(v[4])),
                           ("tables", str(len(json.loads(v[5] or "[]")))), ("extractor", v[6]), ("container", v[7])]
            s = next(self.db.execute("SELECT template, cells, checks_run, checks_failed, failed FROM figure_sets "
                                     "WHERE version_id = ?", [fetch["version_id"]]), None)
            if s is not None:
                fields += [("figures-template", s[0] or "none"), ("figures-cells", str(s[1])),
                           ("figures-checks", f"{s[2]} run, {s[3]} failed"),
                           ("figures-failed", " ".join(json.loads(s[4] or "[]")))]
        if fetch["sha256"]:
            f = next(self.db.execute("SELECT kind, length(text), pages, scanned, error_kind, extractor FROM files "
                                     "WHERE sha256 = ?", [fetch["sha256"]]), None)
            if f is not None:
                fields += [("file-kind", f[0]), ("file-text-chars", str(f[1])), ("file-pages", f[2] and str(f[2])),
                           ("file-scanned", str(f[3])), ("file-error", f[4]), ("file-extractor", f[5])]
            for a in self.db.execute("SELECT report_url, name FROM attachments WHERE fetch_id = ?", [fetch["id"]]):
                fields.append(("attachment-of", json.dumps({"report": a[0], "name": a[1]}, ensure_ascii=False)))
        body = _fields(fields)
        record = self.writer.create_warc_record(
            c["url"], "metadata", payload=io.BytesIO(body), length=len(body),
            warc_headers_dict={"WARC-Date": warc_date(c["captured_at"]), "WARC-Refers-To": response_id,
                               SOURCE_HEADER: source, "Content-Type": "application/warc-fields"})
        self._write(record)

    # --- the whole file -----------------------------------------------------------------
    def captures(self, fetch_ids: list[int]) -> Iterator[tuple[dict, dict, int]]:
        """(capture, its fetch, hops of that fetch), in the order captured."""
        batch = 500
        for start in range(0, len(fetch_ids), batch):
            ids = fetch_ids[start:start + batch]
            fetches = {r["id"]: r for r in self.reader.db.query(
                f"SELECT * FROM fetches WHERE id IN ({', '.join('?' * len(ids))})", ids)}
            rows = list(self.reader.db.query(
                f"SELECT * FROM captures WHERE fetch_id IN ({', '.join('?' * len(ids))}) ORDER BY id", ids))
            hops: dict[int, int] = {}
            for r in rows:
                hops[r["fetch_id"]] = hops.get(r["fetch_id"], 0) + 1
            for r in rows:
                for key in ("request_headers", "response_headers"):
                    r[key] = [tuple(p) for p in json.loads(r[key] or "[]")]
                yield r, fetches[r["fetch_id"]], hops[r["fetch_id"]]

    def run(self) -> Written:
        fetch_ids = self.selection.fetch_ids(self.db)
        self.warcinfo(fetch_ids)
        seen_hops: dict[int, int] = {}
        pages = self._report_pages(fetch_ids)
        for c, fetch, hops in self.captures(fetch_ids):
            source = self._capture_source(c)
            seen_hops[fetch["id"]] = seen_hops.get(fetch["id"], 0) + 1
            response, index, revisit = self.response(c, source)
            response_id = response.rec_headers.get_header("WARC-Record-ID")
            self._write(self.request(c, source, response_id))
            self._write(response, index)
            if revisit:
                self.written.revisits += 1
            else:
                self._first[c["payload_sha256"]] = (c["url"], warc_date(c["captured_at"]), response_id)
                self.written.responses += 1
                self.written.payload_bytes += c["payload_size"] or 0
            if seen_hops[fetch["id"]] == hops:  # the last hop: what the crawl made of the exchange
                self.metadata(c, fetch, source, response_id, revisit, hops)
                page = pages.get(fetch["id"])
                if page is not None and c["status"] == 200:
                    self.written.pages.append({**page, "url": c["url"], "ts": warc_date(c["captured_at"])})
            self.written.captures += 1
            self.written.cassette += bool(c["cassette"])
        return self.written

    def _report_pages(self, fetch_ids: list[int]) -> dict[int, dict]:
        """fetch id → the report (title) whose current version that fetch stored."""
        out = {}
        for r in self.reader.db.query(
                "SELECT v.fetch_id, r.url, r.title FROM reports r JOIN versions v ON v.id = r.current_version "
                "WHERE v.fetch_id IN (SELECT value FROM json_each(?))", [json.dumps(fetch_ids)]):
            out[r["fetch_id"]] = {"report_url": r["url"], "title": r["title"] or r["url"]}
        return out


def write_warc(reader, out: BinaryIO, selection: Selection | None = None, filename: str = "archive.warc.gz") -> Written:
    return Exporter(reader, out, selection, filename).run()


def cdxj_lines(written: Written, filename: str) -> list[str]:
    """CDXJ index lines (sorted) of the response and revisit records written."""
    lines = []
    for e in written.index:
        data = {"url": e["url"], "mime": e["mime"], "status": e["status"], "digest": e["digest"],
                "length": str(e["length"]), "offset": str(e["offset"]), "filename": filename}
        lines.append(f"{surt(e['url'])} {e['ts']} {json.dumps(data, ensure_ascii=False)}")
    return sorted(lines)
