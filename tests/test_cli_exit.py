"""What a user sees from the commands: exit statuses and one clear message, no tracebacks."""

import subprocess
import sys

from crawler.summary import crawl_failure
from crawler.run import run_crawl
from tests import cassette_kit as kit
from tests.paths import ROOT
from tests.crawl_kit import FAST, spider_for

SCRAPY = [sys.executable, "-m", "scrapy"]


def scrapy(*args, env_db):
    return subprocess.run([*SCRAPY, *args, "-s", f"ARCHIVE_DB={env_db}"], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def test_unreachable_host_is_one_clear_failure(db_path, caplog):
    stats = run_crawl(spider_for("http://127.0.0.1:9/zfxxgknb/"), {**FAST, "ARCHIVE_DB": db_path})
    assert stats["finish_reason"] == "host_unreachable"
    assert crawl_failure(stats) == "host unreachable"
    messages = [r.getMessage() for r in caplog.records if r.levelname == "ERROR" and "unreachable" in r.getMessage()]
    assert len(messages) == 1 and "CASSETTE_RECORD_MODE=none" in messages[0]
    assert not any(r.exc_info for r in caplog.records)


def test_replay_exits_zero_and_cassette_miss_exits_one(tmp_path):
    ok = scrapy("crawl", "guangzhou", "-s", "CASSETTE=cassettes/guangzhou.yaml", env_db=tmp_path / "a.db")
    assert ok.returncode == 0, ok.stderr[-3000:]
    missing = kit.write(tmp_path / "short.yaml", {"https://www.gz.gov.cn/robots.txt": kit.ROBOTS_OK})
    bad = scrapy("crawl", "guangzhou", "-s", f"CASSETTE={missing}", env_db=tmp_path / "b.db")
    assert bad.returncode == 1
    assert "Cassette miss: GET https://www.gz.gov.cn/zfjgzy/gzsrmzfbgt/zfxxgknb/" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_missing_cassette_file_and_bad_arguments(tmp_path):
    nofile = scrapy("crawl", "guangzhou", "-s", "CASSETTE=cassettes/nope.yaml", env_db=tmp_path / "c.db")
    assert nofile.returncode == 2 and "cassette not found: cassettes/nope.yaml" in nofile.stderr
    assert "Traceback" not in nofile.stderr
    badarg = scrapy("crawl", "guangzhou", "-a", "sections=zz", env_db=tmp_path / "d.db")
    assert badarg.returncode == 2 and "unknown section(s) zz" in badarg.stderr


def test_archive_clean_cli(tmp_path):
    r = subprocess.run([sys.executable, "-m", "archive.cli", "clean", str(tmp_path / "none.html")],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "no such file" in r.stderr
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    r = subprocess.run([sys.executable, "-m", "archive.cli", "clean", str(empty)], capture_output=True, text=True)
    assert r.returncode == 1 and "empty" in r.stderr and "Traceback" not in r.stderr


def test_archive_clean_bad_pages(tmp_path):
    from tests.paths import corpus_file
    from tests.cassette_kit import TS_BODY

    cases = {
        "binary.html": bytes(range(256)) * 8,
        "list.html": corpus_file("pingtan-list/index.html"),
        "challenge.html": TS_BODY,
        "notfound.html": b"<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1></body></html>",
    }
    for name, body in cases.items():
        path = tmp_path / name
        path.write_bytes(body)
        r = subprocess.run([sys.executable, "-m", "archive.cli", "clean", str(path)], capture_output=True, text=True)
        assert r.returncode == 1, (name, r.stdout[:200], r.stderr)
        assert r.stdout == "" and "Traceback" not in r.stderr and name in r.stderr


def test_archive_clean_json(tmp_path):
    import json

    from tests.paths import corpus_file

    path = tmp_path / "gz.html"
    path.write_bytes(corpus_file("mhxqwer-jchgz.gov.cn/index.html"))
    r = subprocess.run([sys.executable, "-m", "archive.cli", "clean", str(path), "--json",
                        "--url", "https://www.gz.gov.cn/ysgz/xwdt/ysdt/content/post_9360641.html"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["container"] == "#zoomcon" and out["encoding"] == "utf-8"
    assert out["metadata"]["pub_date"] == "2023-12-05" and out["metadata"]["source"] == "广州日报"
    assert any("info_xgfj" in x["reason"] for x in out["removed"])
    assert "扫一扫" not in out["text"] and out["text"].startswith("“制造美丽”推动“美丽制造”转型升级")
