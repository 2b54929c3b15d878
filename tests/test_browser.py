"""``archive serve`` in a real browser: Debian's Chromium driven by Playwright (no browser download),
against the server run as a user runs it, in its own process, on the archive of ``tests/web_kit.py``.

Screenshots of the pages are written to the test's temporary folder, and also to
``$ARCHIVE_SCREENSHOTS`` when it is set (that is how the README's picture is made).
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path
from urllib.parse import quote

import pytest

from archive.store import Archive
from tests.web_kit import Server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")
if not Path(CHROMIUM).exists():
    pytest.skip("Debian's chromium is not installed (apt-get install chromium fonts-noto-cjk; .ci/run does it as root)",
                allow_module_level=True)


@pytest.fixture(scope="module")
def server(web_archive):
    with Server(web_archive.path) as s:
        yield s


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 900}, accept_downloads=True, locale="zh-CN")
    pg = context.new_page()
    pg.dialogs = []  # every alert()/confirm() a page tries: there must be none
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    yield pg
    context.close()


def shot(page, tmp_path, name: str) -> Path:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    if os.environ.get("ARCHIVE_SCREENSHOTS"):
        out = Path(os.environ["ARCHIVE_SCREENSHOTS"])
        out.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, out / path.name)
    return path


def test_home_then_search_long_and_short_terms(page, server, web_archive, tmp_path):
    archive = Archive(web_archive.path)
    page.goto(server.url + "/")
    assert "政府信息公开年度报告" in page.title()
    shot(page, tmp_path, "home")
    for terms in ("依申请公开", "复议"):
        page.fill("form.search input[type=search]", terms)
        page.click("form.search input[type=submit]")
        page.wait_for_load_state()
        expected = archive.search(terms, limit=None)
        assert expected.total > 0
        assert page.inner_text("#summary").startswith(f"{expected.total:,} report(s) hold every term")
        assert page.locator(".hit").count() == min(expected.total, 20)
        assert terms in page.locator(".hit .snippet").first.inner_text()
        assert page.locator(".hit .snippet mark").first.inner_text() == terms
    shot(page, tmp_path, "search")


def test_report_page_tables_keep_rows_and_merged_cells(page, server, gz_archive, tmp_path):
    archive = Archive(gz_archive.path)
    url = next(r["url"] for r in archive.reports() if "post_9433816" in r["url"])
    stored = archive.version(archive.report(url)["current_version"])
    page.goto(f"{server.url}/report?url={quote(url, safe='')}")
    assert page.inner_text("#title") == "洪泽区人民政府2023年政府信息公开工作年度报告"
    tables = page.eval_on_selector_all("#text table.grid", """ts => ts.map(t => ({
        rows: t.rows.length,
        spans: [...t.querySelectorAll('td,th')].filter(c => c.rowSpan > 1 || c.colSpan > 1)
                 .map(c => [c.rowSpan, c.colSpan, c.innerText.trim()])}))""")
    assert len(tables) == len(stored["tables"])
    for seen, grid in zip(tables, stored["tables"]):
        assert seen["rows"] == grid["n_rows"]
        want = [[c["rowspan"], c["colspan"], c["text"]] for c in grid["cells"] if c["rowspan"] > 1 or c["colspan"] > 1]
        assert seen["spans"] == want
    # 表三 is there with its merged header: 申请人情况 over the applicant columns
    assert any(s[2] == "申请人情况" and s[1] > 1 for t in tables for s in t["spans"])
    # the figures and the two checks this report fails
    assert page.locator("#checks tr").count() == 3  # a header and the two failing checks, shown first
    # provenance: open it and read the hash of the bytes as fetched
    assert page.inner_text("#raw-sha256") == stored["raw_sha256"]
    assert "Replayed from a recorded cassette" in page.inner_text(".archive")
    shot(page, tmp_path, "report")


def test_diff_two_versions_from_the_report_page(page, server, web_archive, tmp_path):
    page.goto(f"{server.url}/report?url={quote(web_archive.changed, safe='')}")
    assert page.locator("#version-list tr").count() == 3  # header + two versions
    page.select_option("#diff-form select[name=a]", "1")
    page.select_option("#diff-form select[name=b]", "2")
    page.click("#diff-form input[type=submit]")
    page.wait_for_load_state()
    assert page.inner_text("#diffstat").startswith("1 line(s) added, 0 removed")
    assert page.locator("pre.diff .added").inner_text() == "+（本报告于第1次更正后重新发布。）"
    shot(page, tmp_path, "diff")


def test_raw_bytes_download_with_the_stored_hash(page, server, web_archive, tmp_path):
    archive = Archive(web_archive.path)
    digest = archive.version(archive.report(web_archive.plain)["current_version"])["raw_sha256"]
    page.goto(f"{server.url}/report?url={quote(web_archive.plain, safe='')}")
    with page.expect_download() as info:
        page.click("#raw")
    saved = tmp_path / "raw.bin"
    info.value.save_as(saved)
    assert hashlib.sha256(saved.read_bytes()).hexdigest() == digest


def test_stored_script_never_runs(page, server, web_archive, tmp_path):
    page.goto(f"{server.url}/report?url={quote(web_archive.hostile, safe='')}")
    assert "样文<script>alert('as-text')</script>结束" in page.inner_text("#text")
    assert page.eval_on_selector_all("#text script, #text img", "els => els.length") == 0
    # the bytes as fetched hold a live <script>: they are a download, never a page of this site
    with page.expect_download() as info:
        page.click("#raw")
    assert b"<script>alert('live-script')</script>" in Path(info.value.path()).read_bytes()
    # and were a browser to show them anyway (a frame of the archive's origin), the sandbox holds
    digest = Archive(web_archive.path).version(Archive(web_archive.path).report(web_archive.hostile)["current_version"])["raw_sha256"]
    response = page.request.get(f"{server.url}/raw/{digest}")
    assert response.headers["content-security-policy"].startswith("sandbox")
    page.wait_for_timeout(300)
    assert page.dialogs == []
    shot(page, tmp_path, "hostile")
