"""Challenge detection is cheap and said once: one measure of a body at most, none for a page."""

import pytest

from archive import blocked
from archive.blocked import classify, has_visible_text, visible_text_size
from archive.ingest import examine
from tests.cassette_kit import CHALLENGE_200, JSL_BODY, TS_BODY
from tests.gold_set import load_gold_set
from tests.paths import CORPUS, SHARED, corpus_file

HTML = {"Content-Type": ["text/html"]}


def test_visible_text_leaves_out_scripts_styles_tags_and_spaces():
    body = (b"<html><head><style>p { color: red }</style><script>var x = '<b>no</b>';</script></head>"
            b"<body><p>ab&nbsp;c</p>\n <!-- d --> <script src='x.js'></script><P>\xe4\xb8\xad</P></body></html>")
    assert visible_text_size(body) == len(b"abc\xe4\xb8\xad")
    assert has_visible_text(body)
    for empty in (b"", b"  \n", b"<script>var a = 1;</script>", b"<html><body>&nbsp; <br/></body></html>"):
        assert visible_text_size(empty) == 0 and not has_visible_text(empty)


def test_the_quick_check_agrees_with_the_measure_on_real_bodies():
    bodies = [CHALLENGE_200, JSL_BODY, TS_BODY] + [page.body for page in load_gold_set(SHARED)]
    for body in bodies:
        assert has_visible_text(body) == (visible_text_size(body) > 0)


def test_an_ordinary_page_is_classified_without_measuring_its_body(monkeypatch):
    def measure(body):
        raise AssertionError("an ordinary page needs no measure of its visible text")

    monkeypatch.setattr(blocked, "visible_text_size", measure)
    for rel in ("mhxqwer-jchgz.gov.cn/index.html", "mhxqwer-wmlct.zj.gov.cn/index.html", "pingtan-list/index.html"):
        assert classify(200, HTML, corpus_file(rel)) is None, rel


def test_a_body_is_measured_once_at_most(monkeypatch):
    calls = []
    measure = blocked.visible_text_size
    monkeypatch.setattr(blocked, "visible_text_size", lambda body: calls.append(1) or measure(body))
    # the 瑞数 script, the 加速乐 cookie and the title each ask whether the body is small
    body = TS_BODY.replace(b"<head>", b"<head><title>\xe8\xaf\xb7\xe7\xa8\x8d\xe5\x80\x99</title>") + b"<p>x</p>"
    headers = {"Set-Cookie": ["__jsluid_s=1; path=/"], "Content-Type": ["text/html"]}
    verdict = classify(200, headers, body)
    assert verdict is not None and verdict.kind == "blocked" and len(calls) == 1


@pytest.mark.parametrize("status, headers, body, kind, says", [
    (412, {}, TS_BODY, "blocked", "瑞数"),
    (200, {}, TS_BODY, "blocked", "瑞数"),
    (521, {"Set-Cookie": ["__jsluid_s=0a1b2c; path=/"]}, JSL_BODY, "blocked", "加速乐"),
    (200, {}, JSL_BODY, "blocked", "加速乐"),
    (200, {}, CHALLENGE_200, "blocked", "请稍候"),
    (200, {}, b"<html><body><script>location.reload()</script></body></html>", "blocked", "only a script"),
    (200, {}, b" \r\n", "empty", "empty body"),
    (404, {}, b"<html><body><h1>404</h1></body></html>", "not-found", "HTTP 404"),
    (503, {}, b"<html><body>busy</body></html>", "http-error", "HTTP 503"),
])
def test_what_is_not_a_page_says_why(status, headers, body, kind, says):
    verdict = classify(status, headers, body)
    assert verdict is not None and verdict.kind == kind and says in verdict.reason


def test_data_in_a_script_is_no_challenge():
    hanweb = (b'<html><body><script type="text/xml"><datastore><recordset><record><![CDATA[<a href="/a.html">'
              b"x</a>]]></record></recordset></datastore></script></body></html>")
    assert classify(200, HTML, hanweb) is None


def test_examine_classifies_by_itself():
    result = examine(412, HTML, TS_BODY)
    assert result.kind == "blocked" and "瑞数" in result.reason
    if CORPUS.is_dir():
        assert examine(200, HTML, corpus_file("mhxqwer-jchgz.gov.cn/index.html")).is_report_page


def test_a_servers_status_page_sent_as_content_is_no_report():
    """nginx's, Apache's or IIS's own page for a redirect or an error, sent with HTTP 200 (a
    misconfigured portal, a proxy): titled with a status line, next to no text of its own."""
    nginx = (b"<html>\r\n<head><title>301 Moved Permanently</title></head>\r\n<body>\r\n<center><h1>301 Moved "
             b"Permanently</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")
    apache = (b'<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN"><html><head><title>404 Not Found</title></head>'
              b"<body><h1>Not Found</h1><p>The requested URL was not found on this server.</p></body></html>")
    assert classify(200, HTML, nginx).kind == "http-error"
    assert classify(200, HTML, apache) == blocked.Verdict(
        "not-found", "a web server's status page (404 Not Found) sent with HTTP 200")
    assert examine(200, HTML, nginx).kind == "http-error"
    # a report whose title starts with a number is no status page
    report = ("<html><head><title>2023 年度政府信息公开工作报告</title></head><body><div id='zoom'><p>"
              + "本机关主动公开政府信息一百二十条。" * 20 + "</p></div></body></html>").encode()
    assert classify(200, HTML, report) is None
