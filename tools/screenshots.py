#!/usr/bin/env python3
"""The README's pictures of the web view: ``archive serve`` on an archive (by default the replayed
Guangzhou crawl the README's first command makes), photographed in Debian's Chromium.

    .venv/bin/python tools/screenshots.py [--db archive.db] [--out docs]
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.test_browser import ARGS, CHROMIUM  # noqa: E402
from tests.web_kit import Server  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="archive.db")
    parser.add_argument("--out", default=str(ROOT / "docs"))
    parser.add_argument("--report", default="post_9433816", help="a piece of the URL of the report to show")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    url = sqlite3.connect(args.db).execute("SELECT url FROM reports WHERE instr(url, ?) > 0",
                                           [args.report]).fetchone()[0]
    out = Path(args.out)
    with Server(args.db) as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1100, "height": 1300}, locale="zh-CN")
        page.goto(f"{server.url}/report?url={quote(url, safe='')}")
        page.screenshot(path=str(out / "serve-report.png"))
        page.set_viewport_size({"width": 1100, "height": 700})
        page.goto(f"{server.url}/search?q={quote('复议')}")
        page.screenshot(path=str(out / "serve-search.png"))
        browser.close()
    print(f"wrote {out / 'serve-report.png'} and {out / 'serve-search.png'}")


if __name__ == "__main__":
    main()
