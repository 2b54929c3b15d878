"""What the web view shows, as plain data: one function per page, each returning the dict that
the page's template renders and its ``.json`` twin returns — the same facts in both.

Every function reads through an ``archive.store.Reader`` (any sqlite-utils ``Database``; the
server's is opened read-only) and raises ``NotFound`` or ``BadRequest`` with a message a person
can act on. Nothing here knows of Datasette or of HTML: text stays text, and the templates
escape it.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from urllib.parse import urlencode

from ..search import MIN_TRIGRAM, SearchError
from ..http import header_value
from ..payloads import PayloadError
from ..store import Reader
from ..tables import unpack_tables

PER_PAGE = 20  # search hits on one page
MAX_PAGE = 500  # no search page past this: a result list is for reading, exports are for bulk
MAX_DIFF_LINES = 4000  # a diff longer than this is cut, and says so


class NotFound(LookupError):
    pass


class BadRequest(ValueError):
    pass


def report_link(url: str, version: int | None = None, fmt: str = "") -> str:
    """The stable link of a report page (``version``: that version's number, 1 = the first)."""
    query = {"url": url} if version is None else {"url": url, "version": version}
    return f"/report{fmt}?{urlencode(query)}"


def raw_link(digest: str) -> str:
    return f"/raw/{digest}"


# --- a report page -----------------------------------------------------------------------------
def table_rows(table: dict) -> list[list[dict]]:
    """A stored grid's cells row by row, as the HTML had them (rowspan/colspan kept): a row
    whose every position is covered by a span from above is an empty list."""
    rows: list[list[dict]] = [[] for _ in range(table.get("n_rows") or 0)]
    for cell in sorted(table.get("cells") or [], key=lambda c: (c["r"], c["c"])):
        if 0 <= cell["r"] < len(rows):
            rows[cell["r"]].append(cell)
    return rows


def table_lines(table: dict) -> list[str]:
    """The lines a stored grid left in the version's text (``Table.text_lines``): the cells that
    start in each row joined by ' | ', rows without text left out."""
    return [" | ".join(c["text"] for c in row) for row in table_rows(table) if any(c["text"] for c in row)]


def blocks(text: str, tables: list[dict]) -> list[dict]:
    """The text as paragraphs, each table in the place its lines take in the text (found in
    order, line for line); a table whose lines are not found is listed after the text, marked
    ``placed: false``."""
    lines = (text or "").split("\n")
    out: list[dict] = []
    at, placed = 0, set()
    for i, table in enumerate(tables):
        want = table_lines(table)
        if not want:
            continue
        for j in range(at, len(lines) - len(want) + 1):
            if lines[j:j + len(want)] == want:
                out += [{"kind": "p", "text": line} for line in lines[at:j] if line.strip()]
                out.append({"kind": "table", "index": i, "placed": True, "rows": table_rows(table)})
                at = j + len(want)
                placed.add(i)
                break
    out += [{"kind": "p", "text": line} for line in lines[at:] if line.strip()]
    for i, table in enumerate(tables):
        if i not in placed:
            out.append({"kind": "table", "index": i, "placed": False, "rows": table_rows(table)})
    return out


def _figures(reader: Reader, version_id: int) -> dict | None:
    """The stored figures of a version: template, tables as rows × columns in the order the
    cells were read, checks."""
    s = next(reader.db.query("SELECT * FROM figure_sets WHERE version_id = ?", [version_id]), None)
    if s is None:
        return None
    tables: dict[str, dict] = {}
    for r in reader.db.query("SELECT table_name, row_key, column_key, value, raw, section, unit FROM figures "
                             "WHERE version_id = ? ORDER BY id", [version_id]):
        t = tables.setdefault(r["table_name"], {"columns": [], "rows": {}})
        if r["column_key"] not in t["columns"]:
            t["columns"].append(r["column_key"])
        row = t["rows"].setdefault(r["row_key"], {"section": r["section"], "unit": r["unit"], "values": {}})
        row["values"][r["column_key"]] = r["value"]
    checks = [{"rule": c["rule"], "column": c["column_key"], "ok": bool(c["ok"]), "expected": c["expected"],
               "found": c["found"], "nulls_as_zero": bool(c["nulls_as_zero"])}
              for c in reader.db.query("SELECT * FROM figure_checks WHERE version_id = ? ORDER BY id", [version_id])]
    return {"template": s["template"], "statutory": bool(s["statutory"]), "cells": s["cells"],
            "checks_run": s["checks_run"], "checks_failed": s["checks_failed"],
            "problems": json.loads(s["problems"]) if s["problems"] else [],
            "source": json.loads(s["source"]) if s["source"] else {},
            "computed_at": s["computed_at"], "tables": tables, "checks": checks}


def _versions(reader: Reader, url: str) -> list[dict]:
    return [{"number": n, "id": v["id"], "created_at": v["created_at"], "chars": v["chars"],
             "raw_sha256": v["raw_sha256"], "clean_sha256": v["clean_sha256"], "status": v["status"],
             "job_id": v["job_id"], "link": report_link(url, n)}
            for n, v in enumerate(reader.history(url), 1)]


def _pick(versions: list[dict], number, url: str) -> dict:
    try:
        n = int(number)
    except (TypeError, ValueError):
        raise BadRequest(f"version must be a number from 1 to {len(versions)}, not {number!r}") from None
    if not 1 <= n <= len(versions):
        raise NotFound(f"{url} has {len(versions)} version(s); there is no version {n}")
    return versions[n - 1]


def report_page(reader: Reader, url: str | None, version: str | None = None) -> dict:
    if not url:
        raise BadRequest("give the report's URL: /report?url=…")
    report = reader.report(url)
    versions = _versions(reader, url) if report else []
    if not report or not versions:
        raise NotFound(f"no stored report at {url}")
    if version is None:
        current = next((v for v in versions if v["id"] == report["current_version"]), versions[-1])
    else:
        current = _pick(versions, version, url)
    row = reader.version(current["id"])
    fetch = reader.fetch(row["fetch_id"]) if row.get("fetch_id") else None
    crawl = None
    if fetch and fetch.get("job_id"):
        crawl = next(reader.db.query("SELECT job_id, spider, started_at, finished_at, finish_reason FROM crawls "
                                     "WHERE job_id = ?", [fetch["job_id"]]), None)
    attachments = []
    for a in reader.attachments(url):
        tables = next(reader.db.query("SELECT tables FROM files WHERE sha256 = ?", [a["sha256"]]), {}).get("tables")
        attachments.append({**{k: a[k] for k in ("url", "name", "sha256", "kind", "size", "pages", "scanned",
                                                  "error", "error_kind", "extractor", "first_seen", "last_seen")},
                            "text": a["text"] or "",
                            "tables": [table_rows(t) for t in (unpack_tables(json.loads(tables)) if tables else [])],
                            "download": raw_link(a["sha256"]) if a["sha256"] else None})
    replayed = bool(fetch and "cassette" in (fetch.get("flags") or []))
    return {
        "report": {k: report.get(k) for k in ("url", "portal", "section", "column", "agency", "title", "report_year",
                                             "pub_date", "source", "list_title", "list_date", "found_on",
                                             "first_seen", "last_seen", "last_listed", "gone_since", "version_count")},
        "version": {"number": current["number"], "id": row["id"], "current": row["id"] == report["current_version"],
                    "created_at": row["created_at"], "permalink": report_link(url, current["number"]),
                    **{k: row.get(k) for k in ("raw_sha256", "raw_size", "clean_sha256", "content_type", "encoding",
                                               "encoding_method", "encoding_declared", "encoding_confidence",
                                               "encoding_errors", "incomplete", "extractor", "container",
                                               "software", "removed")},
                    "raw": raw_link(row["raw_sha256"])},
        "fetch": None if fetch is None else {
            **{k: fetch.get(k) for k in ("id", "url", "final_url", "redirect_chain", "method", "status", "outcome",
                                         "content_type", "etag", "last_modified", "response_headers", "bytes",
                                         "sha256", "fetched_at", "duration_ms", "found_on", "job_id", "spider",
                                         "flags")},
            "replayed_from_cassette": replayed},
        "crawl": crawl,
        "text": row.get("text") or "",
        "blocks": blocks(row.get("text") or "", row.get("tables") or []),
        "figures": _figures(reader, row["id"]),
        "attachments": attachments,
        "versions": versions,
        "links": {"page": report_link(url, current["number"]), "json": report_link(url, current["number"], ".json"),
                  "latest": report_link(url)},
    }


# --- diff of two versions ----------------------------------------------------------------------
def diff_page(reader: Reader, url: str | None, a: str | None, b: str | None) -> dict:
    if not url:
        raise BadRequest("give the report's URL: /diff?url=…&a=1&b=2")
    versions = _versions(reader, url)
    if not versions:
        raise NotFound(f"no stored report at {url}")
    if a is None and b is None:
        a, b = max(1, len(versions) - 1), len(versions)
    old, new = _pick(versions, a, url), _pick(versions, b, url)
    lines = list(difflib.unified_diff(reader.version_text(old["id"]).split("\n"),
                                      reader.version_text(new["id"]).split("\n"),
                                      f"version {old['number']}", f"version {new['number']}", lineterm="", n=2))
    cut = max(0, len(lines) - MAX_DIFF_LINES)
    kinds = []
    for line in lines[:MAX_DIFF_LINES]:
        kind = ("head" if line.startswith(("---", "+++")) else "hunk" if line.startswith("@@")
                else "added" if line.startswith("+") else "removed" if line.startswith("-") else "same")
        kinds.append({"kind": kind, "line": line})
    return {"url": url, "from": old, "to": new, "versions": versions, "identical": not lines,
            "added": sum(k["kind"] == "added" for k in kinds), "removed": sum(k["kind"] == "removed" for k in kinds),
            "lines": kinds, "cut_lines": cut, "report": report_link(url)}


# --- search ------------------------------------------------------------------------------------
def search_page(reader: Reader, q: str | None, portals: list[str], page: str | None = None) -> dict:
    out = {"q": q or "", "portals": portals, "page": 1, "per_page": PER_PAGE, "total": 0, "hits": [],
           "terms": [], "error": None}
    if not (q or "").strip():
        return out
    try:
        n = int(page or 1)
    except ValueError:
        raise BadRequest(f"page must be a number, not {page!r}") from None
    if not 1 <= n <= MAX_PAGE:
        raise BadRequest(f"page must be between 1 and {MAX_PAGE}")
    try:
        found = reader.search(q, portals, limit=PER_PAGE, offset=(n - 1) * PER_PAGE)
    except SearchError as exc:
        raise BadRequest(str(exc)) from exc
    out.update(page=n, total=found.total,
               terms=[{"term": t, "how": "trigram index" if len(t) >= MIN_TRIGRAM else "substring (LIKE)"}
                      for t in q.split()],
               hits=[{**h, "link": report_link(h["url"]), "marked": marked(h["snippet"], q.split())} for h in found.hits])
    out["pages"] = min(MAX_PAGE, -(-found.total // PER_PAGE))
    return out


def marked(snippet: str, terms: list[str]) -> list[list]:
    """The snippet cut into [text, is_a_term] pieces, so that the page can mark the terms — also
    where a traditional-character page holds them (复议 marks 復議), the snippet being shown as
    published: the terms are looked for in its simplified copy when that is character for character."""
    from archive.clean import simplified

    plain = simplified(snippet)
    if len(plain) != len(snippet):
        plain = snippet
    terms = [simplified(t) for t in terms if t]
    pieces, i = [], 0
    while i < len(snippet):
        hits = [(plain.find(t, i), t) for t in terms if plain.find(t, i) >= 0]
        if not hits:
            pieces.append([snippet[i:], False])
            break
        at, term = min(hits)
        if at > i:
            pieces.append([snippet[i:at], False])
        pieces.append([snippet[at:at + len(term)], True])
        i = at + len(term)
    return pieces


# --- raw bytes ---------------------------------------------------------------------------------
def raw_item(reader: Reader, digest: str) -> dict:
    """The stored bytes with this sha256 — a version's page as fetched, an attachment, or any
    other body kept (a list page, an error page) — with the Content-Type the server sent,
    checked against the hash before they are handed out."""
    v = next(reader.db.query(
        "SELECT v.content_type, v.report_url, f.content_type AS served FROM versions v "
        "LEFT JOIN fetches f ON f.id = v.fetch_id WHERE v.raw_sha256 = ? LIMIT 1", [digest]), None)
    f = None if v is not None else next(reader.db.query(
        "SELECT f.content_type, f.kind, a.report_url, a.url FROM files f "
        "LEFT JOIN attachments a ON a.sha256 = f.sha256 WHERE f.sha256 = ? LIMIT 1", [digest]), None)
    c = None if v is not None or f is not None else next(reader.db.query(
        "SELECT c.response_headers, c.url, fe.report_url FROM captures c LEFT JOIN fetches fe ON fe.id = c.fetch_id "
        "WHERE c.payload_sha256 = ? ORDER BY c.id LIMIT 1", [digest]), None)
    if v is None and f is None and c is None:
        raise NotFound(f"no stored bytes with sha256 {digest}")
    try:
        body = reader.payload(digest)
    except KeyError:
        raise NotFound(f"the content with sha256 {digest} is known but its bytes were not kept") from None
    except PayloadError as exc:
        raise RuntimeError(str(exc)) from exc
    if v is not None:
        kind, content_type, report, name = "page", v["served"] or v["content_type"] or "text/html", v["report_url"], "page.html"
    elif f is not None:
        kind, content_type, report = "attachment", f["content_type"] or "application/octet-stream", f["report_url"]
        name = f"file.{f['kind']}" if f["kind"] else "file"
    else:  # a body kept as received (a list page, an error page, a redirect's body): its headers as received
        headers = json.loads(c["response_headers"] or "[]")
        kind, report, name = "capture", c["report_url"], "body"
        content_type = header_value(headers, "Content-Type") or "application/octet-stream"
        if header_value(headers, "Content-Encoding"):
            content_type = "application/octet-stream"  # compressed as the server sent it
    if hashlib.sha256(body).hexdigest() != digest:
        raise RuntimeError(f"stored bytes for {digest} do not match their sha256: the archive is damaged")
    return {"sha256": digest, "kind": kind, "size": len(body), "content_type": content_type,
            "report_url": report, "filename": f"{digest[:16]}-{name}", "body": body}


# --- the home page -----------------------------------------------------------------------------
def home_page(reader: Reader) -> dict:
    one = lambda sql: next(reader.db.query(sql))["n"]  # noqa: E731
    portals = list(reader.db.query(
        "SELECT portal, count(*) AS reports, min(report_year) AS first_year, max(report_year) AS last_year, "
        "sum(gone_since IS NOT NULL) AS gone FROM reports WHERE current_version IS NOT NULL "
        "GROUP BY portal ORDER BY portal"))
    recent = list(reader.db.query(
        "SELECT r.url, r.title, r.agency, r.report_year, r.pub_date, r.portal FROM reports r "
        "WHERE r.current_version IS NOT NULL ORDER BY r.first_seen DESC, r.url LIMIT 10"))
    return {
        "counts": {"reports": one("SELECT count(*) AS n FROM reports WHERE current_version IS NOT NULL"),
                   "versions": one("SELECT count(*) AS n FROM versions"),
                   "attachments": one("SELECT count(*) AS n FROM files"),
                   "fetches": one("SELECT count(*) AS n FROM fetches"),
                   "failing_checks": one("SELECT count(DISTINCT r.url) AS n FROM reports r JOIN figure_sets s "
                                         "ON s.version_id = r.current_version WHERE s.checks_failed > 0")},
        "portals": portals,
        "recent": [{**r, "link": report_link(r["url"])} for r in recent],
    }
