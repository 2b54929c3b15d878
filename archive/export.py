"""Stored reports out of the archive, with their provenance: JSON Lines, CSV, or a folder.

Every exported report carries what a later reader needs to trust it or redo it: the exchange it
came from (URL, final URL and redirects, status, headers, time, crawl job), the raw bytes'
SHA-256, how they were decoded (codec, evidence, declared charset) and cleaned (extractor,
container, software versions), and its attachments' hashes.

* ``jsonl`` — one report per line, everything: metadata, text, tables (grids), provenance, and
  the text extracted from each attachment (a report that says 详见附件 is in its attachment).
* ``csv`` — one row per report, metadata and the key provenance columns (UTF-8 with a BOM, so
  that spreadsheet programs read the Chinese text right); the text stays in the database.
* ``dir`` — one folder per report: ``report.json`` (as the JSON line, without the text),
  ``text.txt``, ``tables/NN.csv``, the raw bytes as fetched (``raw.html``, ``raw.pdf`` …) and
  the attachment files with their extracted text beside them.

Only current versions are exported; ``archive history`` shows the others.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Iterator, Sequence
from urllib.parse import urlsplit

from .store import Archive, ArchiveError

FORMATS = ("jsonl", "csv", "dir")

CSV_COLUMNS = ("url", "portal", "section", "agency", "title", "report_year", "pub_date", "source",
               "list_title", "list_date", "first_seen", "last_seen", "gone_since", "version_count",
               "text_chars", "tables", "attachments", "fetched_at", "http_status", "final_url",
               "raw_sha256", "content_type", "encoding", "encoding_method", "extractor", "clean_sha256")

_FETCH_FIELDS = ("url", "final_url", "redirect_chain", "method", "status", "content_type", "content_length",
                 "etag", "last_modified", "response_headers", "bytes", "sha256", "fetched_at", "job_id",
                 "spider", "found_on")
_JSON_COLUMNS = ("redirect_chain", "response_headers", "site_meta", "attachments", "tables", "software",
                 "removed", "metadata")


def _loads(value):
    if value is None or not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _rows(archive: Archive, sql: str, params: Sequence = ()) -> Iterator[dict]:
    """``Archive.rows`` with the JSON columns decoded."""
    for row in archive.rows(sql, params):
        yield {c: (_loads(v) if c in _JSON_COLUMNS else v) for c, v in row.items()}


def select_reports(archive: Archive, portals: Sequence[str] = (), years: tuple[int, int] | None = None,
                   include_gone: bool = True) -> list[dict]:
    """The reports to export (with a current version), ordered by portal, section, year, URL."""
    where, params = ["r.current_version IS NOT NULL"], []
    if portals:
        where.append(f"r.portal IN ({', '.join('?' * len(portals))})")
        params += list(portals)
    if years:
        where.append("r.report_year BETWEEN ? AND ?")
        params += list(years)
    if not include_gone:
        where.append("r.gone_since IS NULL")
    sql = ("SELECT r.* FROM reports r WHERE " + " AND ".join(where)
           + " ORDER BY r.portal, r.section, r.report_year, r.url")
    return list(_rows(archive, sql, params))


def report_record(archive: Archive, report: dict, with_text: bool = True) -> dict:
    """One report as exported: metadata, text, tables, attachments and provenance."""
    version = next(_rows(archive, "SELECT id, created_at, fetch_id, raw_sha256, clean_sha256, text, text_simplified, "
                               "tables, raw_size, content_type, encoding, encoding_method, encoding_declared, "
                               "encoding_confidence, extractor, software, container, removed, metadata "
                               "FROM versions WHERE id = ?", (report["current_version"],)))
    fetch = next(_rows(archive, f"SELECT {', '.join(_FETCH_FIELDS)} FROM fetches WHERE id = ?",
                       (version["fetch_id"],)), None)
    attachments = list(_rows(archive, "SELECT a.url, a.name, a.sha256, a.first_seen, a.last_seen, f.kind, f.size, "
                                   "f.pages, f.scanned, f.error, f.extractor, length(f.text) AS text_chars, f.text "
                                   "FROM attachments a LEFT JOIN files f ON f.sha256 = a.sha256 "
                                   "WHERE a.report_url = ? ORDER BY a.id", (report["url"],)))
    record = {
        "url": report["url"],
        "portal": report["portal"],
        "section": report["section"],
        "agency": report["agency"],
        "title": report["title"],
        "report_year": report["report_year"],
        "pub_date": report["pub_date"],
        "source": report["source"],
        "listed_as": {"title": report["list_title"], "date": report["list_date"], "list_page": report["found_on"]},
        "first_seen": report["first_seen"],
        "last_seen": report["last_seen"],
        "gone_since": report["gone_since"],
        "version_count": report["version_count"],
        "site_meta": report["site_meta"],
        "tables": [t.get("grid") if isinstance(t, dict) else t for t in version["tables"] or []],
        "attachments": attachments,
        "provenance": {
            "version_id": version["id"],
            "stored_at": version["created_at"],
            "fetch": fetch,
            "raw_sha256": version["raw_sha256"],
            "raw_size": version["raw_size"],
            "content_type": version["content_type"],
            "encoding": version["encoding"],
            "encoding_method": version["encoding_method"],
            "encoding_declared": version["encoding_declared"],
            "encoding_confidence": version["encoding_confidence"],
            "extractor": version["extractor"],
            "container": version["container"],
            "removed_lines": len(version["removed"] or []),
            "clean_sha256": version["clean_sha256"],
            "software": version["software"],
        },
    }
    if not with_text:
        for a in attachments:
            a.pop("text")
    if with_text:
        record["text"] = version["text"]
        if version["text_simplified"]:
            record["text_simplified"] = version["text_simplified"]
    return record


def csv_row(record: dict) -> dict:
    prov, fetch = record["provenance"], record["provenance"].get("fetch") or {}
    listed = record["listed_as"]
    return {
        **{k: record.get(k) for k in ("url", "portal", "section", "agency", "title", "report_year", "pub_date",
                                      "source", "first_seen", "last_seen", "gone_since", "version_count")},
        "list_title": listed["title"], "list_date": listed["date"],
        "text_chars": len(record.get("text") or ""), "tables": len(record["tables"]),
        "attachments": len(record["attachments"]), "fetched_at": fetch.get("fetched_at"),
        "http_status": fetch.get("status"), "final_url": fetch.get("final_url"),
        **{k: prov.get(k) for k in ("raw_sha256", "content_type", "encoding", "encoding_method", "extractor",
                                    "clean_sha256")},
    }


def _atomic_write(path: Path, write, encoding: str) -> None:
    """Write through a temporary file beside ``path``: a failed export leaves no half file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline="") as out:
            write(out)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def write_jsonl(records: Iterator[dict], out: io.TextIOBase) -> int:
    n = 0
    for record in records:
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        n += 1
    return n


def write_csv(records: Iterator[dict], out: io.TextIOBase) -> int:
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    n = 0
    for record in records:
        writer.writerow(csv_row(record))
        n += 1
    return n


_EXT = {"text/html": ".html", "application/xhtml+xml": ".html", "application/pdf": ".pdf",
        "application/msword": ".doc", "application/vnd.ms-excel": ".xls",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx"}


def _extension(content_type: str | None, url: str) -> str:
    mime = (content_type or "").split(";")[0].strip().lower()
    if mime in _EXT:
        return _EXT[mime]
    suffix = Path(urlsplit(url).path).suffix.lower()
    return suffix if re.fullmatch(r"\.[a-z0-9]{1,5}", suffix) else ".bin"


def _safe(name: str, default: str) -> str:
    name = re.sub(r"[^\w.\-]+", "_", name, flags=re.ASCII).strip("._")
    return name[:80] or default


def write_dir(archive: Archive, reports: list[dict], root: Path) -> int:
    """One folder per report below ``root`` (which must not exist or be empty). Written into a
    temporary directory beside it and renamed at the end: a failed export leaves nothing."""
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise ArchiveError(f"{root} exists and is not an empty directory: export into a new one")
    root.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{root.name}.", dir=root.parent))
    try:
        _fill_dir(archive, reports, tmp)
        if root.exists():
            root.rmdir()
        os.replace(tmp, root)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return len(reports)


def _fill_dir(archive: Archive, reports: list[dict], root: Path) -> None:
    used: set[Path] = set()
    for report in reports:
        record = report_record(archive, report)
        stem = Path(urlsplit(report["url"]).path).stem or "report"
        folder = root / _safe(report["portal"] or "", "portal") / _safe(report["section"] or "", "-") / _safe(stem, "report")
        k = 2
        base = folder
        while folder in used:
            folder, k = base.with_name(f"{base.name}-{k}"), k + 1
        used.add(folder)
        (folder / "tables").mkdir(parents=True)
        text = record.pop("text")
        simplified = record.pop("text_simplified", None)
        (folder / "text.txt").write_text(text + "\n", encoding="utf-8")
        if simplified:
            (folder / "text_simplified.txt").write_text(simplified + "\n", encoding="utf-8")
        for i, grid in enumerate(record["tables"], start=1):
            with open(folder / "tables" / f"{i:02d}.csv", "w", encoding="utf-8-sig", newline="") as out:
                csv.writer(out).writerows(grid)
        prov = record["provenance"]
        raw_name = "raw" + _extension(prov["content_type"], report["url"])
        (folder / raw_name).write_bytes(archive.raw_bytes(prov["version_id"]))
        prov["raw_file"] = raw_name
        for a in record["attachments"]:
            if a.get("sha256") and a.get("kind") is not None:
                name = f"{a['sha256'][:12]}-{_safe(Path(urlsplit(a['url']).path).name, 'file')}"
                (folder / "attachments").mkdir(exist_ok=True)
                (folder / "attachments" / name).write_bytes(archive.file_bytes(a["sha256"]))
                a["file"] = f"attachments/{name}"
                text = a.pop("text", None)
                if text:
                    (folder / "attachments" / f"{name}.txt").write_text(text + "\n", encoding="utf-8")
                    a["text_file"] = f"attachments/{name}.txt"
        (folder / "report.json").write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def export(archive: Archive, fmt: str, out: str | os.PathLike | None, portals: Sequence[str] = (),
           years: tuple[int, int] | None = None, include_gone: bool = True, stdout: io.TextIOBase | None = None) -> int:
    """Export the selected reports; returns how many. ``out`` None: JSONL/CSV to ``stdout``."""
    if fmt not in FORMATS:
        raise ArchiveError(f"unknown export format {fmt!r}; known: {', '.join(FORMATS)}")
    reports = select_reports(archive, portals, years, include_gone)
    if fmt == "dir":
        if out is None:
            raise ArchiveError("the dir format needs an output directory (-o DIR)")
        return write_dir(archive, reports, Path(out))
    records = (report_record(archive, r) for r in reports)
    writer = write_jsonl if fmt == "jsonl" else write_csv
    if out is None:
        return writer(records, stdout)
    count = 0

    def write(handle):
        nonlocal count
        count = writer(records, handle)

    _atomic_write(Path(out), write, "utf-8-sig" if fmt == "csv" else "utf-8")
    return count


def search(archive: Archive, query: str, portals: Sequence[str] = (), limit: int = 20) -> list[dict]:
    """Current report texts holding every term of ``query`` (terms split on spaces). Terms of
    three or more characters go through the FTS5 trigram index, shorter ones through LIKE;
    simplified terms also find traditional-character reports (their OpenCC copy is indexed)."""
    terms = [t for t in query.split() if t]
    if not terms:
        raise ArchiveError("empty search")
    where, params = ["v.id = r.current_version"], []
    long_terms = [t for t in terms if len(t) >= 3]
    if long_terms:
        # each term a quoted phrase: FTS5 syntax characters in a term are text, not operators
        where.append("v.id IN (SELECT rowid FROM versions_fts WHERE versions_fts MATCH ?)")
        params.append(" AND ".join('"' + t.replace('"', '""') + '"' for t in long_terms))
    for t in terms:
        if len(t) < 3:
            where.append("(instr(v.text, ?) > 0 OR instr(coalesce(v.text_simplified, ''), ?) > 0)")
            params += [t, t]
    if portals:
        where.append(f"r.portal IN ({', '.join('?' * len(portals))})")
        params += list(portals)
    sql = ("SELECT r.url, r.portal, r.report_year, r.title, v.text, v.text_simplified FROM reports r "
           "JOIN versions v ON v.report_url = r.url WHERE " + " AND ".join(where)
           + " ORDER BY r.report_year DESC, r.url LIMIT ?")
    hits = []
    for url, portal, year, title, text, simplified in archive.conn.execute(sql, params + [limit]):
        hits.append({"url": url, "portal": portal, "report_year": year, "title": title,
                     "snippet": _snippet(text, simplified, terms[0])})
    return hits


def _snippet(text: str, simplified: str | None, term: str, width: int = 30) -> str:
    """Text around the first match, as published: a match in the simplified copy is shown from
    the published text when the conversion kept the length (character for character)."""
    i = text.find(term)
    if i < 0 and simplified:
        i = simplified.find(term)
        if i >= 0 and len(simplified) != len(text):
            text = simplified
    if i < 0:
        return ""
    start, end = max(0, i - width), min(len(text), i + len(term) + width)
    return ("…" if start else "") + text[start:end].replace("\n", " ⏎ ") + ("…" if end < len(text) else "")
