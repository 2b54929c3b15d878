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
# each word as the bytes of the two encodings a Chinese page's <title> comes in
_CHALLENGE_TITLE_BYTES = tuple((word, tuple(word.encode(enc) for enc in ("utf-8", "gb18030")))
                               for word in _CHALLENGE_TITLES)
_TS_SCRIPT = re.compile(rb"\$_ts\s*=|\$_ts\.|_\$[a-z]{2}\s*=", re.I)
_JSL_SCRIPT = re.compile(rb"__jsl_clearance|__jsluid|document\.cookie\s*=", re.I)
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.I | re.S)
_SCRIPT_TAG = re.compile(rb"<script", re.I)
# a web server's own status page (nginx, Apache, IIS): titled with a status line, "404 Not Found"
_STATUS_TITLE = re.compile(rb"\s*([1-5]\d\d)\s+[A-Za-z][A-Za-z '\-]{2,40}\s*")
_HEAD_BYTES = 20000  # the challenge scripts come first: only the head of a body is searched for them
# What a reader never sees, in one alternation read left to right as an HTML tokenizer reads it:
# a script or style element with its content, any other tag, a space, an &nbsp;.
_INVISIBLE = re.compile(rb"<script\b.*?</script>|<style\b.*?</style>|<[^>]+>|&nbsp;|\s+", re.I | re.S)
# the same, repeated: how far from the start a body holds nothing visible
_INVISIBLE_RUN = re.compile(rb"(?:<script\b.*?</script>|<style\b.*?</style>|<[^>]+>|&nbsp;|\s+)*", re.I | re.S)


@dataclass(frozen=True)
class Verdict:
    kind: str  # "blocked" | "empty" | "not-found" | "http-error" | "not-html"
    reason: str


def visible_text_size(body: bytes) -> int:
    """Rough count of visible (non-markup, non-script) bytes, language-independent: one pass."""
    return len(_INVISIBLE.sub(b"", body))


def has_visible_text(body: bytes) -> bool:
    """Whether any byte of ``body`` is visible; stops at the first one (on a page, its <title>)."""
    return _INVISIBLE_RUN.match(body).end() < len(body)


def _title(body: bytes) -> bytes | None:
    m = _TITLE.search(body[:4000])
    return m.group(1) if m else None


def _title_names_challenge(title: bytes | None) -> str | None:
    if title is None:
        return None
    for word, encoded in _CHALLENGE_TITLE_BYTES:
        if any(e in title for e in encoded):
            return word
    return None


# scripts that carry data, not a challenge: Hanweb's list records, gkmlpt's document record
_SCRIPT_DATA = re.compile(rb"<datastore|<record>|type=[\"']text/xml|" + DETAIL_MARK.encode(), re.I)


def classify(status: int, headers: Mapping[str, Sequence[str] | str], body: bytes) -> Verdict | None:
    """Return why this response is not a content page, or None if it may be one.

    Cheap enough to call on every response: the challenge scripts and the title are looked for in
    the head of the body only, and the body is measured (its visible text) at most once — not at
    all for an ordinary page, whose first visible text ends the one check it needs."""
    size: list[int] = []

    def small(limit: int = 200) -> bool:  # fewer visible bytes than ``limit``; measured once
        if not size:
            size.append(visible_text_size(body))
        return size[0] < limit

    head = body[:_HEAD_BYTES]
    if status == 412 or (_TS_SCRIPT.search(head) and small()):
        return Verdict("blocked", f"anti-bot challenge (瑞数 $_ts script, HTTP {status})")
    cookies = " ".join(header_values(headers, "Set-Cookie")).lower()
    jsl = header_values(headers, "X-Via-JSL") or "__jsluid" in cookies or "__jsl_clearance" in cookies
    if status == 521 or (jsl and small()) or (_JSL_SCRIPT.search(head) and b"<p" not in body and small()):
        return Verdict("blocked", f"anti-bot challenge (加速乐 __jsl cookie script, HTTP {status})")
    if status in (404, 410):
        return Verdict("not-found", f"HTTP {status}")
    if status >= 400:
        return Verdict("http-error", f"HTTP {status}")
    if not body or body.isspace():
        return Verdict("empty", f"empty body (HTTP {status})")
    title = _title(body)
    word = _title_names_challenge(title)
    if word and small(600):
        return Verdict("blocked", f"challenge page (title says {word})")
    status_line = _STATUS_TITLE.fullmatch(title) if title else None
    if status_line and small():  # the server's page for an error or a redirect, sent as if it were content
        code = int(status_line.group(1))
        return Verdict("not-found" if code in (404, 410) else "http-error",
                       f"a web server's status page ({title.decode('latin-1').strip()}) sent with HTTP {status}")
    # a page that is nothing but script — unless the script is data (Hanweb lists keep their
    # records in <script type="text/xml"><datastore>…; gkmlpt pages their document in a
    # DETAIL record, see archive.embedded)
    if (size[0] == 0 if size else not has_visible_text(body)) and _SCRIPT_TAG.search(body) \
            and not _SCRIPT_DATA.search(body):
        return Verdict("blocked", "body is only a script (JavaScript challenge)")
    return None
