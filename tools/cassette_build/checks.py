"""Checks on the written files: vcrpy load and replay (``verify_cassette``), a page's body parsed
back (``check_body``), template leftovers, line diffs against the template, list links, the
Content-Type and the encoding of pages."""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from urllib.parse import urljoin

from .base import BuildError, check
from .bodies import Block
from .manifests import table_spans


class _Utf8Persister:
    """Read the cassette as UTF-8 whatever the machine's locale (vcrpy's own uses the locale)."""

    @staticmethod
    def load_cassette(cassette_path, serializer):
        from vcr.serialize import deserialize

        return deserialize(Path(cassette_path).read_bytes().decode("utf-8"), serializer)

    @staticmethod
    def save_cassette(cassette_path, cassette_dict, serializer):
        raise RuntimeError("read-only")


def verify_cassette(path: Path, interactions: list[dict]) -> None:
    """Load the cassette with vcrpy (replay only, matching method + URI) and play every
    interaction back: status, headers and body bytes must be what was written."""
    from vcr.cassette import Cassette
    from vcr.matchers import method, uri
    from vcr.request import Request

    cassette = Cassette.load(path=str(path), record_mode="none", match_on=(method, uri), persister=_Utf8Persister)
    check(len(cassette.data) == len(interactions),
          f"{path}: {len(cassette.data)} interactions loaded, {len(interactions)} written")
    for i in interactions:
        want = i["response"]
        request = Request("GET", i["request"]["uri"], None, {})
        check(cassette.can_play_response_for(request), f"vcrpy cannot play {i['request']['uri']}")
        got = cassette.play_response(request)
        body = want["body"]["string"]
        wire = body.encode("utf-8") if isinstance(body, str) else body
        check(got["body"]["string"] == wire, f"body differs: {i['request']['uri']}")
        check(got["status"] == want["status"] and got["headers"] == want["headers"],
              f"status or headers differ: {i['request']['uri']}")
        check(int(want["headers"]["Content-Length"][0]) == len(wire),
              f"Content-Length is not the body's length: {i['request']['uri']}")
    check(cassette.all_played, f"{path}: not every interaction was played")

def squash(text: str) -> str:
    """Runs of white space as one space, trimmed."""
    return re.sub(r"\s+", " ", text).strip()


def meta_tags(doc) -> dict[str, str]:
    """``<meta name=… content=…>`` of a parsed page, by name."""
    return {e.get("name"): e.get("content") for e in doc.cssselect("meta[name]")}


FRAGMENT_SEPARATORS = r"[\s\u3000，。、“”‘’：；（）()！？]+"


def article_fragments(body: str) -> list[str]:
    """Pieces (8+ characters, split at white space and punctuation) of the text of a
    template's article ``body`` (HTML), sorted, each once: none may be left on a built page."""
    import lxml.html

    text = lxml.html.fromstring(f"<div>{body}</div>").text_content()
    return sorted({f for f in re.split(FRAGMENT_SEPARATORS, text) if len(f) >= 8})


def check_leftovers(page: str, what: str, gone) -> None:
    """None of the strings ``gone`` (traces of the template's own article) is in ``page``."""
    for leftover in gone:
        check(leftover not in page, f"template leftover {leftover!r} in {what}")


def lines_with(lines: list[str], marks, once: bool = False) -> set[int]:
    """0-based numbers of the lines holding one of ``marks``; each mark must be found (on
    exactly one line if ``once``)."""
    found = set()
    for mark in marks:
        hits = [k for k, line in enumerate(lines) if mark in line]
        check(len(hits) == 1 if once else hits,
              f"{mark!r} is on lines {hits}, expected {'exactly one' if once else 'at least one'}")
        found |= set(hits)
    return found


def diff_template_lines(old: list[str], new: list[str]) -> tuple[set[int], list[tuple[int, list[str]]]]:
    """Line diff of a page against its template: the 0-based template lines the page replaces
    or drops, and the runs of lines it inserts, as (template line before which, lines)."""
    changed, inserted = set(), []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "insert":
            inserted.append((i1, new[j1:j2]))
        elif tag != "equal":
            changed |= set(range(i1, i2))
    return changed, inserted


def read_body(container, what: str, ignore=None) -> tuple[list[str], list, list]:
    """A body element parsed back: its ``<p>`` texts, its ``<table>`` rows of ``<td>`` texts and
    their (rowspan, colspan). Any other child fails, unless ``ignore(child)`` says to skip it."""
    paragraphs, tables, spans = [], [], []
    for child in container:
        if ignore is not None and ignore(child):
            continue
        if child.tag == "p":
            paragraphs.append(child.text_content().strip())
        elif child.tag == "table":
            rows = list(child.iter("tr"))
            tables.append([[td.text_content().strip() for td in tr.findall("td")] for tr in rows])
            spans.append([[(int(td.get("rowspan", 1)), int(td.get("colspan", 1))) for td in tr.findall("td")]
                          for tr in rows])
        else:
            raise BuildError(f"{what}: unexpected <{child.tag}> in the body")
    return paragraphs, tables, spans


def check_body(container, blocks: list[Block], entry: dict, what: str, ignore=None) -> None:
    """The body element holds exactly the manifest entry's paragraphs and table rows, in order,
    with the blocks' rowspans and colspans."""
    paragraphs, tables, spans = read_body(container, what, ignore)
    check(paragraphs == entry["paragraphs"], f"{what}: paragraphs differ")
    check(tables == entry["tables"], f"{what}: tables differ")
    check(spans == table_spans(blocks), f"{what}: rowspan/colspan differ")


def links(url: str, doc, selector: str) -> set[str]:
    """The absolute targets of the ``<a href>`` that ``selector`` picks on the page at ``url``."""
    return {urljoin(url, a.get("href")) for a in doc.cssselect(selector)}


def check_links(reachable: set[str], listed: set[str], in_cassette: set[str], non_reports: set[str],
                report_urls: set[str]) -> None:
    """Every link of the list pages (``reachable``) resolves to an interaction, except the
    non-reports, which are listed and deliberately absent; every report is listed."""
    missing = reachable - in_cassette - non_reports
    check(not missing, f"linked but not in the cassette: {missing}")
    check(non_reports <= listed and not non_reports & in_cassette,
          f"a non-report is not listed, or is in the cassette: {non_reports}")
    check(report_urls <= listed, "a report is not listed")


def check_content_type(interactions: list[dict], pages: dict[str, bytes], content_type: str) -> None:
    """Every page is sent with exactly this Content-Type."""
    for i in interactions:
        if i["request"]["uri"] in pages:
            check(i["response"]["headers"]["Content-Type"] == [content_type],
                  f"{i['request']['uri']}: Content-Type is not {content_type!r}")


def assert_undecodable(raw: bytes, encoding: str, what: str) -> None:
    """``raw`` does not decode as ``encoding`` (a client that trusts that declaration fails)."""
    try:
        raw.decode(encoding)
    except UnicodeDecodeError:
        pass
    else:
        raise BuildError(f"{what} decodes as {encoding}")


def check_listed_reports(reports, *, titles_in_scripts: bool = False) -> None:
    """What every constructed column's reports must be: the agency (spaces aside) and the year in
    the title, published in January–March of the following year, and — where the page template
    puts the title into a JavaScript string — no quote or backslash in it."""
    for r in reports:
        check(r.agency in r.title.replace(" ", "") or r.agency in r.title,
              f"report {r.n}: agency {r.agency!r} not in the title {r.title!r}")
        check(str(r.year) in r.title, f"report {r.n}: year {r.year} not in the title {r.title!r}")
        check(r.published.year == r.year + 1 and r.published.month <= 3,
              f"report {r.n}: not published in Jan-Mar of the year after {r.year}")
        if titles_in_scripts:
            check("'" not in r.title and "\\" not in r.title,
                  f"report {r.n}: the title holds a quote or a backslash (it goes into a JS string)")


def check_titles(reports, expected: dict[int, str]) -> None:
    """The titles are the reports' own: report ``n`` (1-based) has the title its text gives."""
    for n, title in expected.items():
        check(reports[n - 1].title == title, f"report {n}: unexpected title {reports[n - 1].title!r}")
