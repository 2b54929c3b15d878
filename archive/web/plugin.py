"""The archive's Datasette plugin: the pages people cite (``/report``, ``/search``, ``/diff``,
``/raw/<sha256>``, each but raw with a ``.json`` twin), links from Datasette's own table pages to
them, and the headers that keep stored pages inert.

Registered by ``archive.web.make_datasette`` (``archive serve``), not by an entry point: a plain
``datasette`` run elsewhere in the same environment is not changed by it.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import sqlite_utils
from datasette import hookimpl
from datasette.utils import sqlite_timelimit
from datasette.utils.asgi import Response
from markupsafe import Markup, escape

from ..store import Reader
from . import facts
from .metadata import DATABASE

TIME_LIMIT_MS = 3000  # one page's queries; past it the page is an error, not a hung server

# Stored bytes are evidence, not pages of this site: downloaded, never rendered here, and
# sandboxed (no script, no same-origin access) should a browser render them anyway.
RAW_HEADERS = {"Content-Security-Policy": "sandbox; default-src 'none'",
               "X-Content-Type-Options": "nosniff", "Cache-Control": "public, max-age=86400, immutable",
               "Cross-Origin-Resource-Policy": "same-origin"}
# The archive's own pages need no script of their own.
PAGE_HEADERS = {"Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; script-src 'none'; "
                                           "object-src 'none'; "
                                           "base-uri 'none'; form-action 'self'; frame-ancestors 'self'",
                "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}


async def _read(datasette, fn, *args):
    """Run ``fn(reader, *args)`` on the server's read-only connection, within the time limit."""
    def work(conn):
        with sqlite_timelimit(conn, TIME_LIMIT_MS):
            return fn(Reader(sqlite_utils.Database(conn)), *args)
    return await datasette.get_database(DATABASE).execute_fn(work)


def _json(data, status=200) -> Response:
    return Response(json.dumps(data, ensure_ascii=False, indent=2, default=str), status=status,
                    headers={**PAGE_HEADERS, "Access-Control-Allow-Origin": "*"},
                    content_type="application/json; charset=utf-8")


async def _page(datasette, request, template, context, status=200) -> Response:
    html = await datasette.render_template(template, context, request=request)
    return Response(html, status=status, headers=dict(PAGE_HEADERS), content_type="text/html; charset=utf-8")


async def _answer(datasette, request, template, fn, *args):
    """The page or, for ``.json``, the same facts as JSON; a bad request or unknown report is
    a 400 or 404 with a message, never a traceback."""
    as_json = bool(request.url_vars.get("format"))
    try:
        data = await _read(datasette, fn, *args)
    except facts.BadRequest as exc:
        data, status = {"error": str(exc)}, 400
    except facts.NotFound as exc:
        data, status = {"error": str(exc)}, 404
    else:
        status = 200
    if as_json:
        return _json(data, status)
    if status != 200:
        return await _page(datasette, request, "archive_error.html", {"message": data["error"], "status": status},
                           status)
    return await _page(datasette, request, template, {"data": data, "data_json": request.path + ".json",
                                                       "metadata": datasette.metadata()})


async def report_view(datasette, request):
    return await _answer(datasette, request, "archive_report.html", facts.report_page,
                         request.args.get("url"), request.args.get("version"))


async def diff_view(datasette, request):
    return await _answer(datasette, request, "archive_diff.html", facts.diff_page,
                         request.args.get("url"), request.args.get("a"), request.args.get("b"))


async def search_view(datasette, request):
    portals = [p for p in request.args.getlist("portal") if p]
    return await _answer(datasette, request, "archive_search.html", facts.search_page,
                         request.args.get("q"), portals, request.args.get("page"))


async def home_view(datasette, request):
    return await _answer(datasette, request, "archive_home.html", facts.home_page)


async def raw_view(datasette, request):
    digest = request.url_vars["sha256"]
    try:
        item = await _read(datasette, facts.raw_item, digest)
    except facts.NotFound as exc:
        return Response.text(str(exc) + "\n", status=404)
    if request.url_vars.get("format"):
        return _json({k: v for k, v in item.items() if k != "body"})
    return Response(item["body"], content_type=item["content_type"],
                    headers={**RAW_HEADERS, "ETag": f'"{digest}"',
                             "Content-Disposition": f"attachment; filename=\"{item['filename']}\""})


async def databases_view(datasette, request):
    """Datasette's /-/databases without the file's path on this server."""
    dbs = [{"name": db.name, "route": db.route, "is_mutable": db.is_mutable, "is_memory": db.is_memory}
           for db in datasette.databases.values() if not db.name.startswith("_")]
    return _json(dbs)


@hookimpl
def register_routes(datasette):
    return [
        (r"^/$", home_view),
        (r"^/report(?P<format>\.json)?$", report_view),
        (r"^/diff(?P<format>\.json)?$", diff_view),
        (r"^/search(?P<format>\.json)?$", search_view),
        (r"^/raw/(?P<sha256>[0-9a-f]{64})(?P<format>\.json)?$", raw_view),
        (r"^/-/databases(\.json)?$", databases_view),
    ]


_REPORT_URL_COLUMNS = {("reports", "url"), ("versions", "report_url"), ("figure_sets", "report_url"),
                       ("figures", "report_url"), ("figure_checks", "report_url"), ("attachments", "report_url"),
                       ("fetches", "report_url")}
_SHA_COLUMNS = {("versions", "raw_sha256"), ("files", "sha256"), ("attachments", "sha256"),
                ("payloads", "sha256"), ("captures", "payload_sha256")}


@hookimpl
def render_cell(row, value, column, table, database):
    """A report URL links to its report page, a stored hash to its bytes — in table pages and
    in canned queries (whose result columns are named ``url``); a report's title links to its
    page too (the URL itself, the table's key, links to Datasette's row page)."""
    if database != DATABASE or not isinstance(value, str) or not value:
        return None
    if table == "reports" and column == "title" and row is not None and "url" in row.keys():
        return Markup(f'<a href="{escape(facts.report_link(row["url"]))}">{escape(value)}</a>')
    if (table, column) in _REPORT_URL_COLUMNS or (table is None and column == "url"):
        return Markup(f'<a href="{escape(facts.report_link(value))}">{escape(value)}</a>')
    if (table, column) in _SHA_COLUMNS and len(value) == 64:
        return Markup(f'<a href="/raw/{quote(value)}">{escape(value)}</a>')
    return None


@hookimpl
def asgi_wrapper(datasette):
    """Headers every response of the archive server carries."""
    def wrap(app):
        async def with_headers(scope, receive, send):
            async def sending(message):
                if message["type"] == "http.response.start":
                    have = {k.lower() for k, _ in message.get("headers", [])}
                    extra = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin"),
                             (b"x-frame-options", b"SAMEORIGIN")]
                    message = {**message, "headers": list(message.get("headers", []))
                               + [(k, v) for k, v in extra if k not in have]}
                await send(message)
            await app(scope, receive, sending)
        return with_headers
    return wrap
