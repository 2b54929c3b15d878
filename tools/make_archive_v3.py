#!/usr/bin/env python3
"""Make tests/data/archive_v3.db.gz: an archive written by the code of schema 3 (commit f9972e1,
before payloads and captures), which tests/test_warc.py upgrades in place.

It must run with that code, not this one (it refuses otherwise): check the commit out into a
folder of its own and run this file there with this project's virtualenv:

    mkdir ../v3 && git archive f9972e1 | tar -x -C ../v3 && cp tools/make_archive_v3.py ../v3/tools/
    touch ../v3/tests/__init__.py   # with pywb installed: its site-packages "tests" would shadow ours
    cd ../v3 && PYTHONPATH=. ../annual-report-archive/.venv/bin/python tools/make_archive_v3.py OUT.db.gz

What it holds: a crawl of the local test portal (tests/portal_server.py, 30 reports, list pages,
robots.txt) by the real spider, then a Word attachment with a 表三 (tests/figure_kit.docx_with)
stored for one report through that code's Archive.store_file, so that versions.raw, files.raw,
tables and figures of the old layout are all there.
"""

from __future__ import annotations

import gzip
import shutil
import sqlite3
import sys
import tempfile
from pathlib import Path

ROOT = Path.cwd()
sys.path.insert(0, str(ROOT))

from archive import schema  # noqa: E402
from archive.files import extract  # noqa: E402
from archive.records import Fetch  # noqa: E402
from archive.store import Archive  # noqa: E402
from crawler.run import run_crawl  # noqa: E402
from tests.crawl_kit import FAST, spider_for  # noqa: E402
from tests.figure_kit import consistent_values, docx_with, table3_html, table4_html, tables  # noqa: E402
from tests.portal_server import Portal, PortalServer  # noqa: E402


def main(out: str) -> None:
    if schema.SCHEMA_VERSION != 3:
        raise SystemExit(f"this code writes schema {schema.SCHEMA_VERSION}; run with the code of schema 3 (f9972e1)")
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "v3.db")
        with PortalServer(Portal(30)) as server:
            stats = run_crawl(spider_for(server.url), {**FAST, "ARCHIVE_DB": db})
            assert stats["finish_reason"] == "finished", stats
            archive = Archive(db)
            report = archive.reports()[0]["url"]
            body = docx_with(tables(table3_html(consistent_values()), table4_html([1, 0, 0, 0, 1] * 3)))
            url = server.url + "bm/content/附件.docx"
            extracted = extract(body, "附件.docx")
            info = {"kind": extracted.kind, "text": extracted.text, "tables": extracted.tables,
                    "pages": extracted.pages, "scanned": extracted.scanned, "extractor": extracted.extractor,
                    "software": {}, "error": extracted.error, "error_kind": extracted.error_kind}
            archive.store_file(Fetch(url=url, final_url=url, status=200, outcome="attachment", bytes=len(body),
                                     content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                                     found_on=report), body, None, info, report_url=report, name="附件")
            archive.close()
        copy = str(Path(tmp) / "copy.db")  # the crawl's own connections may still hold the file
        with sqlite3.connect(db) as source, sqlite3.connect(copy) as target:
            source.backup(target)
        con = sqlite3.connect(copy)
        con.execute("PRAGMA journal_mode = DELETE")
        con.execute("VACUUM")
        con.close()
        with open(copy, "rb") as src, gzip.open(out, "wb", compresslevel=9) as dst:
            shutil.copyfileobj(src, dst)
    print(f"wrote {out}")


if __name__ == "__main__":
    main(sys.argv[1])
