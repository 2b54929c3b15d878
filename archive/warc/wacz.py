"""The WARC export packaged as WACZ 1.1.1 (Web Archive Collection Zipped), the file that
ReplayWeb.page opens: a ZIP holding

* ``archive/data.warc.gz`` — the WARC (stored, not deflated: replay reads it by range);
* ``indexes/index.cdxj`` — one CDXJ line per response and revisit record (SURT key, 14-digit
  timestamp, JSON: url, mime, status, digest, offset, length, filename), sorted;
* ``pages/pages.jsonl`` — the reports, titled: a header line, then ``{id, url, ts, title}``;
* ``datapackage.json`` — every file's path, size and sha256, the WACZ version, the software;
* ``datapackage-digest.json`` — the sha256 of ``datapackage.json``.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from datetime import datetime, timezone

from .. import __version__
from .export import Written, cdxj_lines

WACZ_VERSION = "1.1.1"
WARC_NAME = "data.warc.gz"


def _stamp() -> tuple[int, int, int, int, int, int]:
    now = datetime.now(timezone.utc)
    return (now.year, now.month, now.day, now.hour, now.minute, now.second)


def _entry(path: str, stored: bool = False) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(path, _stamp())
    info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def write_wacz(zip_path, warc_path, written: Written, title: str, description: str) -> dict:
    """Package the WARC at ``warc_path`` (written as ``written`` says) into ``zip_path``;
    returns the datapackage."""
    resources = []

    def add(path: str, data: bytes | None = None, source=None, stored: bool = False) -> None:
        digest, size = hashlib.sha256(), 0
        with zf.open(_entry(path, stored), "w", force_zip64=True) as out:
            if data is not None:
                out.write(data)
                digest.update(data)
                size = len(data)
            else:
                with open(source, "rb") as handle:
                    while chunk := handle.read(1 << 20):
                        out.write(chunk)
                        digest.update(chunk)
                        size += len(chunk)
        resources.append({"name": path.rsplit("/", 1)[-1].lower(), "path": path,
                          "hash": "sha256:" + digest.hexdigest(), "bytes": size})

    with zipfile.ZipFile(zip_path, "w", allowZip64=True) as zf:
        add(f"archive/{WARC_NAME}", source=warc_path, stored=True)
        add("indexes/index.cdxj", ("\n".join(cdxj_lines(written, WARC_NAME)) + "\n").encode("utf-8"))
        pages = [json.dumps({"format": "json-pages-1.0", "id": "pages", "title": "Reports"})]
        for i, page in enumerate(written.pages, start=1):
            pages.append(json.dumps({"id": f"report-{i}", "url": page["url"], "ts": page["ts"],
                                     "title": page["title"]}, ensure_ascii=False))
        add("pages/pages.jsonl", ("\n".join(pages) + "\n").encode("utf-8"))
        package = {
            "profile": "data-package",
            "resources": resources,
            "wacz_version": WACZ_VERSION,
            "title": title,
            "description": description,
            "created": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "software": f"annual-report-archive {__version__}",
        }
        if written.pages:
            package["mainPageURL"] = written.pages[0]["url"]
            package["mainPageDate"] = written.pages[0]["ts"]
        data = json.dumps(package, ensure_ascii=False, indent=2).encode("utf-8")
        info = _entry("datapackage.json")
        zf.writestr(info, data)
        digest = {"path": "datapackage.json", "hash": "sha256:" + hashlib.sha256(data).hexdigest()}
        zf.writestr(_entry("datapackage-digest.json"), json.dumps(digest, indent=2).encode("utf-8"))
    return package
