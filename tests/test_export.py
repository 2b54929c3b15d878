"""Exports and search over a replayed crawl (the guangzhou cassette: pages, a PDF-only report,
attachments, a traditional-character page)."""

from __future__ import annotations

import csv
import hashlib
import json
import sqlite3

import pytest

from archive.cli import main as cli
from archive.store import Archive
from archive.tables import unpack_tables


@pytest.fixture(scope="module")
def db_path(gz_archive):
    assert gz_archive.stats["finish_reason"] == "finished"
    return gz_archive.path


def stored(db_path) -> dict:
    db = sqlite3.connect(db_path)
    db.row_factory = sqlite3.Row
    return {r["url"]: dict(r) for r in db.execute(
        "select r.url, r.title, r.report_year, v.id as vid, v.text, v.tables, v.raw_sha256, f.status, f.fetched_at "
        "from reports r join versions v on v.id = r.current_version join fetches f on f.id = v.fetch_id")}


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_jsonl_holds_every_report_with_its_text_tables_and_provenance(db_path, tmp_path, capsys):
    out = tmp_path / "all.jsonl"
    assert cli(["export", "--db", db_path, "-o", str(out)]) == 0
    records = [json.loads(line) for line in out.read_bytes().decode("utf-8").splitlines()]
    want = stored(db_path)
    assert {r["url"] for r in records} == set(want) and len(records) == 9
    archive = Archive(db_path)
    for r in records:
        w = want[r["url"]]
        assert r["text"] == w["text"] and r["title"] == w["title"]
        assert r["tables"] == [t["grid"] for t in unpack_tables(json.loads(w["tables"]))]  # stored: each cell once
        prov = r["provenance"]
        assert prov["fetch"]["status"] == w["status"] and prov["fetch"]["fetched_at"] == w["fetched_at"]
        assert prov["raw_sha256"] == w["raw_sha256"] == sha(archive.raw_bytes(prov["version_id"]))
        assert prov["software"] and prov["extractor"]
    # a report whose page says only 详见附件: its text is in the attachment, exported with it
    by_url = {r["url"]: r for r in records}
    only_attachment = by_url["https://www.gz.gov.cn/zfjgzy/gzsrmzfbgt/zfxxgknb/bm/2024n/content/post_10096358.html"]
    assert only_attachment["text"] == "详见附件。"
    [attachment] = only_attachment["attachments"]
    assert attachment["kind"] == "pdf" and "政府信息公开" in attachment["text"] and attachment["text_chars"] > 1000


def test_csv_for_spreadsheets_with_filters(db_path, tmp_path):
    out = tmp_path / "r.csv"
    assert cli(["export", "--db", db_path, "--format", "csv", "--years", "2013-2015", "-o", str(out)]) == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a BOM: spreadsheet programs then read UTF-8
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert sorted(int(r["report_year"]) for r in rows) == [2013, 2015]
    assert all(r["raw_sha256"] and r["http_status"] == "200" and r["encoding"] for r in rows)
    assert cli(["export", "--db", db_path, "--format", "csv", "--portal", "nowhere", "-o", str(out)]) == 0
    assert len(out.read_bytes().decode("utf-8-sig").splitlines()) == 1  # the header only


def test_dir_keeps_raw_bytes_tables_and_attachment_files(db_path, tmp_path):
    root = tmp_path / "out"
    assert cli(["export", "--db", db_path, "--format", "dir", "-o", str(root)]) == 0
    reports = sorted(root.glob("*/*/*/report.json"))
    assert len(reports) == 9
    archive = Archive(db_path)
    seen_attachments = 0
    for path in reports:
        record = json.loads(path.read_bytes().decode("utf-8"))
        folder = path.parent
        assert "text" not in record
        raw = (folder / record["provenance"]["raw_file"]).read_bytes()
        assert sha(raw) == record["provenance"]["raw_sha256"]
        assert (folder / "text.txt").read_bytes().decode("utf-8") == archive.version_text(record["provenance"]["version_id"]) + "\n"
        for i, grid in enumerate(record["tables"], start=1):
            with open(folder / "tables" / f"{i:02d}.csv", encoding="utf-8-sig", newline="") as f:
                assert list(csv.reader(f)) == grid
        for a in record["attachments"]:
            if "file" in a:
                seen_attachments += 1
                assert sha((folder / a["file"]).read_bytes()) == a["sha256"]
                assert (folder / a["text_file"]).is_file()
    assert seen_attachments == 3  # two 相关附件 PDFs, and the PDF that is a report by itself
    assert any(p.name == "raw.pdf" for p in root.glob("*/*/*/raw.*"))  # the PDF-only report


def test_export_refuses_to_overwrite_and_reports_bad_arguments(db_path, tmp_path, capsys):
    root = tmp_path / "busy"
    root.mkdir()
    (root / "notes.txt").write_bytes(b"mine")
    assert cli(["export", "--db", db_path, "--format", "dir", "-o", str(root)]) == 2
    assert "not an empty directory" in capsys.readouterr().err
    assert [p.name for p in root.iterdir()] == ["notes.txt"] and (root / "notes.txt").read_bytes() == b"mine"
    assert not list(tmp_path.glob(".busy.*"))  # no half-written export left beside it
    assert cli(["export", "--db", db_path, "--years", "last year"]) == 2
    assert "years must look like" in capsys.readouterr().err
    assert cli(["export", "--db", str(tmp_path / "none.db")]) == 2
    assert "no archive database" in capsys.readouterr().err
    assert not (tmp_path / "none.db").exists()


def test_search_uses_the_index_short_terms_and_simplified_forms(db_path, capsys):
    assert cli(["search", "--db", db_path, "依申请公开"]) == 0
    first = capsys.readouterr().out
    assert first.count("https://") >= 3 and "依申请公开" in first
    # 同心縣's page is published in traditional characters; a simplified query finds it
    assert cli(["search", "--db", db_path, "同心县人力资源"]) == 0
    out = capsys.readouterr().out
    assert "post_9441205" in out and "同心縣" in out  # the snippet shows the text as published
    # a two-character term goes through LIKE (the trigram index needs three)
    assert cli(["search", "--db", db_path, "申请", "衡阳"]) == 0
    assert "衡阳市劳动和社会保障局2008年" in capsys.readouterr().out
    # FTS5 operators in a term are text, not syntax
    assert cli(["search", "--db", db_path, '"AND 依申请公开 -NEAR(']) == 1
    assert "nothing found" in capsys.readouterr().err
