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

* ``warc`` — every HTTP exchange behind the selected reports as received (``archive.warc``):
  request, response (or revisit) and metadata records, gzip-compressed WARC/1.1.
* ``wacz`` — the same WARC packaged for ReplayWeb.page with its CDXJ index, the reports as its
  pages, and a datapackage.json (``archive.warc.wacz``).

Only current versions are exported (``warc``/``wacz``: every capture of the selected reports);
``archive history`` shows the others.
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

from . import figure_store
from .store import Archive, ArchiveError

FORMATS = ("jsonl", "csv", "dir", "figures", "warc", "wacz")

CSV_COLUMNS = ("url", "portal", "section", "agency", "title", "report_year", "pub_date", "source",
               "list_title", "list_date", "first_seen", "last_seen", "gone_since", "version_count",
               "text_chars", "tables", "attachments", "fetched_at", "http_status", "final_url",
               "raw_sha256", "content_type", "encoding", "encoding_method", "extractor", "clean_sha256")

_FETCH_FIELDS = ("url", "final_url", "redirect_chain", "method", "status", "content_type", "content_length",
                 "etag", "last_modified", "response_headers", "bytes", "sha256", "fetched_at", "job_id",
                 "spider", "found_on")
_VERSION_FIELDS = ("content_type", "encoding", "encoding_method", "encoding_declared", "encoding_confidence",
                   "encoding_errors", "incomplete",
                   "extractor", "container", "clean_sha256", "software", "raw_sha256", "raw_size")


def report_record(archive: Archive, report: dict) -> dict:
    """One report as exported: metadata, text, tables, attachments and provenance."""
    version = archive.version(report["current_version"])
    fetch = archive.fetch(version["fetch_id"])
    record = {
        **{k: report[k] for k in ("url", "portal", "section", "agency", "title", "report_year", "pub_date",
                                  "source")},
        "listed_as": {"title": report["list_title"], "date": report["list_date"], "list_page": report["found_on"]},
        **{k: report[k] for k in ("first_seen", "last_seen", "gone_since", "version_count", "site_meta")},
        "tables": [t.get("grid") if isinstance(t, dict) else t for t in version["tables"] or []],
        "attachments": archive.attachments(report["url"]),
        "provenance": {
            "version_id": version["id"],
            "stored_at": version["created_at"],
            "fetch": {k: fetch.get(k) for k in _FETCH_FIELDS} if fetch else None,
            **{k: version[k] for k in _VERSION_FIELDS},
            "removed_lines": len(version["removed"] or []),
        },
        "text": version["text"],
    }
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


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _atomic_write(path: Path, write, encoding: str) -> None:
    """A text file written by ``write(open file)``, through ``_atomic_binary``."""
    def to_file(tmp: str) -> None:
        with open(tmp, "w", encoding=encoding, newline="") as out:
            write(out)

    _atomic_binary(path, to_file)


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


FIGURE_COLUMNS = ("portal", "agency", "report_year", "url", "title", "version_id", "template", "checks_run",
                  "checks_failed") + figure_store.CELLS


def figure_rows(archive: Archive, reports: list[dict]) -> Iterator[dict]:
    """One row per report: its current version's template, failed checks (``rule:column``,
    space-separated) and every canonical cell (empty: blank as published, or not in the report)."""
    for report in reports:
        sets = next(archive.db.query("SELECT * FROM figure_sets WHERE version_id = ?", [report["current_version"]]),
                    None) or {}
        row = {k: report.get(k) for k in ("portal", "agency", "report_year", "url", "title")}
        row.update(version_id=report["current_version"], template=sets.get("template"),
                   checks_run=sets.get("checks_run"),
                   checks_failed=" ".join(json.loads(sets["failed"])) if sets.get("failed") else "")
        row.update(figure_store.cells_of(archive, report["current_version"]))
        yield row


def write_figures(rows: Iterator[dict], out: io.TextIOBase) -> int:
    writer = csv.DictWriter(out, fieldnames=FIGURE_COLUMNS, extrasaction="ignore")  # only canonical cells
    writer.writeheader()
    n = 0
    for row in rows:
        writer.writerow(row)
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
        os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes it private; the export is a normal folder
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


def _atomic_binary(path: Path, write) -> None:
    """A file written by ``write(temporary path)`` through a temporary file beside ``path``: a
    failed export leaves no half file. The file gets the mode a plain ``open()`` would give it
    (temporary files are private)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def export_web_archive(archive: Archive, fmt: str, out: str | os.PathLike | None, portals: Sequence[str] = (),
                       years: tuple[int, int] | None = None, job: str | None = None):
    """``warc`` / ``wacz``: write the selected exchanges; returns what was written (``archive.warc.Written``)."""
    from .warc import Selection, write_warc
    from .warc.wacz import WARC_NAME, write_wacz

    if out is None:
        raise ArchiveError(f"the {fmt} format needs an output file (-o FILE.{'warc.gz' if fmt == 'warc' else 'wacz'})")
    out = Path(out)
    if out.is_dir():
        raise ArchiveError(f"{out} is a directory: give a file name (-o FILE.{'warc.gz' if fmt == 'warc' else 'wacz'})")
    selection = Selection(portals=tuple(portals), years=years, job=job)
    if job and not archive.db.execute("SELECT 1 FROM crawls WHERE job_id = ?", [job]).fetchone():
        raise ArchiveError(f"no crawl job {job!r} in {archive.path} (see the crawls table)")
    written = None

    def warc(path: str, name: str) -> None:
        nonlocal written
        with open(path, "wb") as handle:
            written = write_warc(archive, handle, selection, name)

    if fmt == "warc":
        _atomic_binary(out, lambda tmp: warc(tmp, out.name))
        return written

    def wacz(tmp: str) -> None:
        warc_tmp = tmp + ".warc.gz"
        try:
            warc(warc_tmp, WARC_NAME)
            write_wacz(tmp, warc_tmp, written, title=f"annual-report-archive: {selection.describe()}",
                       description="Government information-disclosure annual reports and the pages that list them, "
                                   "as fetched, with their provenance")
        finally:
            if os.path.exists(warc_tmp):
                os.unlink(warc_tmp)

    _atomic_binary(out, wacz)
    return written


def export(archive: Archive, fmt: str, out: str | os.PathLike | None, portals: Sequence[str] = (),
           years: tuple[int, int] | None = None, include_gone: bool = True, stdout: io.TextIOBase | None = None) -> int:
    """Export the selected reports; returns how many. ``out`` None: JSONL/CSV to ``stdout``."""
    if fmt not in FORMATS:
        raise ArchiveError(f"unknown export format {fmt!r}; known: {', '.join(FORMATS)}")
    if fmt in ("warc", "wacz"):
        return export_web_archive(archive, fmt, out, portals, years).captures
    reports = archive.reports(portals, years, include_gone)
    if fmt == "dir":
        if out is None:
            raise ArchiveError("the dir format needs an output directory (-o DIR)")
        return write_dir(archive, reports, Path(out))
    if fmt == "figures":
        records, writer = figure_rows(archive, reports), write_figures
    else:
        records = (report_record(archive, r) for r in reports)
        writer = write_jsonl if fmt == "jsonl" else write_csv
    if out is None:
        return writer(records, stdout)
    count = 0

    def write(handle):
        nonlocal count
        count = writer(records, handle)

    _atomic_write(Path(out), write, "utf-8-sig" if fmt in ("csv", "figures") else "utf-8")
    return count
