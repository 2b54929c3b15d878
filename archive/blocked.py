"""Recognise responses that are not content: anti-bot challenges and empty or error pages.

A blocked fetch is recorded (with the reason) but never becomes a report. The rules come
from what the WAFs in front of Chinese government portals actually send:

* 瑞数 (Riversecurity): HTTP 412 (sometimes 202/200) with an inline ``$_ts`` script and
  an almost empty body;
* 加速乐 (Knownsec JSL): HTTP 521 with ``__jsluid_*`` / ``__jsl_clearance`` cookies and an
  ``X-Via-JSL`` header, the body a ``document.cookie=`` script;
* other WAFs: a small page titled 请稍候 / 安全验证 / 访问异常 / 访问验证 / 人机验证.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping, Sequence

from .embedded import DETAIL_MARK
from .http import header_values

_CHALLENGE_TITLES = ("请稍候", "安全验证", "访问异常", "访问验证", "人机验证", "安全检查", "Just a moment")
_TS_SCRIPT = re.compile(rb"\$_ts\s*=|\$_ts\.|_\$[a-z]{2}\s*=", re.I)
_JSL_SCRIPT = re.compile(rb"__jsl_clearance|__jsluid|document\.cookie\s*=", re.I)
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.I | re.S)
_TAG = re.compile(rb"<[^>]+>")
_SCRIPT = re.compile(rb"<script\b.*?</script>", re.I | re.S)
_STYLE = re.compile(rb"<style\b.*?</style>", re.I | re.S)


@dataclass(frozen=True)
class Verdict:
    kind: str  # "blocked" | "empty" | "not-found" | "http-error" | "not-html"
    reason: str


def visible_text_size(body: bytes) -> int:
    """Rough count of visible (non-markup, non-script) bytes, language-independent."""
    stripped = _TAG.sub(b" ", _STYLE.sub(b" ", _SCRIPT.sub(b" ", body)))
    return len(re.sub(rb"(\s|&nbsp;)+", b"", stripped))


def _title_names_challenge(body: bytes) -> str | None:
    m = _TITLE.search(body[:4000])
    if not m:
        return None
    title = m.group(1)
    for word in _CHALLENGE_TITLES:
        for enc in ("utf-8", "gb18030"):
            if word.encode(enc) in title:
                return word
    return None


# scripts that carry data, not a challenge: Hanweb's list records, gkmlpt's document record
_SCRIPT_DATA = re.compile(rb"<datastore|<record>|type=[\"']text/xml|" + DETAIL_MARK.encode(), re.I)


def classify(status: int, headers: Mapping[str, Sequence[str] | str], body: bytes) -> Verdict | None:
    """Return why this response is not a content page, or None if it may be one."""
    cookies = " ".join(header_values(headers, "Set-Cookie")).lower()
    small = visible_text_size(body) < 200
    if status == 412 or (_TS_SCRIPT.search(body[:20000]) and small):
        return Verdict("blocked", f"anti-bot challenge (瑞数 $_ts script, HTTP {status})")
    jsl = header_values(headers, "X-Via-JSL") or "__jsluid" in cookies or "__jsl_clearance" in cookies
    if status == 521 or (jsl and small) or (_JSL_SCRIPT.search(body[:20000]) and small and b"<p" not in body):
        return Verdict("blocked", f"anti-bot challenge (加速乐 __jsl cookie script, HTTP {status})")
    if status in (404, 410):
        return Verdict("not-found", f"HTTP {status}")
    if status >= 400:
        return Verdict("http-error", f"HTTP {status}")
    if not body.strip():
        return Verdict("empty", f"empty body (HTTP {status})")
    word = _title_names_challenge(body)
    if word and visible_text_size(body) < 600:
        return Verdict("blocked", f"challenge page (title says {word})")
    # a page that is nothing but script — unless the script is data (Hanweb lists keep their
    # records in <script type="text/xml"><datastore>…; gkmlpt pages their document in a
    # DETAIL record, see archive.embedded)
    if visible_text_size(body) == 0 and re.search(rb"<script", body, re.I) and not _SCRIPT_DATA.search(body):
        return Verdict("blocked", "body is only a script (JavaScript challenge)")
    return None
