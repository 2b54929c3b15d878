"""WARC files into the archive (``archive import-warc``): the responses another tool captured —
Browsertrix, Heritrix, ``wget --warc-file``, or this archive's own export — stored as if this
archive's crawler had fetched them, by the same library code (``archive.ingest.examine`` decodes
and cleans a page, ``archive.files.extract`` reads a PDF or an Office file; versions, files,
attachments and figures as a crawl stores them).

Every stored exchange points back at its record: ``captures`` keeps the WARC file's name, the
record's ``WARC-Record-ID`` and its byte offset (``source = 'warc'``); the fetch belongs to a crawl
job of its own (spider ``import-warc``), and it is dated by the record's ``WARC-Date``.

Where a report goes: ``resolve(url)`` (given by the caller: the command line passes the crawler's
portal registry) names the registered portal whose column holds the URL, with its section and the
main-text containers its crawl uses; a URL under no registered column is filed under
``warc:<host>`` — a WARC of another site joins the archive, never mixed into a portal it does not
belong to. A page becomes a report when this archive's own export says it was one (its
``metadata`` record), or when its title names an annual report (``archive.meta.is_report_title``),
as the crawler's list filter does; other pages and list pages are kept as fetches with their bytes.

Bad input: each record is stored in its own transaction, so a WARC that ends mid-record
(truncated) keeps every record before it; a record whose body does not match its
``WARC-Payload-Digest`` or ``WARC-Block-Digest`` is refused (a fetch row says so), as is a body
larger than the cap (``max_bytes``; read in pieces and never held whole, the rest skipped);
revisits whose original is not in the file or the archive are counted. ``Imported`` says how many
of each; a record imported before (same file name and record ID) is not stored twice.
"""

from __future__ import annotations

import base64
import json
import os
import re
import stat
import time
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Sequence
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from .. import payloads
from ..http import header_value, mime_type, normalise_headers, url_key
from ..ingest import MAX_PAGE_BYTES, examine, file_info, file_report, is_file_response, unreadable
from ..meta import is_report_title
from ..records import Capture, Fetch, Report, UrlState, Version, sha256, utcnow
from ..software import software_versions
from ..store import Archive, ArchiveError
from .export import SOURCE_HEADER

SPIDER = "import-warc"
_BROKEN = (ArchiveLoadFailed, EOFError, OSError, ValueError, zlib.error)  # a record that cannot be read to its end
MAX_FILE_BYTES = 50 * 1024 * 1024  # as the crawl's ARCHIVE_MAX_ATTACHMENT_BYTES
_CHUNK = 1 << 20
_STATUS = re.compile(r"^\s*(\d{3})(?:\s+(.*))?$")


@dataclass
class Site:
    """Where a URL belongs, as the portal registry says (``resolve(url)`` returns one or None)."""

    portal: str
    canonical: str  # the report's canonical URL
    section: str | None = None
    column: str | None = None
    containers: Sequence[str] = ()


# resolve(url, claimed): claimed is the portal the WARC's own metadata names, or None; the resolver
# decides whether to believe it (crawler.importing: only for a URL on that portal's hosts)
Resolver = Callable[[str, "str | None"], "Site | None"]


@dataclass
class Imported:
    """What an import did, counted."""

    path: str
    job_id: str
    records: int = 0
    responses: int = 0
    stored_fetches: int = 0
    reports_new: int = 0
    reports_changed: int = 0
    reports_unchanged: int = 0
    files: int = 0
    attachments_linked: int = 0
    pages_not_reports: int = 0
    refused_digest: int = 0
    refused_too_large: int = 0
    refused_unreadable: int = 0
    revisits_without_original: int = 0
    already_imported: int = 0
    other_records: int = 0
    truncated: str | None = None  # where the file ends mid-record, if it does
    portals: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # the first few, for people

    @property
    def refused(self) -> int:
        return self.refused_digest + self.refused_too_large + self.refused_unreadable

    def note(self, message: str) -> None:
        if len(self.problems) < 20:
            self.problems.append(message)


def _warc_time(value: str | None) -> str:
    """A WARC-Date as the archive writes times (ISO 8601 UTC to the second)."""
    if not value:
        return utcnow()
    text = value.strip().replace("Z", "+00:00")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return utcnow()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).replace(microsecond=0).isoformat(timespec="seconds")


def _fields(data: bytes) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for line in data.decode("utf-8", errors="replace").splitlines():
        name, sep, value = line.partition(":")
        if sep:
            out.setdefault(name.strip().lower(), []).append(value.strip())
    return out


def dechunk(data: bytes) -> bytes | None:
    """A chunked transfer-coded body decoded; None when it is not validly chunked."""
    out, pos = bytearray(), 0
    while True:
        end = data.find(b"\r\n", pos)
        if end < 0:
            return None
        try:
            size = int(data[pos:end].split(b";")[0].strip(), 16)
        except ValueError:
            return None
        pos = end + 2
        if size == 0:
            return bytes(out)
        if pos + size > len(data):
            return None
        out += data[pos:pos + size]
        pos += size + 2


class _Index:
    """What a first pass over the file learns: the request and the metadata of each response."""

    def __init__(self):
        self.requests: dict[str, dict] = {}  # response record ID → request
        self.metadata: dict[str, dict[str, list[str]]] = {}  # response record ID → warc-fields
        self.by_uri: dict[tuple[str, str], str] = {}  # (URI, date) of a request → its record ID

    def request_for(self, record_id: str, uri: str, date: str) -> dict | None:
        request = self.requests.get(record_id)
        if request is None:
            other = self.by_uri.get((uri, date))
            request = self.requests.get(other) if other else None
        return request


class WarcImporter:
    def __init__(self, archive: Archive, path: str | os.PathLike, resolve: Resolver | None = None,
                 max_bytes: int = MAX_FILE_BYTES, max_page_bytes: int = MAX_PAGE_BYTES, extract_timeout: float = 120):
        self.archive = archive
        self.path = Path(path)
        self.resolve = resolve
        self.max_bytes = max_bytes
        self.max_page_bytes = max_page_bytes
        self.extract_timeout = extract_timeout
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        self.job_id = f"{SPIDER}-{stamp}-{int(time.time() * 1000) % 100000:05d}"
        self.done = Imported(str(self.path), self.job_id)
        self.name = self.path.name
        self._bodies: dict[str, str] = {}  # WARC payload digest → payloads.sha256 (revisits find their original)
        self._files: dict[str, str] = {}  # url_key of a file URL stored → the URL as stored
        self._linked_by: dict[str, list[tuple[str, str | None]]] = {}  # url_key of a file → (report, name) that list it
        self._seen = {r[0] for r in archive.db.execute(
            "SELECT warc_record_id FROM captures WHERE source = 'warc' AND warc_file = ?", [self.name])}

    # --- the file -------------------------------------------------------------------------
    def check_file(self) -> None:
        check_warc_file(self.path)

    def _iterate(self, handle, check_digests: bool = True):
        """(offset, record) for each record; a file that ends mid-record or holds something that
        is not a record ends the iteration, and ``done.truncated`` says where. ``check_digests``:
        the pass that stores records checks them; the first, which only indexes requests, need not
        hash every body too."""
        it = ArchiveIterator(handle, check_digests=check_digests, ensure_http_headers=False)
        offset = 0
        try:
            for record in it:
                offset = it.offset  # where this record starts (read before its body is)
                yield offset, record
        except _BROKEN as exc:
            self._broken(offset, exc)

    def _broken(self, offset: int, exc: BaseException | str) -> None:
        message = exc if isinstance(exc, str) else (str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        if self.done.truncated is None:
            self.done.truncated = f"the WARC ends or breaks in the record at byte {offset}: {message}"

    def first_pass(self) -> _Index:
        index = _Index()
        with open(self.path, "rb") as handle:
            for _, record in self._iterate(handle, check_digests=False):
                if self.done.truncated:
                    break
                rtype = record.rec_type
                head = record.rec_headers
                if rtype == "request":
                    body = record.raw_stream.read(_CHUNK)
                    http = record.http_headers
                    method, target = "GET", ""
                    if http is not None:
                        method = (http.protocol or "GET").upper()
                        target = http.statusline or ""
                    request = {"method": method, "headers": list(http.headers) if http is not None else [],
                               "body": body or None, "target": target}
                    rid = head.get_header("WARC-Record-ID")
                    answered = head.get_header("WARC-Concurrent-To")
                    if answered:
                        index.requests[answered] = request
                    if rid:
                        index.requests[rid] = request
                        index.by_uri[(head.get_header("WARC-Target-URI") or "", head.get_header("WARC-Date") or "")] = rid
                elif rtype == "response":
                    rid, other = head.get_header("WARC-Record-ID"), head.get_header("WARC-Concurrent-To")
                    if other and other in index.requests and rid:
                        index.requests[rid] = index.requests[other]
                elif rtype == "metadata":
                    about = head.get_header("WARC-Refers-To") or head.get_header("WARC-Concurrent-To")
                    if about:
                        index.metadata[about] = _fields(record.raw_stream.read(_CHUNK))
        self.done.truncated = None  # said again by the second pass, which is the one that stores
        return index

    def run(self) -> Imported:
        self.check_file()
        index = self.first_pass()
        self.archive.start_crawl(self.job_id, SPIDER, {**software_versions(), "source": f"WARC {self.name}"})
        try:
            with open(self.path, "rb") as handle:
                for offset, record in self._iterate(handle):
                    if self.done.truncated:
                        break
                    self.done.records += 1
                    if record.rec_type in ("response", "revisit"):
                        self.done.responses += 1
                        self._one(offset, record, index)
                    elif record.rec_type not in ("request", "metadata", "warcinfo"):
                        self.done.other_records += 1
        finally:
            reason = "finished" if self.done.truncated is None else "truncated-warc"
            self.archive.finish_crawl(self.job_id, reason, {k: v for k, v in vars(self.done).items()
                                                            if k not in ("problems",)})
        return self.done

    # --- one response --------------------------------------------------------------------------
    def _read(self, record, cap: int) -> bytes | None:
        """The record's payload, read in pieces; None (the rest skipped) past ``cap`` bytes."""
        parts, size = [], 0
        stream = record.raw_stream
        while chunk := stream.read(_CHUNK):
            size += len(chunk)
            if size > cap:
                while stream.read(_CHUNK):  # skipped, never kept
                    pass
                return None
            parts.append(chunk)
        return b"".join(parts)

    def _refuse(self, uri: str, date: str, why: str, counter: str, offset: int, rid: str | None) -> None:
        setattr(self.done, counter, getattr(self.done, counter) + 1)
        self.done.note(f"{uri}: {why}")
        self.archive.record_fetch(Fetch(url=uri, job_id=self.job_id, spider=SPIDER, outcome="import-refused",
                                        reason=f"{why} (WARC {self.name}, record {rid}, offset {offset})",
                                        fetched_at=date, flags=["warc"]))

    def _one(self, offset: int, record, index: _Index) -> None:
        head, http = record.rec_headers, record.http_headers
        uri = head.get_header("WARC-Target-URI") or ""
        rid = head.get_header("WARC-Record-ID")
        date = _warc_time(head.get_header("WARC-Date"))
        if rid in self._seen:
            self.done.already_imported += 1
            return
        if http is None or not uri.lower().startswith(("http://", "https://")):
            self.done.other_records += 1
            return
        match = _STATUS.match(http.statusline or "")
        status = int(match.group(1)) if match else None
        headers = [(k, v) for k, v in http.headers]
        mime = mime_type(headers)
        is_page = mime in ("text/html", "application/xhtml+xml", "text/plain", "") and \
            not is_file_response(uri, {}, b"")
        cap = self.max_page_bytes if is_page else self.max_bytes
        meta = index.metadata.get(rid, {})
        if record.rec_type == "revisit":
            digest = head.get_header("WARC-Payload-Digest") or ""
            body_sha = self._bodies.get(digest) or self._by_sha256(digest)
            if body_sha is None:
                self.done.revisits_without_original += 1
                self.done.note(f"{uri}: a revisit of a body not in this file or the archive ({digest})")
                return
            raw = self.archive.payload(body_sha)
            if len(raw) > cap:
                self._refuse(uri, date, f"body of {len(raw)} bytes, over the {cap}-byte cap", "refused_too_large",
                             offset, rid)
                return
        else:
            try:
                raw = self._read(record, cap)
            except _BROKEN as exc:  # the body could not be read to its end
                self._broken(offset, exc)
                return
            missing = getattr(record.raw_stream, "limit", 0)
            if raw is not None and missing:  # the file ended before the record did
                self._broken(offset, f"{missing} bytes of its body are missing")
                return
            if raw is None:
                declared = head.get_header("Content-Length")
                self._refuse(uri, date, f"record of {declared} bytes: body over the {cap}-byte cap, not read",
                             "refused_too_large", offset, rid)
                return
            checker = record.digest_checker
            if checker.passed is False:
                self._refuse(uri, date, "digest does not match its body: " + "; ".join(map(str, checker.problems)),
                             "refused_digest", offset, rid)
                return
        # the body as received: de-chunked when the WARC kept it chunked
        received = raw
        chunked = (header_value(headers, "Transfer-Encoding") or "").lower() == "chunked"
        if chunked and record.rec_type != "revisit":
            received = dechunk(raw) or raw
        decoded = received
        encoding = (header_value(headers, "Content-Encoding") or "").strip().lower()
        if encoding and encoding != "identity":
            try:
                decoded = payloads.decode_content(encoding, received)
            except (ValueError, OSError, EOFError) as exc:
                self._refuse(uri, date, f"Content-Encoding {encoding} cannot be undone: {exc}", "refused_unreadable",
                             offset, rid)
                return
        if record.rec_type == "response":
            digest = sha256(received)
            self._bodies[head.get_header("WARC-Payload-Digest") or digest] = digest
        request = index.request_for(rid, uri, head.get_header("WARC-Date") or "") or {}
        capture = Capture(
            url=uri, method=request.get("method") or "GET",
            request_headers=[(k, v) for k, v in request.get("headers", []) if k.lower() != "host"],
            request_body=request.get("body"), status=status,
            reason=(match.group(2) or "") if match else None, protocol=http.protocol or None,
            response_headers=headers, payload=received, captured_at=date,
            ip_address=head.get_header("WARC-IP-Address"), cassette=head.get_header(SOURCE_HEADER) == "cassette",
            truncated=head.get_header("WARC-Truncated"), source="warc", warc_file=self.name, warc_record_id=rid,
            warc_offset=offset)
        response_headers = normalise_headers({})
        for k, v in headers:
            if k.lower() not in ("content-encoding", "transfer-encoding"):  # as the crawl's fetch rows keep them
                response_headers.setdefault(k, []).append(v)
        fetch = Fetch(
            url=uri, job_id=self.job_id, spider=SPIDER, final_url=uri, method=capture.method, status=status,
            content_type=header_value(headers, "Content-Type"),
            content_length=_int(header_value(headers, "Content-Length")),
            etag=header_value(headers, "ETag"), last_modified=header_value(headers, "Last-Modified"),
            response_headers=response_headers, bytes=len(decoded), sha256=sha256(decoded), fetched_at=date,
            found_on=_one_of(meta, "found-on") or _one_of(meta, "list-page"),
            flags=["warc"] + (["cassette"] if capture.cassette else []), captures=[capture])
        self._store(fetch, decoded, uri, meta)

    def _by_sha256(self, digest: str) -> str | None:
        algo, _, value = digest.partition(":")
        if algo.lower() != "sha256" or not value:
            return None
        try:
            raw = base64.b32decode(value.upper()) if len(value) > 60 else bytes.fromhex(value)
        except ValueError:
            return None
        hexdigest = raw.hex()
        return hexdigest if payloads.has(self.archive.db, hexdigest) else None

    # --- what the crawl would have stored ------------------------------------------------------
    def _site(self, url: str, meta: dict) -> Site:
        site = self.resolve(url, _one_of(meta, "portal")) if self.resolve else None
        if site is None:
            host = urlsplit(url).netloc.rsplit("@", 1)[-1].lower()
            site = Site(portal=f"warc:{host}", canonical=url.split("#", 1)[0])
        return site

    def _store(self, fetch: Fetch, body: bytes, uri: str, meta: dict) -> None:
        status = fetch.status or 0
        outcome = _one_of(meta, "outcome") or ""
        headers = fetch.response_headers or {}
        if 300 <= status < 400 or status == 304:
            self.archive.record_fetch(fetch.but(outcome="redirect" if status != 304 else "not-modified",
                                                reason=f"HTTP {status}"))
            self.done.stored_fetches += 1
            return
        if urlsplit(uri).path == "/robots.txt":
            self.archive.record_fetch(fetch.but(outcome="robots"))
            self.done.stored_fetches += 1
            return
        if status == 200 and is_file_response(uri, headers, body):
            self._file(fetch, body, uri, meta, outcome)
            return
        site = self._site(uri, meta)
        examined = examine(status, headers, body, uri, list(site.containers))
        title = (examined.cleaned.metadata.get("title") if examined.cleaned else None) or _one_of(meta, "list-title")
        wanted = outcome.startswith("report") or (not outcome and is_report_title(title))
        if not examined.is_report_page or not wanted:
            kind = outcome or (examined.kind if not examined.is_report_page else "page-not-a-report")
            reason = examined.reason or ("the page's title names no annual report" if examined.is_report_page else None)
            self.archive.record_fetch(fetch.but(outcome=kind, reason=reason))
            self.done.stored_fetches += 1
            self.done.pages_not_reports += 1
            return
        cleaned, decoded = examined.cleaned, examined.decoded
        md = cleaned.metadata
        report = self._report(site, meta)
        report.title = md.get("title") or report.list_title
        report.agency, report.report_year, report.source = md.get("agency"), md.get("report_year"), md.get("source")
        report.pub_date = md.get("pub_date") or report.list_date
        report.site_meta, report.attachments = md.get("meta"), cleaned.attachments
        version = Version(raw=body, text=cleaned.text, text_simplified=cleaned.text_simplified, tables=cleaned.tables,
                          content_type=fetch.content_type, **decoded.as_provenance(), extractor=cleaned.extractor,
                          software=software_versions(), container=cleaned.container, incomplete=cleaned.incomplete,
                          removed=cleaned.removed, metadata=md)
        stored = self.archive.store_report(fetch.but(outcome="report"), report, version)
        self._counted(stored.outcome, site.portal)
        for attachment in cleaned.attachments:  # files of this page stored before it, and those to come
            key = url_key(attachment["url"])
            self._linked_by.setdefault(key, []).append((report.url, attachment.get("name")))
            if key in self._files and self.archive.link_attachment(report.url, self._files[key], attachment.get("name"),
                                                                   seen_at=fetch.fetched_at):
                self.done.attachments_linked += 1

    def _report(self, site: Site, meta: dict) -> Report:
        registered = not site.portal.startswith("warc:")
        # this archive's export names the report (its canonical URL), its section and column; believed
        # for a registered portal only, and the report URL only on the page's own host
        named = _one_of(meta, "report-url")
        if named and urlsplit(named).netloc.lower() != urlsplit(site.canonical).netloc.lower():
            named = None
        return Report(url=named or site.canonical, portal=site.portal,
                      section=site.section if site.section is not None or not registered else _one_of(meta, "section"),
                      column=site.column or (_one_of(meta, "column") if registered else None),
                      list_title=_one_of(meta, "list-title"), list_date=_one_of(meta, "list-date"),
                      found_on=_one_of(meta, "list-page") or _one_of(meta, "found-on"))

    def _counted(self, outcome: str, portal: str) -> None:
        self.done.stored_fetches += 1
        setattr(self.done, f"reports_{outcome}", getattr(self.done, f"reports_{outcome}") + 1)
        self.done.portals[portal] = self.done.portals.get(portal, 0) + 1

    def _file(self, fetch: Fetch, body: bytes, uri: str, meta: dict, outcome: str) -> None:
        from ..files import extract

        name = None
        for value in meta.get("attachment-of", []):
            try:
                name = json.loads(value).get("name") or name
            except ValueError:
                pass
        key = url_key(uri)
        linked = self._linked_by.get(key, [])
        extracted = extract(body, urlsplit(uri).path.rsplit("/", 1)[-1] or uri,
                            header_value(fetch.response_headers or {}, "Content-Type"),
                            max_bytes=self.max_bytes, timeout=self.extract_timeout)
        info, content_type = file_info(extracted), fetch.content_type
        if outcome.startswith("report") and not linked and unreadable(extracted):
            # a list entry that pointed straight at a file without text: kept as a file, as a crawl keeps it
            self.archive.store_file(fetch.but(outcome="file-unreadable", reason=extracted.error or "no text"),
                                    body, content_type, info, report_url=None, name=name)
            self.done.stored_fetches += 1
            self.done.files += 1
            return
        if outcome.startswith("report") and not linked:
            # a list entry that pointed straight at this file: the report is the file
            site = self._site(uri, meta)
            report = self._report(site, meta)
            title = report.list_title or _one_of(meta, "report-title")
            version = file_report(report, title, uri, extracted, body, content_type)
            stored = self.archive.store_report(fetch.but(outcome="report"), report, version,
                                               file={**info, "name": name or title})
            self._counted(stored.outcome, site.portal)
            self.done.files += 1
            return
        first = linked[0] if linked else (None, name)
        state = UrlState(url=uri, kind="attachment", spider=SPIDER, etag=fetch.etag, last_modified=fetch.last_modified,
                         sha256=fetch.sha256, last_status=fetch.status)
        self.archive.store_file(fetch.but(outcome="attachment"), body, content_type, info, report_url=first[0],
                                name=first[1] or name, state=state)
        self.done.stored_fetches += 1
        self.done.files += 1
        self._files[key] = uri
        if first[0]:
            self.done.attachments_linked += 1
        for report_url, link_name in linked[1:]:
            if self.archive.link_attachment(report_url, uri, link_name, seen_at=fetch.fetched_at):
                self.done.attachments_linked += 1


def check_warc_file(path: str | os.PathLike) -> None:
    """Raise ArchiveError (one line) unless ``path`` is a readable file that starts as a WARC does."""
    path = Path(path)
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise ArchiveError(f"no such file: {path}" if not path.exists() else f"{path}: {exc.strerror}") from exc
    if not stat.S_ISREG(mode):
        raise ArchiveError(f"{path} is not a regular file: give a WARC file (.warc or .warc.gz)")
    try:
        with open(path, "rb") as handle:
            head = handle.read(16)
    except OSError as exc:
        raise ArchiveError(f"{path}: {exc.strerror}") from exc
    if not (head.startswith(b"WARC/") or head.startswith(b"\x1f\x8b")):
        raise ArchiveError(f"{path} is not a WARC file (it starts with neither 'WARC/' nor gzip)")


def _one_of(meta: dict, name: str) -> str | None:
    values = meta.get(name)
    return values[0] if values else None


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def import_warc(archive: Archive, path: str | os.PathLike, resolve: Resolver | None = None,
                max_bytes: int = MAX_FILE_BYTES, max_page_bytes: int = MAX_PAGE_BYTES) -> Imported:
    """Import one WARC file (see the module's docstring); returns what was done."""
    return WarcImporter(archive, path, resolve, max_bytes, max_page_bytes).run()
