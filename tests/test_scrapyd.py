"""The project on Scrapyd: ``scrapy deploy`` builds the egg (registry and templates inside) and adds it
through ``addversion.json`` to a Scrapyd started here (its own config in a temporary folder, on
127.0.0.1, a free port); a replay crawl scheduled through ``schedule.json`` runs from the egg, and
its reports are in the archive."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import zipfile

import pytest

from tests.paths import CASSETTES, DATA, ROOT
from tests.test_registry import row, write_registry

pytest.importorskip("scrapyd", reason="scrapyd is a test dependency (pip install -e '.[test]')")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read().decode("utf-8"))


def _post(url: str, fields: list[tuple[str, str]]) -> dict:
    data = urllib.parse.urlencode(fields).encode()
    with urllib.request.urlopen(urllib.request.Request(url, data=data, method="POST"), timeout=30) as response:
        return json.loads(response.read().decode("utf-8"))


@pytest.fixture
def scrapyd(tmp_path):
    """A Scrapyd of its own: config, eggs, logs and its queue in a temporary folder."""
    home = tmp_path / "scrapyd"
    home.mkdir()
    port = _free_port()
    (home / "scrapyd.conf").write_text(
        "[scrapyd]\nbind_address = 127.0.0.1\n"
        f"http_port = {port}\neggs_dir = {home / 'eggs'}\nlogs_dir = {home / 'logs'}\ndbs_dir = {home / 'dbs'}\n"
        "items_dir =\njobs_dir =\npoll_interval = 0.2\nmax_proc = 2\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SCRAPY_", "ARCHIVE_"))}
    log = open(home / "scrapyd.out", "wb")
    process = subprocess.Popen([sys.executable, "-m", "scrapyd", "--pidfile="], cwd=home, env=env, stdout=log,
                               stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 60
    while True:
        try:
            if _get(url + "daemonstatus.json")["status"] == "ok":
                break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"Scrapyd did not start: {(home / 'scrapyd.out').read_bytes()[-2000:]!r}")
        time.sleep(0.2)
    try:
        yield url, home
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def test_the_egg_carries_the_registry_and_templates(tmp_path):
    done = subprocess.run([sys.executable, "-m", "scrapy.cmdline", "deploy", "--build-egg", str(tmp_path / "p.egg")],
                          cwd=ROOT, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode()
    names = zipfile.ZipFile(tmp_path / "p.egg").namelist()
    assert "crawler/registry.csv" in names and "archive/web/templates/archive_report.html" in names
    assert "EGG-INFO/entry_points.txt" in names and "crawler/spiders/discover.py" in names
    entry = zipfile.ZipFile(tmp_path / "p.egg").read("EGG-INFO/entry_points.txt").decode()
    assert entry == "[scrapy]\nsettings = crawler.settings\n"
    assert not [n for n in names if "__pycache__" in n or n.startswith("tests/")]


def test_a_replay_crawl_scheduled_on_scrapyd_stores_its_reports(scrapyd, tmp_path):
    url, home = scrapyd
    # the egg gets a registry of its own, one row the shipped one lacks: the spider Scrapyd lists and
    # runs can only come from the registry inside the egg
    registry = write_registry(tmp_path / "egg-registry.csv", [row(
        id="tongxin-on-scrapyd", agency="同心县人民政府", region_code="640324", level="county",
        column="https://www.tongxin.gov.cn/zwgk/zfxxgknb/", platform="trs", hosts="www.tongxin.gov.cn tongxin.gov.cn",
        sections="2021_72801=2023年度（部门直属机构）")])
    config = tmp_path / "config"
    config.mkdir()
    (config / "scrapy.cfg").write_text(f"[deploy:test]\nurl = {url}\nproject = reports\n", encoding="utf-8")
    env = {**os.environ, "XDG_CONFIG_HOME": str(config)}
    deployed = subprocess.run([sys.executable, "-m", "scrapy.cmdline", "deploy", "test", "-v", "r1",
                               "--registry", registry], cwd=ROOT, env=env, capture_output=True, timeout=180)
    assert deployed.returncode == 0, deployed.stderr.decode()
    assert "added reports version r1" in deployed.stdout.decode()
    spiders = _get(url + "listspiders.json?project=reports")
    assert spiders["status"] == "ok" and set(spiders["spiders"]) == {"column", "discover", "portals", "tongxin-on-scrapyd"}

    db = tmp_path / "archive.db"
    scheduled = _post(url + "schedule.json", [
        ("project", "reports"), ("spider", "tongxin-on-scrapyd"),
        ("setting", f"CASSETTE={CASSETTES / 'tongxin.yaml'}"), ("setting", "CASSETTE_RECORD_MODE=none"),
        ("setting", f"ARCHIVE_DB={db}")])
    assert scheduled["status"] == "ok", scheduled
    job = scheduled["jobid"]
    deadline = time.monotonic() + 240
    while True:
        jobs = _get(url + "listjobs.json?project=reports")
        finished = [j for j in jobs["finished"] if j["id"] == job]
        if finished:
            break
        assert time.monotonic() < deadline, jobs
        time.sleep(0.5)
    log = next((home / "logs").rglob(f"{job}.log")).read_bytes().decode("utf-8", "replace")
    assert "Traceback" not in log, log[-3000:]
    manifest = json.loads((DATA / "tongxin_manifest.json").read_bytes().decode("utf-8"))
    stored = sqlite3.connect(db).execute("select url, portal from reports").fetchall()
    assert {u for u, _ in stored} == {r["url"] for r in manifest["reports"]}
    assert {p for _, p in stored} == {"tongxin-on-scrapyd"}
    crawl = sqlite3.connect(db).execute("select spider, finish_reason from crawls").fetchall()
    assert crawl == [("tongxin-on-scrapyd", "finished")]


def test_deploy_errors_are_one_line(tmp_path):
    config = tmp_path / "config"
    config.mkdir()
    (config / "scrapy.cfg").write_text(f"[deploy:nowhere]\nurl = http://127.0.0.1:{_free_port()}/\nproject = x\n",
                                       encoding="utf-8")
    bad_registry = write_registry(tmp_path / "bad.csv", [row(platform="dedecms")])
    env = {**os.environ, "XDG_CONFIG_HOME": str(config)}
    for args, message in ((["nowhere"], "cannot reach Scrapyd"), (["elsewhere"], "no [deploy:elsewhere] section"),
                          (["nowhere", "--registry", bad_registry], "unknown platform 'dedecms'")):
        done = subprocess.run([sys.executable, "-m", "scrapy.cmdline", "deploy", *args], cwd=ROOT, env=env,
                              capture_output=True, timeout=120)
        err = done.stderr.decode()
        assert done.returncode == 2 and message in err and "Traceback" not in err, (args, err)
