"""The cassette middleware (crawler/cassette.py): its index answers every request as vcrpy's own
``Cassette`` does (method, URI, body — POSTs to one URI told apart by their forms), repeated and
in-order playback, misses, recording in each record mode into files vcrpy reads back, and what an
interrupted recording leaves. Cassettes here are written in the documented format by the tests;
none is a recording of a live site."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
import yaml
from scrapy import FormRequest, Request
from scrapy.http import HtmlResponse, Response
from vcr.request import Request as VcrRequest

from crawler.cassette import (
    DUMP_OPTIONS,
    Cassette,
    CassetteError,
    CassetteMiss,
    CassetteReader,
    _Dumper,
    check_cassette,
)
from tests import cassette_kit as kit
from tests.paths import CASSETTES, ROOT


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    """150 random interactions (duplicates included) and 600 random requests to ask for."""
    rng = random.Random(12)
    stored = [kit.random_request(rng) for _ in range(150)]
    path = kit.write_exchanges(tmp_path_factory.mktemp("mixed") / "mixed.yaml",
                               [(r, kit.marked(i)) for i, r in enumerate(stored)])
    asked = [kit.random_request(rng) for _ in range(600)] + stored
    rng.shuffle(asked)
    return path, stored, asked


def test_every_request_gets_the_interaction_vcrpy_gives(mixed):
    path, stored, asked = mixed
    ours, theirs = kit.both_load(path, repeats=True)
    assert len(ours) == len(theirs.data) == len(stored)
    answers = [(kit.number_of(kit.our_play(ours, r)), kit.number_of(kit.vcrpy_play(theirs, r))) for r in asked]
    assert [a for a, _ in answers] == [b for _, b in answers]
    hits = [a for a, _ in answers if a is not None]
    # the comparison is not vacuous: most requests are answered, some are not, and some are answered
    # by an interaction whose bytes differ (a form or JSON body matched by its content)
    assert len(hits) > 400 and len(answers) - len(hits) > 30
    by_content = [a for (a, _), r in zip(answers, asked) if a is not None and stored[a].body != r.body]
    assert len(by_content) > 10


def test_playback_in_order_without_repeats(mixed):
    path, _, asked = mixed
    ours, theirs = kit.both_load(path, repeats=False)
    sequence = [(kit.number_of(kit.our_play(ours, r)), kit.number_of(kit.vcrpy_play(theirs, r))) for r in asked]
    assert [a for a, _ in sequence] == [b for _, b in sequence]
    assert sequence.count((None, None)) > len(sequence) // 4  # played out: repeats off matters here


def test_duplicates_first_wins_and_in_order_when_repeats_are_off(tmp_path):
    url = "https://www.gz.gov.cn/zfxxgknb/bm/index.html"
    path = kit.write_exchanges(tmp_path / "dup.yaml", [(VcrRequest("GET", url, None, {}), kit.marked(i)) for i in range(3)])
    repeating = Cassette.load(path)
    assert [kit.number_of(repeating.play("GET", url, None)) for _ in range(4)] == [0, 0, 0, 0]
    once_each = Cassette.load(path, allow_playback_repeats=False)
    assert [kit.number_of(once_each.play("GET", url, None)) for _ in range(4)] == [0, 1, 2, None]
    assert "all 3 of its recorded responses" in once_each.miss_reason("GET", url, None)


def test_many_posts_to_one_uri_each_get_their_own(tmp_path):
    """Hanweb's dataproxy.jsp: 300 POSTs to one URI whose forms differ; each asked for in another
    parameter order (the form's Content-Type makes vcrpy compare them parsed)."""
    forms = [{"startrecord": str(1 + 45 * i), "endrecord": str(45 * (i + 1)), "col": "1", "webid": "3"} for i in range(300)]
    exchanges = [(VcrRequest("POST", kit.PROXY, urlencode(f).encode(), kit.FORM), kit.marked(i)) for i, f in enumerate(forms)]
    exchanges.insert(0, (VcrRequest("GET", kit.PROXY, None, {}), kit.response(200, "#999")))
    path = kit.write_exchanges(tmp_path / "proxy.yaml", exchanges)
    cassette = Cassette.load(path)
    rng = random.Random(3)
    for i in rng.sample(range(300), 300):
        items = list(forms[i].items())
        rng.shuffle(items)
        assert kit.number_of(cassette.play("POST", kit.PROXY, urlencode(items).encode(), kit.FORM)) == i
    assert kit.number_of(cassette.play("GET", kit.PROXY, None)) == 999
    assert cassette.play("POST", kit.PROXY, urlencode({"startrecord": "2"}).encode(), kit.FORM) is None
    assert cassette.play("PUT", kit.PROXY, urlencode(forms[0]).encode(), kit.FORM) is None


def test_a_post_recorded_without_its_content_type_matches_its_bytes_only(tmp_path):
    form = urlencode({"appid": "1", "webid": "3"}).encode()
    path = kit.write_exchanges(tmp_path / "bare.yaml", [(VcrRequest("POST", kit.PROXY, form, {}), kit.marked(0))])
    cassette = Cassette.load(path)
    assert kit.number_of(cassette.play("POST", kit.PROXY, form, kit.FORM)) == 0
    assert cassette.play("POST", kit.PROXY, urlencode({"webid": "3", "appid": "1"}).encode(), kit.FORM) is None


# --- through Scrapy --------------------------------------------------------------------------

def test_form_requests_to_one_uri_replay_through_the_middleware(tmp_path):
    forms = [{"startrecord": "1", "endrecord": "45"}, {"startrecord": "46", "endrecord": "90"}]
    path = kit.write_exchanges(tmp_path / "forms.yaml",
                               [(VcrRequest("POST", kit.PROXY, urlencode(f).encode(), kit.FORM), kit.marked(i)) for i, f in enumerate(forms)])
    mw = kit.middleware(path)
    for i in (1, 0, 1):
        response = mw.process_request(FormRequest(kit.PROXY, formdata=forms[i]))
        assert kit.number_of(response) == i and "cassette" in response.flags
    assert mw.stats.get_value("cassette/played") == 3


def test_a_miss_in_none_mode_is_a_clear_error(tmp_path, caplog):
    path = kit.write(tmp_path / "one.yaml", {"https://www.gz.gov.cn/robots.txt": kit.ROBOTS_OK})
    mw = kit.middleware(path)
    with pytest.raises(CassetteMiss, match="not in cassette: GET https://www.gz.gov.cn/other.html"):
        mw.process_request(Request("https://www.gz.gov.cn/other.html"))
    assert mw.stats.get_value("cassette/miss") == 1 and mw.stats.get_value("archive/failed") == "cassette miss"
    assert f"Cassette miss: GET https://www.gz.gov.cn/other.html is not in {path} (record mode none)" in caplog.text
    assert mw.process_request(Request("https://www.gz.gov.cn/robots.txt")).status == 200


def test_replayed_headers_are_the_bytes_recorded(tmp_path):
    """Recorded header values are Latin-1 text (one character per byte): they go back byte for
    byte, a UTF-8 file name included; text beyond Latin-1 in a constructed cassette goes as UTF-8."""
    raw_name = 'attachment; filename="2023年报.pdf"'.encode("utf-8")
    url = "https://www.gz.gov.cn/attachment/0/1.pdf"
    mw = kit.middleware(tmp_path / "h.yaml", "new_episodes")
    request = Request(url)
    assert mw.process_request(request) is None
    mw.process_response(request, Response(url, body=b"%PDF-1.4", headers={"Content-Disposition": raw_name,
                                                                            "Content-Type": "application/pdf"}))
    mw.spider_closed(None, "finished")
    played = kit.middleware(tmp_path / "h.yaml").process_request(Request(url))
    assert played.headers.getlist("Content-Disposition") == [raw_name] and played.body == b"%PDF-1.4"
    built = kit.write(tmp_path / "b.yaml", {url: kit.response(200, b"x", {"Content-Disposition": 'attachment; filename="年报.pdf"'})})
    assert kit.middleware(built).process_request(Request(url)).headers["Content-Disposition"] == \
        'attachment; filename="年报.pdf"'.encode("utf-8")


# --- recording ---------------------------------------------------------------------------------

def test_recording_a_new_cassette_once(tmp_path):
    pairs = kit.exchanges_to_record("https://www.gz.gov.cn/x/")
    path = tmp_path / "sub" / "new.yaml"
    mw = kit.record(path, "once", pairs)
    assert mw.stats.get_value("cassette/recorded") == len(pairs)
    assert kit.vcrpy_reads(path) == kit.expected(pairs)
    # the file is the one document a whole-cassette dump would be
    data = yaml.load(path.read_bytes(), Loader=yaml.SafeLoader)
    assert path.read_bytes() == yaml.dump(data, Dumper=_Dumper, **DUMP_OPTIONS).encode("utf-8")
    assert oct(path.stat().st_mode & 0o777) == oct(0o666 & ~kit.umask())
    assert not list(path.parent.glob("*.recording")) and not list(path.parent.glob("*.tmp"))
    # once more: the file exists, so 'once' only replays; nothing is written
    before = path.read_bytes()
    again = kit.record(path, "once", pairs)
    assert again.stats.get_value("cassette/played") == len(pairs) and path.read_bytes() == before


def test_new_episodes_keeps_the_old_and_adds_the_new(tmp_path):
    pairs = kit.exchanges_to_record("https://www.gz.gov.cn/x/")
    path = tmp_path / "c.yaml"
    kit.record(path, "new_episodes", pairs[:4])
    mw = kit.record(path, "new_episodes", pairs)  # the first four are played, the rest recorded
    assert mw.stats.get_value("cassette/played") == 4 and mw.stats.get_value("cassette/recorded") == 3
    assert kit.vcrpy_reads(path) == kit.expected(pairs)


def test_all_rerecords_and_keeps_what_was_not_asked_again(tmp_path):
    base = "https://www.gz.gov.cn/x/"
    pairs = kit.exchanges_to_record(base)
    path = tmp_path / "c.yaml"
    kit.record(path, "new_episodes", pairs)
    fresh = [(Request(base + "gbk.html"), HtmlResponse(base + "gbk.html", body=b"<p>v2</p>")),
             (Request(base + "gbk.html"), HtmlResponse(base + "gbk.html", body=b"<p>v3</p>")),  # newest wins
             (Request(base + "added.html"), HtmlResponse(base + "added.html", body=b"<p>added</p>"))]
    mw = kit.record(path, "all", fresh)
    assert mw.stats.get_value("cassette/recorded") == 3 and not mw.stats.get_value("cassette/played")
    assert kit.vcrpy_reads(path) == kit.expected(pairs[1:] + fresh[1:])


def test_all_without_repeats_keeps_each_recording_in_order(tmp_path):
    url = "https://www.gz.gov.cn/x/list.html"
    path = tmp_path / "c.yaml"
    pairs = [(Request(url, dont_filter=True), HtmlResponse(url, body=f"#{i}".encode())) for i in range(3)]
    kit.record(path, "all", pairs, CASSETTE_ALLOW_PLAYBACK_REPEATS=False)
    assert [b for *_, b in kit.vcrpy_reads(path)] == [b"#0", b"#1", b"#2"]
    mw = kit.middleware(path, CASSETTE_ALLOW_PLAYBACK_REPEATS=False)
    assert [kit.number_of(mw.process_request(Request(url))) for _ in range(3)] == [0, 1, 2]


def test_none_and_once_never_write(tmp_path):
    path = kit.write(tmp_path / "c.yaml", {"https://www.gz.gov.cn/robots.txt": kit.ROBOTS_OK})
    before = Path(path).read_bytes()
    for mode in ("none", "once"):
        mw = kit.middleware(path, mode)
        assert mw.cassette.write_protected
        mw.process_response(Request("https://www.gz.gov.cn/a"), HtmlResponse("https://www.gz.gov.cn/a", body=b"x"))
        mw.spider_closed(None, "finished")
        assert Path(path).read_bytes() == before


def test_recording_streams_to_disk(tmp_path):
    """What is recorded is in the recording file at once, not held: the file grows by each
    interaction, the memory kept is a small part of what was recorded (the index of its requests);
    a repeated request is answered from the file."""
    import tracemalloc

    url = "https://www.gz.gov.cn/x/"
    cassette = Cassette.load(tmp_path / "s.yaml", "new_episodes")
    body = "政府信息公开年度报告".encode("gbk") * 2000  # 40 KB, !!binary in the file
    sizes = []
    tracemalloc.start()
    try:
        for i in range(200):
            cassette.record({"method": "GET", "uri": f"{url}{i}.html", "body": None, "headers": {}},
                            {"status": {"code": 200, "message": "OK"}, "headers": {}, "body": {"string": body + b"%d" % i}})
            sizes.append(cassette.recording_path.stat().st_size)
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert all(b - a > len(body) for a, b in zip(sizes, sizes[1:]))
    assert held < 200 * len(body) / 50, held  # under 2 % of the bodies recorded
    assert cassette.play("GET", f"{url}7.html", None).body == body + b"7"
    assert cassette.close() and not cassette.recording_path.exists()
    assert [i["request"]["uri"] for i in CassetteReader(tmp_path / "s.yaml")] == [f"{url}{i}.html" for i in range(200)]


# --- interrupted recordings ----------------------------------------------------------------------

def test_a_recording_that_dies_leaves_the_cassette_as_it_was(tmp_path):
    base = "https://www.gz.gov.cn/x/"
    path = tmp_path / "c.yaml"
    kit.record(path, "new_episodes", kit.exchanges_to_record(base)[:2])
    before = path.read_bytes()
    cassette = Cassette.load(path, "new_episodes")
    for i in range(5):
        cassette.record({"method": "GET", "uri": f"{base}{i}", "body": None, "headers": {}},
                        {"status": {"code": 200, "message": "OK"}, "headers": {}, "body": {"string": b"page"}})
    # the process dies here (no close): the cassette is untouched; the recording is a cassette of its own
    assert path.read_bytes() == before
    assert [i["request"]["uri"] for i in CassetteReader(cassette.recording_path)] == [f"{base}{i}" for i in range(5)]


def test_a_failed_save_leaves_the_cassette_as_it_was(tmp_path, monkeypatch):
    path = tmp_path / "c.yaml"
    kit.record(path, "new_episodes", kit.exchanges_to_record("https://www.gz.gov.cn/x/")[:3])
    before = path.read_bytes()
    mw = kit.middleware(path, "new_episodes")
    request = Request("https://www.gz.gov.cn/x/new.html")
    mw.process_response(request, HtmlResponse(request.url, body=b"<p>new</p>"))

    def disk_full(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    mw.spider_closed(None, "finished")
    assert path.read_bytes() == before
    assert mw.stats.get_value("archive/failed") == "cassette not written"
    kept = list(tmp_path.glob("c.yaml.*.recording"))
    assert len(kept) == 1 and not list(tmp_path.glob("*.tmp"))
    assert [i["request"]["uri"] for i in CassetteReader(kept[0])] == [request.url]


def test_a_write_that_fails_mid_crawl_stops_recording_and_keeps_the_cassette(tmp_path, monkeypatch, caplog):
    import crawler.cassette as module

    path = tmp_path / "c.yaml"
    kit.record(path, "new_episodes", kit.exchanges_to_record("https://www.gz.gov.cn/x/")[:3])
    before = path.read_bytes()
    mw = kit.middleware(path, "new_episodes")
    writes = {"n": 0}
    real = module._write_all

    def failing(raw, data):
        writes["n"] += 1
        if writes["n"] == 3:  # the third interaction: half of it written, then the disk is full
            raw.write(data[: len(data) // 2])
            raise OSError(28, "No space left on device")
        real(raw, data)

    monkeypatch.setattr(module, "_write_all", failing)
    for i in range(4):
        request = Request(f"https://www.gz.gov.cn/x/p{i}.html")
        assert mw.process_response(request, HtmlResponse(request.url, body=b"<p>page</p>")).status == 200
    assert mw.stats.get_value("archive/failed") == "cassette recording failed"
    assert mw.stats.get_value("cassette/recorded") == 1  # the header was the first write
    assert "No space left on device" in caplog.text
    mw.spider_closed(None, "finished")
    assert path.read_bytes() == before
    kept = next(tmp_path.glob("c.yaml.*.recording"))
    assert [i["request"]["uri"] for i in CassetteReader(kept)] == ["https://www.gz.gov.cn/x/p0.html"]


KILLED_CHILD = """
import sys
from tests.crawl_kit import FAST, spider_for
from crawler.run import run_crawl
run_crawl(spider_for(sys.argv[1]), {**FAST, "ARCHIVE_DB": sys.argv[2], "CASSETTE": sys.argv[3],
                                     "CASSETTE_RECORD_MODE": "new_episodes"})
"""


def test_a_crawl_killed_while_recording_leaves_the_cassette_as_it_was(tmp_path):
    """A real crawl of the local test portal recording into an existing cassette, SIGKILLed once it
    has recorded some pages: the cassette is byte for byte what it was; the recording holds whole
    interactions up to the last one written."""
    from tests.portal_server import Portal, PortalServer

    path = Path(kit.write(tmp_path / "c.yaml", {"https://www.gz.gov.cn/robots.txt": kit.ROBOTS_OK}))
    before = path.read_bytes()
    with PortalServer(Portal(400)) as server:
        child = subprocess.Popen([sys.executable, "-c", KILLED_CHILD, server.url, str(tmp_path / "a.db"), str(path)],
                                 cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                recordings = list(tmp_path.glob("c.yaml.*.recording"))
                if recordings and recordings[0].stat().st_size > 40_000:
                    break
                assert child.poll() is None, "the crawl ended before it could be killed"
                time.sleep(0.05)
            else:
                pytest.fail("nothing was recorded within 60 s")
            child.send_signal(signal.SIGKILL)
        finally:
            child.wait(timeout=30)
    assert path.read_bytes() == before
    uris = []
    try:
        for interaction in CassetteReader(recordings[0]):
            uris.append(interaction["request"]["uri"])
    except CassetteError:
        pass  # killed in the middle of writing an interaction: the ones before it are whole
    assert len(uris) >= 10 and uris[0].endswith("/robots.txt")


# --- files that are not cassettes -----------------------------------------------------------------

@pytest.mark.parametrize("content, says", [
    (b"- request: {}\n", "a list at the top, as vcrpy wrote before 1.0"),
    (b"hello: world\n", "no 'interactions'"),
    (b"version: 1\ninteractions: [\n", "not readable YAML"),
    (b"version: 1\ninteractions:\n- request: {method: GET, uri: 'http://x/'}\n  response: {status: {code: 200}, body: {string: \"a",
     "not readable YAML: found unexpected end of stream (line 4"),
    (b"version: 1\ninteractions:\n- request: {method: GET}\n  response: {status: {code: 200}}\n", "interaction 1 has no method or uri"),
    (b"version: 2\ninteractions: []\n", "has version 2"),
    (b"\x80\x81garbage", "not readable YAML"),
])
def test_a_file_that_is_not_a_cassette_is_one_clear_error(tmp_path, content, says):
    path = tmp_path / "bad.yaml"
    path.write_bytes(content)
    with pytest.raises(CassetteError) as caught:
        check_cassette(str(path))
        Cassette.load(path)
    message = str(caught.value)
    assert says in message and str(path) in message and "\n" not in message
    assert path.read_bytes() == content
    mw = kit.middleware(path, "new_episodes")  # never recorded over, never a traceback
    assert mw.error == message
    with pytest.raises(Exception, match="cassette"):
        mw.process_request(Request("https://www.gz.gov.cn/"))
    assert path.read_bytes() == content


def test_an_empty_file_is_an_empty_cassette(tmp_path):
    path = tmp_path / "empty.yaml"
    path.write_bytes(b"\n")
    check_cassette(str(path), "none")
    assert len(Cassette.load(path)) == 0
    pairs = kit.exchanges_to_record("https://www.gz.gov.cn/x/")[:2]
    kit.record(path, "once", pairs)  # vcrpy's rule: an empty file may be recorded into
    assert kit.vcrpy_reads(path) == kit.expected(pairs)


# --- the project's cassettes -----------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(p.stem for p in CASSETTES.glob("*.yaml")))
def test_project_cassettes_replay_as_vcrpy_loads_them(name):
    """Every interaction of every cassette in cassettes/: the same status, headers and body bytes
    as vcrpy's own loader gives, from the same interaction."""
    path = CASSETTES / f"{name}.yaml"
    ours, theirs = kit.both_load(path, repeats=True)
    assert len(ours) == len(theirs.data)
    for request, response in theirs.data:
        played = kit.our_play(ours, request)
        assert played is not None, request.uri
        assert played.status == response["status"]["code"] and played.body == response["body"]["string"]
        assert {k: list(v) for k, v in played.headers} == response["headers"]
        assert played is ours.response(ours.find(request.method, request.uri, request.body))
    assert ours.unplayed == 0


def test_a_cassette_changed_by_someone_else_meanwhile_is_not_overwritten(tmp_path):
    path = tmp_path / "c.yaml"
    kit.record(path, "new_episodes", kit.exchanges_to_record("https://www.gz.gov.cn/x/")[:2])
    cassette = Cassette.load(path, "new_episodes")
    cassette.record({"method": "GET", "uri": "https://www.gz.gov.cn/x/mine.html", "body": None, "headers": {}},
                    {"status": {"code": 200, "message": "OK"}, "headers": {}, "body": {"string": b"mine"}})
    theirs = kit.write(tmp_path / "other.yaml", {"https://www.gz.gov.cn/robots.txt": kit.ROBOTS_OK})
    os.replace(theirs, path)  # another crawl saved its cassette in the meantime
    expected_bytes = path.read_bytes()
    with pytest.raises(CassetteError, match="changed during the crawl.*recorded is in"):
        cassette.close()
    assert path.read_bytes() == expected_bytes
    assert [i["request"]["uri"] for i in CassetteReader(cassette.recording_path)] == ["https://www.gz.gov.cn/x/mine.html"]


def test_a_cassette_written_by_vcrpy_itself_replays(tmp_path):
    """vcrpy's own serializer (its dumper, keys sorted: ``interactions`` before ``version``, Chinese
    escaped) — the same answers as vcrpy's Cassette gives from it."""
    from vcr.serialize import serialize
    from vcr.serializers import yamlserializer

    rng = random.Random(5)
    stored = [kit.random_request(rng) for _ in range(60)]
    responses = [kit.marked(i) for i in range(60)]
    responses[3] = kit.response(200, kit.GBK_PAGE, {"Content-Type": "text/html"})
    path = tmp_path / "vcrpy.yaml"
    path.write_text(serialize({"requests": stored, "responses": responses}, yamlserializer), encoding="utf-8")
    assert path.read_text(encoding="utf-8").startswith("interactions:")
    ours, theirs = kit.both_load(path, repeats=True)
    for r in stored + [kit.random_request(rng) for _ in range(100)]:
        mine, vcrpys = kit.our_play(ours, r), kit.vcrpy_play(theirs, r)
        assert (mine is None) == (vcrpys is None)
        if mine is not None:
            assert mine.body == vcrpys["body"]["string"]


@pytest.mark.parametrize("headers", [
    {},
    {"Set-Cookie": ["a=1", "b=2"], "Content-Type": ["text/html"]},
    {"X-Empty": [], "X-Blank": [""], "X-Two-Blanks": ["", ""]},
    {"X-Odd": ["a\x00b", "c\x01d"]},  # the characters the packed form joins with: kept as they are
])
def test_response_headers_come_back_as_recorded(headers):
    from crawler.cassette import recorded_from, to_scrapy_response

    recorded = recorded_from({"status": {"code": 200, "message": "OK"}, "headers": headers, "body": {"string": b"x"}})
    assert recorded.headers == tuple((k, tuple(v)) for k, v in headers.items())
    played = to_scrapy_response(Request("https://www.gz.gov.cn/"), recorded)
    for name, values in headers.items():
        assert played.headers.getlist(name) == [v.encode("latin-1") for v in values]


def test_record_modes_are_vcrpys():
    from vcr.record_mode import RecordMode

    from crawler.cassette import RECORD_MODES

    assert sorted(RECORD_MODES) == sorted(m.value for m in RecordMode)


def test_a_crawl_without_a_cassette_does_not_import_vcrpy():
    """vcrpy imports its patchers (aiohttp, …) with any of its modules: 0.3 s of every live crawl."""
    import subprocess
    import sys

    code = ("import sys\nimport crawler.cassette, crawler.commands.crawl, crawler.settings\n"
            "from crawler.cassette import CassetteMiddleware\n"
            "print(sorted(m for m in sys.modules if m == 'vcr' or m.startswith(('vcr.', 'aiohttp'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
