"""Every response kept as served (captures, payloads), the archive exported as WARC and WACZ and
checked with the web-archiving world's own tools (warcio, wacz, pywb), WARC files imported back
(round trip, other sites, bad input), an archive of schema 3 upgraded in place, archive stats."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import sqlite3
import zipfile
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive import payloads, schema
from archive.cli import main as cli
from archive.records import Capture, Fetch
from archive.store import Archive
from archive.tables import Table, pack_tables, unpack_tables
from archive.warc.export import digest_of
from archive.warc.surt import surt
from tests.crawl_kit import rows
from tests.paths import DATA
from tests.warc_kit import Wayback, corrupt_first_body, huge_record_warc, run, tool, write_warc

GZ = "https://www.gz.gov.cn/zfjgzy/gzsrmzfbgt/zfxxgknb/"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def records(path: Path) -> list[dict]:
    """Every record of a WARC: type, headers, payload (as stored)."""
    out = []
    with open(path, "rb") as handle:
        for r in ArchiveIterator(handle):
            out.append({"type": r.rec_type, "headers": dict(r.rec_headers.headers),
                        "http": r.http_headers, "payload": r.raw_stream.read()})
    return out


@pytest.fixture(scope="module")
def gz_warc(gz_archive, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("warc") / "gz.warc.gz"
    assert cli(["export", "--db", gz_archive.path, "--format", "warc", "-o", str(out)]) == 0
    return out


# --- captures and payloads ------------------------------------------------------------------------
def test_every_response_is_kept_as_received_with_its_request(gz_archive):
    fetches = rows(gz_archive.path, "SELECT * FROM fetches WHERE status IS NOT NULL")
    captures = rows(gz_archive.path, "SELECT * FROM captures ORDER BY fetch_id, hop")
    by_fetch: dict[int, list[dict]] = {}
    for c in captures:
        by_fetch.setdefault(c["fetch_id"], []).append(c)
    archive = Archive(gz_archive.path)
    outcomes = set()
    for f in fetches:
        hops = by_fetch[f["id"]]
        chain = json.loads(f["redirect_chain"]) if f["redirect_chain"] else [f["url"]]
        assert [c["url"] for c in hops] == chain, f["url"]  # every hop of a redirect, in order
        assert hops[-1]["status"] == f["status"] and all(300 <= c["status"] < 400 for c in hops[:-1])
        for c in hops:
            assert c["cassette"] == 1 and c["source"] == "wire"
            assert ["User-Agent"] == [k for k, _ in json.loads(c["request_headers"]) if k == "User-Agent"]
            body = archive.payload(c["payload_sha256"])  # checked against the hash on the way out
            assert len(body) == c["payload_size"]
        encoded = [v for k, v in json.loads(hops[-1]["response_headers"]) if k.lower() == "content-encoding"]
        if not encoded:
            assert hops[-1]["payload_sha256"] == f["sha256"]  # the body as received is the body the crawl read
        outcomes.add(f["outcome"])
    # list pages, report pages, attachments and robots.txt are all kept, not only reports
    assert {"list", "robots", "attachment", "report-new"} <= outcomes
    assert any(len(h) > 1 for h in by_fetch.values()), "the cassette has a redirect"


def test_a_gzip_body_is_kept_compressed_and_its_decoding_is_not_stored_twice(gz_archive):
    archive = Archive(gz_archive.path)
    zipped = [c for c in rows(gz_archive.path, "SELECT * FROM captures")
              if ["gzip"] == [v for k, v in json.loads(c["response_headers"]) if k.lower() == "content-encoding"]]
    assert zipped, "the Guangzhou cassette has a gzip-encoded page"
    for c in zipped:
        wire = archive.payload(c["payload_sha256"])
        assert wire[:2] == b"\x1f\x8b"  # as the server sent it
        fetch = archive.fetch(c["fetch_id"])
        if not fetch["version_id"]:  # a list page: its body as received is what is kept (its decoding is derivable)
            assert not payloads.has(archive.db, fetch["sha256"]) and sha(gzip.decompress(wire)) == fetch["sha256"]
            continue
        decoded = archive.payload(fetch["sha256"])
        assert decoded == gzip.decompress(wire)
        row = rows(gz_archive.path, "SELECT compression, data, derived_from, derivation FROM payloads WHERE sha256 = ?",
                   fetch["sha256"])[0]
        assert (row["compression"], row["data"], row["derived_from"], row["derivation"]) == \
            ("derived", None, c["payload_sha256"], "gzip")
        if fetch["version_id"]:
            assert archive.raw_bytes(fetch["version_id"]) == decoded


def test_credentials_in_request_headers_are_not_kept():
    from scrapy.http import Headers

    from crawler.middlewares import header_pairs

    sent = Headers({"Authorization": "Basic dXNlcjpwYXNz", "User-Agent": "ua", "Accept": ["a", "b"]})
    assert header_pairs(sent, redact=True) == [("Authorization", "Basic [redacted]"), ("User-Agent", "ua"),
                                               ("Accept", "a"), ("Accept", "b")]


def test_a_posted_form_and_a_retried_error_are_kept_with_their_requests(tmp_path):
    from scrapy.http import FormRequest, HtmlResponse
    from scrapy.utils.test import get_crawler

    from crawler.middlewares import Capture as CaptureMiddleware
    from crawler.provenance import fetch_record

    capture = CaptureMiddleware(get_crawler(settings_dict={}))
    url = "https://www.example.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=3&endrecord=3"
    request = FormRequest(url, formdata={"col": "1", "webname": "浙江"})
    error = HtmlResponse(url, status=503, body=b"<html>busy</html>", request=request)
    capture.process_response(request, error)
    retried = request.replace(dont_filter=True)  # Scrapy's retry: a copy carrying the meta
    answer = HtmlResponse(url, status=200, body="<datastore>记录</datastore>".encode(), request=retried,
                          headers={"Content-Type": "text/xml; charset=utf-8"})
    capture.process_response(retried, answer)
    fetch = fetch_record(answer, "job-1", "hanweb")
    assert [c.status for c in fetch.captures] == [503, 200] and len(request.meta["archive_captures"]) == 1
    assert all(c.method == "POST" and c.request_body == request.body for c in fetch.captures)
    archive = Archive(tmp_path / "a.db")
    archive.record_fetch(fetch.but(outcome="list"))
    out = tmp_path / "p.warc.gz"
    assert cli(["export", "--db", str(tmp_path / "a.db"), "--format", "warc", "-o", str(out)]) == 0
    requests = [r for r in records(out) if r["type"] == "request"]
    assert len(requests) == 2 and all(r["payload"] == request.body for r in requests)
    assert requests[0]["http"].protocol == "POST"  # warcio reads the method where a response has its protocol
    statuses = [int(r["http"].statusline.split()[0]) for r in records(out) if r["type"] == "response"]
    assert statuses == [503, 200]


def test_identical_bodies_are_stored_once(tmp_path):
    archive = Archive(tmp_path / "a.db")
    body = "<html><body>同一个列表页</body></html>".encode("utf-8") * 20
    for n in range(3):
        capture = Capture(url=f"https://example.gov.cn/list_{n}.html", status=200, payload=body,
                          response_headers=[("Content-Type", "text/html")])
        archive.record_fetch(Fetch(url=capture.url, status=200, outcome="list", sha256=sha(body), bytes=len(body),
                                   captures=[capture]))
    assert archive.db.execute("SELECT count(*) FROM captures").fetchone()[0] == 3
    assert archive.db.execute("SELECT count(*), sum(size) FROM payloads").fetchone() == (1, len(body))
    stored = archive.db.execute("SELECT compression, length(data) FROM payloads").fetchone()
    assert stored[0] == "zstd" and stored[1] < len(body) / 5
    with pytest.raises(KeyError):
        archive.payload("0" * 64)


def test_a_damaged_payload_is_never_handed_out(tmp_path):
    archive = Archive(tmp_path / "a.db")
    body = b"<html>" + "正文".encode("utf-8") * 200 + b"</html>"
    archive.record_fetch(Fetch(url="https://example.gov.cn/", status=200, outcome="list",
                               captures=[Capture(url="https://example.gov.cn/", status=200, payload=body)]))
    archive.db.execute("UPDATE payloads SET compression = 'none', data = ?", [body.replace(b"html", b"HTML")])
    with pytest.raises(payloads.PayloadError, match="do not match"):
        archive.payload(sha(body))


# --- the tables, each cell once -----------------------------------------------------------------
def test_stored_tables_come_back_exactly_as_the_cleaner_made_them(gz_archive):
    from lxml import html

    from archive.tables import parse_table

    markup = ("<table><tr><th rowspan='2'>信息内容</th><th colspan='2'>数量</th></tr>"
              "<tr><td>本年</td><td>现行</td></tr><tr><td>规章</td><td></td><td>5</td></tr>"
              "<tr><td colspan='9' rowspan='99'>跨越</td></tr></table>")
    made = [parse_table(html.fromstring(markup)).to_json(),
            Table.from_cells([{"r": 0, "c": 1, "rowspan": 1, "colspan": 1, "text": "孤", "header": False}], 2, 3).to_json()]
    odd = {"n_rows": 1, "n_cols": 1, "cells": [{"r": 0, "c": 0, "text": "无跨度"}], "grid": [["无跨度"]]}
    for tables in (made, [odd], [], [made[0], odd]):
        packed = json.loads(json.dumps(pack_tables(tables), ensure_ascii=False))
        assert unpack_tables(packed) == tables
    assert pack_tables([odd]) == [odd]  # not what Table makes: kept as it is
    stored = rows(gz_archive.path, "SELECT tables FROM versions WHERE length(tables) > 100")
    assert stored
    archive = Archive(gz_archive.path)
    for r in rows(gz_archive.path, "SELECT id, tables FROM versions"):
        packed = json.loads(r["tables"])
        assert all("grid" not in t for t in packed)
        full = archive.version(r["id"])["tables"]
        assert all(t["grid"] == Table(cells=t["cells"], n_rows=t["n_rows"], n_cols=t["n_cols"]).grid() for t in full)
        assert len(r["tables"].encode()) < 0.4 * len(json.dumps(full, ensure_ascii=False).encode()) or not full


# --- an archive of schema 3, upgraded in place ----------------------------------------------------
@pytest.fixture
def v3_path(tmp_path) -> str:
    path = tmp_path / "v3.db"
    path.write_bytes(gzip.decompress((DATA / "archive_v3.db.gz").read_bytes()))
    return str(path)


def test_an_archive_of_schema_3_is_upgraded_in_place_and_loses_nothing(v3_path, tmp_path):
    import zlib

    before = {
        "versions": rows(v3_path, "SELECT id, raw_sha256, raw, raw_compression, tables, text, clean_sha256 FROM versions"),
        "files": rows(v3_path, "SELECT sha256, raw, tables, text FROM files"),
        "figures": rows(v3_path, "SELECT * FROM figures ORDER BY id"),
        "fetches": rows(v3_path, "SELECT * FROM fetches ORDER BY id"),
    }
    assert rows(v3_path, "SELECT value FROM meta")[0]["value"] == "3" and before["files"] and before["figures"]
    archive = Archive(v3_path)
    assert archive.schema_version() == schema.SCHEMA_VERSION
    for v in before["versions"]:
        raw = zlib.decompress(v["raw"])
        assert archive.raw_bytes(v["id"]) == raw and sha(raw) == v["raw_sha256"]
        after = archive.version(v["id"])
        assert after["tables"] == json.loads(v["tables"]) and after["text"] == v["text"]
        assert after["clean_sha256"] == v["clean_sha256"]
    for f in before["files"]:
        assert archive.file_bytes(f["sha256"]) == zlib.decompress(f["raw"])
    assert rows(v3_path, "SELECT * FROM figures ORDER BY id") == before["figures"]
    assert rows(v3_path, "SELECT * FROM fetches ORDER BY id") == before["fetches"]
    columns = {r["name"] for r in rows(v3_path, "PRAGMA table_info(versions)")}
    assert "raw" not in columns and "raw_compression" not in columns
    # the exchanges that stored bytes have a capture rebuilt from their row, and say so
    rebuilt = rows(v3_path, "SELECT * FROM captures")
    stored = {f["id"] for f in before["fetches"] if f["sha256"] in
              {v["raw_sha256"] for v in before["versions"]} | {f["sha256"] for f in before["files"]}}
    assert {c["fetch_id"] for c in rebuilt} == stored and {c["source"] for c in rebuilt} == {"fetch"}
    out = tmp_path / "v3.warc.gz"
    assert cli(["export", "--db", v3_path, "--format", "warc", "-o", str(out)]) == 0
    checked = run(tool("warcio"), "check", "-v", out)
    assert checked.returncode == 0, checked.stdout[-2000:]
    assert "WARC-Capture-Source: fetch-row" in gzip.decompress(out.read_bytes()).decode("utf-8", "replace")


def test_the_upgrade_on_an_sqlite_without_drop_column_rebuilds_the_tables(v3_path, monkeypatch):
    import archive.schema

    texts = rows(v3_path, "SELECT id, text FROM versions ORDER BY id")
    monkeypatch.setattr(archive.schema.sqlite3, "sqlite_version_info", (3, 34, 1))
    upgraded = Archive(v3_path)
    assert "raw" not in upgraded.db["versions"].columns_dict and "raw" not in upgraded.db["files"].columns_dict
    assert rows(v3_path, "SELECT id, text FROM versions ORDER BY id") == texts
    found = upgraded.search("政府信息公开", limit=None)  # the full-text index and its triggers are whole
    assert found.total == len(texts) and len(found.hits) == len(texts)
    assert all(upgraded.raw_bytes(t["id"]) for t in texts)
    from archive.records import Report, Version

    upgraded.store_report(Fetch(url="https://example.gov.cn/new.html", status=200),
                          Report(url="https://example.gov.cn/new.html", portal="p"),
                          Version(raw=b"<p>x</p>", text="升级之后新存的报告正文"))
    assert upgraded.search("新存的报告", limit=None).total == 1  # new texts are indexed too


def test_an_upgrade_refuses_an_archive_whose_bytes_do_not_match_their_hash(v3_path):
    import zlib

    con = sqlite3.connect(v3_path)
    with con:
        con.execute("UPDATE versions SET raw = ? WHERE id = 1", [zlib.compress(b"not what was fetched")])
    con.close()
    code = cli(["stats", "--db", v3_path])
    assert code == 2  # one line, exit 2, and the file is left as it was: still schema 3
    assert rows(v3_path, "SELECT value FROM meta")[0]["value"] == "3"
    assert {r["name"] for r in rows(v3_path, "PRAGMA table_info(versions)")} >= {"raw", "raw_compression"}


# --- WARC out -----------------------------------------------------------------------------------
def test_the_warc_passes_warcio_check_and_its_index_lists_every_record(gz_warc, gz_archive):
    checked = run(tool("warcio"), "check", "-v", gz_warc)
    assert checked.returncode == 0, checked.stdout[-3000:]
    assert "digest pass" in checked.stdout and "digest fail" not in checked.stdout
    index = [json.loads(line) for line in run(tool("warcio"), "index", gz_warc).stdout.splitlines()]
    written = records(gz_warc)
    assert len(index) == len(written) and [e["warc-type"] for e in index] == [r["type"] for r in written]
    captures = rows(gz_archive.path, "SELECT count(*) AS n FROM captures")[0]["n"]
    fetches = rows(gz_archive.path, "SELECT count(DISTINCT fetch_id) AS n FROM captures")[0]["n"]
    types = [r["type"] for r in written]
    assert types[0] == "warcinfo" and types.count("request") == captures
    assert types.count("response") + types.count("revisit") == captures and types.count("metadata") == fetches


def test_warc_records_are_the_exchanges_as_received(gz_warc, gz_archive):
    archive = Archive(gz_archive.path)
    captures = rows(gz_archive.path, "SELECT c.*, f.fetched_at FROM captures c JOIN fetches f ON f.id = c.fetch_id "
                                     "ORDER BY c.id")
    responses = [r for r in records(gz_warc) if r["type"] == "response"]
    assert len(responses) == len(captures)
    for c, r in zip(captures, responses):
        h = r["headers"]
        assert h["WARC-Target-URI"] == c["url"]  # the URL asked for, each hop its own record
        assert h["WARC-Date"] == c["captured_at"].replace("+00:00", "Z")
        assert h["WARC-Payload-Digest"] == digest_of(c["payload_sha256"])
        assert r["payload"] == archive.payload(c["payload_sha256"])  # gzip stays gzip
        assert int(r["http"].statusline.split()[0]) == c["status"]
        assert h["WARC-Capture-Source"] == "cassette"  # replayed, and said so on every record
    info = records(gz_warc)[0]
    text = info["payload"].decode("utf-8")
    assert "annual-report-archive/" in text and "warcio/" in text and "trafilatura/" in text
    assert f"{len(captures)} of the {len(captures)} responses in this file were replayed from cassettes" in text


def test_metadata_links_each_response_to_its_version_and_figures(gz_warc, gz_archive):
    written = records(gz_warc)
    ids = {r["headers"]["WARC-Record-ID"]: r for r in written}
    reports = rows(gz_archive.path, "SELECT r.url, v.id, v.clean_sha256, s.cells FROM reports r JOIN versions v ON "
                                    "v.id = r.current_version LEFT JOIN figure_sets s ON s.version_id = v.id")
    found = {}
    for r in written:
        if r["type"] != "metadata":
            continue
        assert ids[r["headers"]["WARC-Refers-To"]]["type"] in ("response", "revisit")
        fields = dict(line.split(": ", 1) for line in r["payload"].decode("utf-8").splitlines())
        if "version-id" in fields:
            found[fields["report-url"]] = fields
    for rep in reports:
        fields = found[rep["url"]]
        assert fields["version-id"] == str(rep["id"]) and fields["clean-sha256"] == rep["clean_sha256"]
        assert fields["figures-cells"] == str(rep["cells"]) and fields["capture-source"] == "cassette"


def test_a_repeated_body_is_a_revisit_of_the_first_capture(tmp_path):
    archive = Archive(tmp_path / "a.db")
    body = "<html><body>第1页</body></html>".encode("utf-8")
    for n, when in enumerate(("2025-01-01T00:00:00+00:00", "2025-02-01T00:00:00+00:00")):
        capture = Capture(url="https://example.gov.cn/list.html", status=200, payload=body, captured_at=when,
                          response_headers=[("Content-Type", "text/html"), ("Transfer-Encoding", "chunked")])
        archive.record_fetch(Fetch(url=capture.url, status=200, outcome="list", fetched_at=when, captures=[capture]))
    out = tmp_path / "r.warc.gz"
    assert cli(["export", "--db", str(tmp_path / "a.db"), "--format", "warc", "-o", str(out)]) == 0
    assert run(tool("warcio"), "check", out).returncode == 0
    first, revisit = [r for r in records(out) if r["type"] in ("response", "revisit")]
    assert first["type"] == "response" and revisit["type"] == "revisit"
    h = revisit["headers"]
    assert h["WARC-Profile"] == "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
    assert h["WARC-Refers-To-Target-URI"] == "https://example.gov.cn/list.html"
    assert h["WARC-Refers-To-Date"] == "2025-01-01T00:00:00Z" and h["WARC-Date"] == "2025-02-01T00:00:00Z"
    assert h["WARC-Payload-Digest"] == first["headers"]["WARC-Payload-Digest"] == digest_of(sha(body))
    assert h["WARC-Refers-To"] == first["headers"]["WARC-Record-ID"]
    # the body is kept de-chunked: the header no longer claims chunks, under another name it says how it came
    assert first["http"].get_header("Transfer-Encoding") is None
    assert first["http"].get_header("X-Archive-Orig-Transfer-Encoding") == "chunked"


def test_selection_and_bad_options(gz_archive, tmp_path, capsys):
    out = tmp_path / "x.warc.gz"
    assert cli(["export", "--db", gz_archive.path, "--format", "warc", "--portal", "nowhere", "-o", str(out)]) == 0
    assert [r["type"] for r in records(out)] == ["warcinfo"]
    assert cli(["export", "--db", gz_archive.path, "--format", "warc", "--years", "2023", "-o", str(out)]) == 0
    pages = {r["headers"]["WARC-Target-URI"] for r in records(out) if r["type"] == "response"}
    wanted = {r["url"] for r in rows(gz_archive.path, "SELECT url FROM reports WHERE report_year = 2023")}
    others = {r["url"] for r in rows(gz_archive.path, "SELECT url FROM reports WHERE report_year != 2023")}
    assert wanted and wanted <= pages and not others & pages
    job = rows(gz_archive.path, "SELECT job_id FROM crawls")[0]["job_id"]
    assert cli(["export", "--db", gz_archive.path, "--format", "warc", "--job", job, "-o", str(out)]) == 0
    capsys.readouterr()
    for args in (["--job", "no-such-job"], [], ["--no-gone"]):
        target = [] if args == [] else ["-o", str(out)]
        assert cli(["export", "--db", gz_archive.path, "--format", "warc", *args, *target]) == 2
        err = capsys.readouterr().err
        assert err.startswith("archive: ") and len(err.strip().splitlines()) == 1
    assert cli(["export", "--db", gz_archive.path, "--format", "jsonl", "--job", job]) == 2


# --- WACZ -----------------------------------------------------------------------------------------
def test_the_wacz_validates_and_lists_the_reports_as_pages(gz_archive, tmp_path):
    if tool("wacz") is None:
        pytest.skip("the wacz package (test extra) is not installed: wacz validate cannot run")
    out = tmp_path / "gz.wacz"
    assert cli(["export", "--db", gz_archive.path, "--format", "wacz", "-o", str(out)]) == 0
    checked = run(tool("wacz"), "validate", "-f", out)
    assert checked.returncode == 0 and "Validation succeeded" in checked.stdout, checked.stdout[-2000:]
    with zipfile.ZipFile(out) as z:
        assert z.getinfo("archive/data.warc.gz").compress_type == zipfile.ZIP_STORED
        package = json.loads(z.read("datapackage.json"))
        assert package["wacz_version"] == "1.1.1"
        for res in package["resources"]:
            assert res["hash"] == "sha256:" + sha(z.read(res["path"])) and res["bytes"] == len(z.read(res["path"]))
        pages = [json.loads(line) for line in z.read("pages/pages.jsonl").decode("utf-8").splitlines()]
        assert pages[0]["format"] == "json-pages-1.0"
        reports = {r["url"]: r["title"] for r in rows(gz_archive.path, "SELECT url, title FROM reports")}
        assert {p["url"] for p in pages[1:]} == set(reports) and all(p["title"] == reports[p["url"]] for p in pages[1:])
        warc = z.read("archive/data.warc.gz")
        lines = z.read("indexes/index.cdxj").decode("utf-8").splitlines()
        assert lines == sorted(lines)
        for line in lines:
            key, stamp, data = line.split(" ", 2)
            entry = json.loads(data)
            assert key == surt(entry["url"]) and len(stamp) == 14
            record = next(iter(ArchiveIterator(io.BytesIO(warc[int(entry["offset"]):int(entry["offset"]) +
                                                               int(entry["length"])]))))
            assert record.rec_headers.get_header("WARC-Target-URI") == entry["url"]
            assert record.rec_headers.get_header("WARC-Payload-Digest") == entry["digest"]


def test_surt_keys_are_the_ones_pywb_and_wacz_compute():
    reference = pytest.importorskip("surt", reason="the surt package comes with pywb (test extra)")
    for url in (GZ + "bm/2015n/content/post_5632871.html", "http://127.0.0.1:8080/a/index_2.html",
                "https://WWW.Example.gov.cn:8443/a/B.html?b=2&a=1#frag", "http://example.com",
                "https://www.gz.gov.cn/%E9%99%84%E4%BB%B6.pdf?x=%E4", "http://www2.example.com/p;jsessionid=A?s=1&q=1",
                "https://www.hengyang.gov.cn/xxgk/dataproxy.jsp?startrecord=1&endrecord=45&perpage=15",
                "http://user:pw@example.com:80/x?"):
        assert surt(url) == reference.surt(url), url


# --- pywb replays what the archive holds ------------------------------------------------------------
def test_pywb_replays_a_report_page_and_an_attachment_with_the_archives_bytes(gz_warc, gz_archive, tmp_path):
    if tool("wb-manager") is None or tool("wayback") is None:
        pytest.skip("pywb (test extra) is not installed: wb-manager/wayback missing; the replay check cannot run")
    page = rows(gz_archive.path, "SELECT v.raw_sha256, f.final_url, c.captured_at FROM reports r JOIN versions v ON "
                                 "v.id = r.current_version JOIN fetches f ON f.id = v.fetch_id JOIN captures c ON "
                                 "c.fetch_id = f.id AND c.url = f.final_url WHERE v.content_type LIKE 'text/html%' "
                                 "LIMIT 1")[0]
    attachment = rows(gz_archive.path, "SELECT a.sha256, f.final_url, c.captured_at FROM attachments a JOIN fetches f "
                                       "ON f.id = a.fetch_id JOIN captures c ON c.fetch_id = f.id LIMIT 1")[0]
    with Wayback(tmp_path, gz_warc) as pywb:
        for item, digest in ((page, page["raw_sha256"]), (attachment, attachment["sha256"])):
            stamp = "".join(ch for ch in item["captured_at"] if ch.isdigit())[:14]
            status, headers, body = pywb.get(stamp, item["final_url"])
            assert status == 200, (item, status)
            if headers.get("Content-Encoding") == "gzip":  # replayed as served: undo it as a browser would
                body = gzip.decompress(body)
            assert sha(body) == digest, item["final_url"]


# --- WARC in ------------------------------------------------------------------------------------
def test_round_trip_the_same_reports_versions_texts_tables_and_hashes(gz_warc, gz_archive, tmp_path):
    target = str(tmp_path / "empty.db")
    Archive(target).close()
    assert cli(["import-warc", "--db", target, str(gz_warc)]) == 0
    q = ("SELECT r.url, r.portal, r.section, r.title, r.agency, r.report_year, r.pub_date, r.list_title, r.list_date, "
         "r.found_on, r.version_count, v.text, v.text_simplified, v.tables, v.raw_sha256, v.clean_sha256, v.encoding, "
         "v.extractor FROM reports r JOIN versions v ON v.id = r.current_version ORDER BY r.url")
    assert rows(target, q) == rows(gz_archive.path, q)
    for q in ("SELECT sha256, size, kind, text, tables, pages FROM files ORDER BY sha256",
              "SELECT report_url, url, name, sha256 FROM attachments ORDER BY report_url, url",
              "SELECT report_url, table_name, row_key, column_key, value, raw FROM figures "
              "ORDER BY report_url, table_name, row_key, column_key",
              "SELECT sha256, size FROM payloads ORDER BY sha256"):
        assert rows(target, q) == rows(gz_archive.path, q), q
    imported = rows(target, "SELECT * FROM captures")
    assert {c["source"] for c in imported} == {"warc"} and all(c["warc_record_id"] for c in imported)
    assert {c["warc_file"] for c in imported} == {gz_warc.name} and all(c["cassette"] == 1 for c in imported)
    with open(gz_warc, "rb") as handle:  # each capture points at its record
        for c in imported[:5]:
            handle.seek(c["warc_offset"])
            record = next(iter(ArchiveIterator(handle)))
            assert record.rec_headers.get_header("WARC-Record-ID") == c["warc_record_id"]
    # a second import of the same file stores nothing twice
    assert cli(["import-warc", "--db", target, str(gz_warc)]) == 0
    assert rows(target, "SELECT count(*) AS n FROM captures")[0]["n"] == len(imported)


def _page(title: str, body: str) -> bytes:
    return (f"<html><head><meta charset='utf-8'><title>{title}</title></head><body><h1>{title}</h1>"
            f"<div id='zoomcon'>{body}</div></body></html>").encode("utf-8")


REPORT_BODY = "".join(f"<p>一、总体情况。本机关2023年主动公开政府信息{n}条，依申请公开办理{n}件，均按时答复。</p>"
                      for n in range(12))


def test_a_warc_of_another_site_is_imported_but_never_filed_under_a_portal(tmp_path, capsys):
    target = str(tmp_path / "a.db")
    Archive(target).close()
    warc = write_warc(tmp_path / "other.warc.gz", [
        ("https://www.example.org/xxgk/2024/report.html", _page("某县2023年政府信息公开工作年度报告", REPORT_BODY), "text/html"),
        ("https://www.example.org/news/1.html", _page("一则新闻", REPORT_BODY), "text/html; charset=utf-8"),
    ], metadata={  # a WARC that claims a registered portal is not believed off that portal's hosts
        "https://www.example.org/xxgk/2024/report.html": "outcome: report-new\r\nportal: guangzhou\r\nsection: bm\r\n"
                                                         "report-url: https://www.gz.gov.cn/fake.html\r\n"})
    assert cli(["import-warc", "--db", target, str(warc)]) == 0
    reports = rows(target, "SELECT url, portal, section, column FROM reports")
    assert reports == [{"url": "https://www.example.org/xxgk/2024/report.html", "portal": "warc:www.example.org",
                        "section": None, "column": None}]
    outcomes = {r["url"]: r["outcome"] for r in rows(target, "SELECT url, outcome FROM fetches")}
    assert outcomes["https://www.example.org/news/1.html"] == "page-not-a-report"  # kept, with its bytes, not a report
    assert "warc:www.example.org 1" in capsys.readouterr().out


def test_a_page_under_a_registered_column_joins_its_portal(tmp_path):
    target = str(tmp_path / "a.db")
    Archive(target).close()
    url = GZ + "bm/2024n/content/post_1.html"
    warc = write_warc(tmp_path / "gz.warc", [(url, _page("广州市某局2023年政府信息公开工作年度报告", REPORT_BODY), "text/html")],
                      gzip=False)
    assert cli(["import-warc", "--db", target, str(warc)]) == 0
    assert rows(target, "SELECT portal, section, column FROM reports") == [
        {"portal": "guangzhou", "section": "bm", "column": GZ}]
    assert cli(["import-warc", "--db", target, "--portals", "none", str(warc)]) == 0  # already imported: skipped


def test_a_record_with_a_wrong_digest_is_refused_counted_and_reported(tmp_path, capsys):
    target = str(tmp_path / "a.db")
    Archive(target).close()
    good, bad = "https://www.example.org/a.html", "https://www.example.org/b.html"
    warc = write_warc(tmp_path / "d.warc", [
        (bad, _page("甲县2023年政府信息公开工作年度报告", REPORT_BODY + "<p>篡改标记</p>"), "text/html"),
        (good, _page("乙县2023年政府信息公开工作年度报告", REPORT_BODY), "text/html")], gzip=False)
    corrupt_first_body(warc, "篡改标记".encode("utf-8"))
    assert cli(["import-warc", "--db", target, "--json", str(warc)]) == 1
    summary = json.loads(capsys.readouterr().out)
    assert summary["refused_digest"] == 1 and summary["reports_new"] == 1
    assert [r["url"] for r in rows(target, "SELECT url FROM reports")] == [good]
    refused = rows(target, "SELECT url, outcome, reason FROM fetches WHERE outcome = 'import-refused'")
    assert [r["url"] for r in refused] == [bad] and "digest" in refused[0]["reason"]


def test_a_truncated_warc_keeps_what_came_before_and_says_where_it_ends(gz_warc, gz_archive, tmp_path, capsys):
    target = str(tmp_path / "a.db")
    Archive(target).close()
    data = gz_warc.read_bytes()
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(data[: int(len(data) * 0.6)])
    assert cli(["import-warc", "--db", target, str(cut)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert any("ends or breaks in the record at byte" in line for line in err)
    kept = rows(target, "SELECT count(*) AS n FROM captures")[0]["n"]
    assert 0 < kept < rows(gz_archive.path, "SELECT count(*) AS n FROM captures")[0]["n"]
    assert sqlite3.connect(target).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # what was stored is whole: every kept body reads back with its hash
    archive = Archive(target)
    for c in rows(target, "SELECT payload_sha256 FROM captures"):
        archive.payload(c["payload_sha256"])


def test_a_record_far_over_the_cap_is_streamed_past_never_held(tmp_path, capsys):
    import tracemalloc

    from archive.warc.ingest import import_warc

    target = str(tmp_path / "a.db")
    archive = Archive(target)
    size = 256 * 1024 * 1024  # a sparse file: no disk spent; the reader still has to get past it
    warc = huge_record_warc(tmp_path / "big.warc", "https://www.example.org/big.pdf", size)
    tracemalloc.start()
    done = import_warc(archive, warc, max_bytes=4 * 1024 * 1024)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert done.refused_too_large == 1 and done.truncated is None
    assert peak < 32 * 1024 * 1024, f"{peak} bytes held while importing a {size}-byte record"
    refused = rows(target, "SELECT reason FROM fetches WHERE outcome = 'import-refused'")
    assert len(refused) == 1 and "over the 4194304-byte cap" in refused[0]["reason"]
    assert rows(target, "SELECT count(*) AS n FROM payloads")[0]["n"] == 0


def test_not_a_warc_is_one_line_and_exit_2(tmp_path, capsys):
    target = tmp_path / "a.db"
    page = tmp_path / "page.html"
    page.write_bytes(b"<html>not a warc</html>")
    for path in (page, tmp_path, tmp_path / "missing.warc.gz"):
        assert cli(["import-warc", "--db", str(target), str(path)]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("archive: ")
    assert not target.exists()  # nothing was made for a file that is not a WARC
    warc = write_warc(tmp_path / "ok.warc.gz", [("https://www.example.org/", _page("首页", "<p>欢迎</p>"), "text/html")])
    assert cli(["import-warc", "--db", str(target), str(warc)]) == 0 and target.exists()  # a new archive is made


# --- archive stats -----------------------------------------------------------------------------------
def test_stats_rows_bytes_per_table_bytes_per_report_and_compression(gz_archive, capsys):
    assert cli(["stats", "--db", gz_archive.path, "--json"]) == 0
    s = json.loads(capsys.readouterr().out)
    assert s["file"]["measured_with"] == "dbstat"
    assert s["reports"] == 9 and s["bytes_per_report"] == round(s["file"]["used_bytes"] / 9)
    assert s["tables"]["payloads"]["rows"] == s["payloads"]["distinct"] and s["tables"]["captures"]["rows"] == s["captures"]
    assert sum(t["total_bytes"] for t in s["tables"].values()) == s["file"]["used_bytes"]
    assert 0 < s["payloads"]["compression_ratio"] < 1 and s["payloads"]["derived"] >= 1
    assert cli(["stats", "--db", gz_archive.path]) == 0
    text = capsys.readouterr().out
    assert "bytes per report" in text and "payloads" in text and "versions_fts" in text


def test_an_unreadable_file_a_list_entry_points_at_is_kept_as_a_file_as_a_crawl_keeps_it(tmp_path):
    """A report that is a file without text (a damaged PDF) is no report version: the import does
    what the crawl's pipeline does (``archive.ingest.unreadable``) — a ``file-unreadable`` fetch and
    the file kept with its error."""
    from archive.warc.ingest import import_warc

    url = "https://www.example.org/nb/2023.pdf"
    warc = write_warc(tmp_path / "f.warc.gz", [(url, b"%PDF-1.4\n% damaged, nothing after this\n", "application/pdf")],
                      metadata={url: "outcome: report-new\nreport-title: 示例市2023年政府信息公开工作年度报告\n"})
    target = str(tmp_path / "a.db")
    import_warc(Archive(target), warc)
    assert rows(target, "SELECT count(*) AS n FROM reports")[0]["n"] == 0
    fetched = rows(target, "SELECT outcome, reason FROM fetches WHERE url = ?", url)
    assert [f["outcome"] for f in fetched] == ["file-unreadable"] and fetched[0]["reason"]
    assert rows(target, "SELECT error_kind FROM files")[0]["error_kind"]
