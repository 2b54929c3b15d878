"""The data dictionary of the archive's SQLite schema (``archive.schema``), as data.

``TABLES``: for every table a title, a description of what one row is, its columns (in the
schema's order, each with what it holds) and whether it is internal (``hidden``: crawl state and
bookkeeping, not part of what the archive publishes). A web view shows these as table and column
descriptions; ``markdown()`` renders them as ``docs/data-dictionary.md``::

    python -m archive.dictionary > docs/data-dictionary.md

Times are ISO 8601 UTC to the second (``archive.records.utcnow``) unless said otherwise; hashes are
lower-case sha256 hex; "JSON" columns hold JSON text (``archive.store.decode_row`` decodes them).
"""

from __future__ import annotations

import sys

_UTC = "ISO 8601 UTC time"

TABLES: dict[str, dict] = {
    "reports": {
        "title": "Reports",
        "description": "One row per canonical report URL: the report as its column lists it and its page "
                       "describes it, with a pointer to its current version. Rows are never deleted; a report "
                       "no longer listed gets gone_since.",
        "hidden": False,
        "columns": {
            "url": "Canonical URL of the report page (the portal's canonical scheme and host, no fragment); "
                   "primary key.",
            "portal": "Name of the portal the report was crawled under (the id of a registry row, crawler/registry.csv, or the host "
                      "name for a column crawl outside every registered portal).",
            "section": "Key of the portal's sub-column the report belongs to (the first folder below the column "
                       "root, e.g. bm, gq), or the portal's default section; null when not known.",
            "agency": "Publishing agency, read from the title (「广州市人社局2013年…」), else the page's source (来源) "
                      "unless that is 本网/本站.",
            "title": "Report title: the ArticleTitle meta tag, else the page's <h1>, else its <title>, else the list "
                     "entry's title (for a report published as a file: the list entry's title).",
            "report_year": "Year the report covers, as an integer, read from the title (2013年…, 2021 年度…).",
            "pub_date": "Publication date, ISO 8601 date (YYYY-MM-DD): the PubDate meta tag, a date printed on the "
                        "page, else the list entry's date.",
            "source": "Source (来源) of the page: the ContentSource meta tag or the 来源/发布机构 line printed above "
                      "the body, as written.",
            "list_title": "Title of the list entry the report was found under, as the list shows it.",
            "list_date": "Date printed next to the list entry, ISO 8601 date (YYYY-MM-DD), or null.",
            "found_on": "URL of the list page that linked the report.",
            "site_meta": "JSON object of the page's standard meta tags (SiteName, SiteIDCode, ColumnName, "
                         "ArticleTitle, PubDate, ContentSource …), name → content.",
            "attachments": "JSON list of the file links found on the page ({url, name}); for a report published as "
                           "a file, that file.",
            "first_seen": f"{_UTC} of the fetch that first stored the report.",
            "last_seen": f"{_UTC} of the last fetch that stored the page or found its content unchanged (a 304 "
                         "does not update it).",
            "last_listed": f"{_UTC} a list page last showed the report (also set when its page is stored).",
            "listed_in_job": "crawls.job_id of the last crawl that listed the report or stored its page.",
            "gone_since": f"{_UTC} a complete walk of the report's column first found it no longer listed; "
                          "null while listed (cleared when it is listed again).",
            "current_version": "versions.id of the report's current (latest stored) version.",
            "version_count": "Number of versions stored for the report.",
            "column": "Root URL of the column whose walk listed the report; a complete walk marks gone only the "
                      "reports of the column it walked (null for reports stored before schema 2).",
        },
    },
    "versions": {
        "title": "Versions",
        "description": "One row per distinct cleaned content (text and tables) of a report, with the hash of the "
                       "raw bytes it came from (kept in payloads) and how they were decoded and cleaned. Re-fetching unchanged content adds "
                       "no version; old versions stay.",
        "hidden": False,
        "columns": {
            "id": "Version id; primary key.",
            "report_url": "reports.url of the report this is a version of.",
            "created_at": f"{_UTC} of the fetch that produced this version.",
            "fetch_id": "fetches.id of the HTTP exchange this version was made from.",
            "raw_sha256": "sha256 hex of the raw bytes as fetched (the response body, decoded from any gzip "
                          "Content-Encoding); payloads.sha256 of those bytes.",
            "clean_sha256": "sha256 hex of the cleaned content (the text, a NUL, then the tables as sorted-key "
                            "JSON): the version's identity.",
            "text": "Cleaned text of the report (page chrome removed; for a report published as a file, the "
                    "text extracted from it); indexed for full-text search.",
            "text_simplified": "OpenCC simplified-character copy of the text, for pages in traditional characters "
                               "(so that simplified queries find them); null otherwise.",
            "tables": "JSON list of the report's tables, each {n_rows, n_cols, cells}: every cell once, as "
                      "[r, c, text] or [r, c, text, rowspan, colspan] (+ 1 for a header cell); the grid (rows of "
                      "cell texts, spans filled in) is derived when read (archive.tables.unpack_tables; the "
                      "library, exports and the web view give {n_rows, n_cols, cells as objects, grid}).",
            "raw_size": "Size of the raw bytes, in bytes.",
            "content_type": "Content-Type header of the response the version came from.",
            "encoding": "Python codec the raw bytes were decoded with (e.g. utf-8, gb18030); null for a report "
                        "published as a file.",
            "encoding_method": "How the encoding was decided: bom, http-header, meta, detected or fallback.",
            "encoding_declared": "Charset the server or the page declared, as written; null when none.",
            "encoding_confidence": "Detector confidence (0–1) when encoding_method is detected (1.0 for valid "
                                   "UTF-8); null otherwise.",
            "extractor": "What extracted the text and its version: trafilatura on a container or on the page, a "
                         "block walk (on a densest text block, or where trafilatura lost text), or for a file the "
                         "file extractor (e.g. pdfplumber and pypdfium2).",
            "software": "JSON object of the software versions that made the version (archive, trafilatura, lxml, "
                        "libxml2, chardet, opencc, python).",
            "container": "CSS selector (or description, e.g. densest text block …) of the main-text container "
                         "the text was taken from; null when none was used.",
            "removed": "JSON list of the chrome lines and blocks removed from the text, each {line, reason}.",
            "metadata": "JSON object of what was read from the page (title, page_title, meta, pub_date, source, "
                        "views, report_year, agency, document_info, traditional); for a file, {file: {kind, "
                        "pages, scanned}}.",
            "encoding_errors": "Number of byte sequences of the declared charset that did not decode and became "
                               "U+FFFD (0 when none).",
            "incomplete": "Why the text is known to lack part of the page (the parser gave up on the markup: "
                          "Chinese characters in the markup vs. in the parsed page); null when complete.",
        },
    },
    "fetches": {
        "title": "Fetches",
        "description": "One row per HTTP exchange or failed attempt, whatever came of it (list pages, report "
                       "pages, attachments, robots.txt, blocked, refused and failed requests): the provenance of "
                       "everything stored.",
        "hidden": False,
        "columns": {
            "id": "Fetch id; primary key.",
            "job_id": "crawls.job_id of the crawl that made the request.",
            "spider": "Name of the spider that made the request (a portal name, or column:<column URL> for the "
                      "column spider).",
            "url": "URL as requested (the first URL of a redirect chain).",
            "final_url": "URL of the response, after redirects; null for a failed request.",
            "redirect_chain": "JSON list of every URL of the redirect chain, first to last; null when not "
                              "redirected.",
            "method": "HTTP method: GET, or POST for Hanweb's further list pages (dataproxy.jsp).",
            "status": "HTTP status code of the response; null when no response came.",
            "outcome": "What came of the exchange: list, list-not-modified, report-new, report-changed, "
                       "report-unchanged, report-not-modified, attachment, attachment-not-modified, robots, "
                       "file-unreadable, error, <role>-redirect-refused, or why a response was rejected (blocked, "
                       "empty, not-found, http-error, not-html, no-body; list- or attachment- prefixed for those).",
            "reason": "Detail of the outcome: the failure or refusal reason, HTTP 304, a list page's summary "
                      "(reports, pages, sub-columns found); null for a stored report.",
            "content_type": "Content-Type response header, as sent.",
            "content_length": "Content-Length response header, as an integer (null when absent or not a number).",
            "etag": "ETag response header, as sent.",
            "last_modified": "Last-Modified response header, as sent.",
            "response_headers": "JSON object of all response headers, name (as sent) → list of values.",
            "bytes": "Length of the response body received, in bytes.",
            "sha256": "sha256 hex of the response body received.",
            "fetched_at": f"{_UTC} the response was received (or the request failed).",
            "duration_ms": "Download latency reported by Scrapy, in milliseconds.",
            "found_on": "URL of the page that linked the requested URL (a list page, or the report page of an "
                        "attachment).",
            "flags": "JSON list of Scrapy's response flags (cassette when the response was replayed from a "
                     "cassette).",
            "report_url": "reports.url of the report this fetch stored, confirmed or downloaded an attachment "
                          "for; null otherwise.",
            "version_id": "versions.id of the version this fetch stored or found unchanged; null otherwise.",
        },
    },
    "files": {
        "title": "Files",
        "description": "One row per distinct downloaded file content (attachments, and reports published as "
                       "files), identified by sha256 (the bytes are kept in payloads): what was extracted from them.",
        "hidden": False,
        "columns": {
            "sha256": "sha256 hex of the file's raw bytes (payloads.sha256: the bytes are kept there); primary key.",
            "size": "Size of the file, in bytes.",
            "kind": "File kind, from magic bytes, then the name's extension, then Content-Type: pdf, docx, doc, "
                    "wps, xlsx, xls, ofd or unknown.",
            "content_type": "Content-Type header the file was served with.",
            "extractor": "Extractor and its version (pdfplumber, python-docx, openpyxl, xlrd, antiword; for a PDF, "
                         "how many pages pdfplumber and how many pypdfium2 read); empty for a kind that is not "
                         "extracted.",
            "software": "JSON object of the software versions at extraction (archive, trafilatura, lxml, libxml2, "
                        "chardet, opencc, python).",
            "text": "Extracted text (empty when none could be read).",
            "tables": "JSON list of the tables extracted, each {n_rows, n_cols, cells}, stored as in "
                      "versions.tables (each cell once; the grid derived when read).",
            "pages": "Number of pages (PDF); null for other kinds.",
            "scanned": "1 for a PDF with no text layer (a scan; no OCR is done), else 0.",
            "error": "Why the file could not be read, one line for people (kind: detail); null when it was read.",
            "first_fetch_id": "fetches.id of the download that first stored this content.",
            "stored_at": f"{_UTC} the content was first stored (the time of that fetch).",
            "error_kind": "Why the file could not be read, as a kind: empty, too-large, encrypted, truncated, "
                          "corrupt, timeout, unsupported or missing-tool; null when it was read.",
        },
    },
    "attachments": {
        "title": "Attachments",
        "description": "One row per (report page, file URL): which report page links which file, under which "
                       "name, and which stored content the URL gave.",
        "hidden": False,
        "columns": {
            "id": "Attachment id; primary key.",
            "report_url": "reports.url of the report page that links the file.",
            "url": "URL of the file (the final URL of its download, or the URL the page links).",
            "name": "Name the page gives the file (the link text), as given; kept as data, never used as a path.",
            "sha256": "files.sha256 of the content last downloaded from the URL for this page.",
            "fetch_id": "fetches.id of the download the content came from; null when the link was made from a "
                        "content stored earlier without one.",
            "first_seen": f"{_UTC} the page was first linked to the file.",
            "last_seen": f"{_UTC} the link was last seen (stored or confirmed).",
        },
    },
    "payloads": {
        "title": "Payloads",
        "description": "One row per distinct body the archive keeps, identified by its sha256: report pages, "
                       "attachments, list pages, robots.txt, error and challenge pages, redirect bodies, POSTed "
                       "forms. Every other table points here; the same bytes fetched again are not stored again "
                       "(a revisit).",
        "hidden": False,
        "columns": {
            "sha256": "sha256 hex of the bytes (uncompressed); primary key.",
            "size": "Size of the bytes, uncompressed.",
            "compression": "How data holds them: zstd, zlib (moved from an older archive), none, or derived "
                           "(data is null: the bytes are derived_from's with its Content-Encoding undone).",
            "data": "The bytes, compressed as compression says; null when derived.",
            "derived_from": "For derived bytes: payloads.sha256 of the body as received (gzip-compressed by the "
                            "server), whose decoding they are; null otherwise.",
            "derivation": "For derived bytes: the Content-Encoding undone (gzip, x-gzip, deflate); null otherwise.",
            "stored_at": f"{_UTC} the bytes were first stored.",
        },
    },
    "captures": {
        "title": "Captures",
        "description": "One row per HTTP request and response as they crossed the wire — each redirect hop, "
                       "each retried error, the final answer — with the request (method, URL, headers, body) and "
                       "the response (status, headers and body as received, before a gzip Content-Encoding was "
                       "undone). What archive export --format warc writes as request/response records.",
        "hidden": False,
        "columns": {
            "id": "Capture id; primary key.",
            "fetch_id": "fetches.id of the exchange this hop belongs to (its last hop is the response the fetch "
                        "describes).",
            "hop": "Order within the fetch, from 0 (a redirect or a retry adds one).",
            "url": "URL requested in this hop (WARC-Target-URI).",
            "method": "HTTP method of the request.",
            "request_headers": "JSON list of [name, value] request headers as the crawler sent them (Host and "
                               "connection headers, added by the HTTP client, are not among them).",
            "request_body_sha256": "payloads.sha256 of the request body (a POSTed form); null when none.",
            "status": "HTTP status code of the response.",
            "reason": "Reason phrase as received; null when the HTTP client did not keep it (the WARC export "
                      "then writes the standard phrase).",
            "protocol": "HTTP version as received (HTTP/1.1); null when not known (a cassette replay).",
            "response_headers": "JSON list of [name, value] response headers as received (names as the HTTP "
                                "client gives them; repeated headers in order, grouped by name).",
            "payload_sha256": "payloads.sha256 of the response body as received.",
            "payload_size": "Size of the response body as received, in bytes.",
            "captured_at": f"{_UTC} the response was received (WARC-Date).",
            "ip_address": "IP address the response came from; null when not known.",
            "cassette": "1 when the response was replayed from a cassette (recorded or constructed), not "
                        "fetched from the site; else 0.",
            "truncated": "Why the body is incomplete (length: the connection ended before Content-Length); null "
                         "when complete.",
            "source": "Where the row comes from: wire (captured during a crawl), warc (imported with archive "
                      "import-warc), fetch (rebuilt at the schema 4 upgrade from a fetch row of an older archive: "
                      "request headers unknown, body decoded).",
            "warc_file": "For an imported capture: the name of the WARC file it came from.",
            "warc_record_id": "For an imported capture: the WARC-Record-ID of its response record.",
            "warc_offset": "For an imported capture: the byte offset of its response record in the WARC file.",
        },
    },
    "url_state": {
        "title": "URL state",
        "description": "One row per URL a crawl fetched (list page, report page, attachment): what the next "
                       "crawl needs to fetch only what changed. Internal.",
        "hidden": True,
        "columns": {
            "url": "The URL (a report's canonical URL, a list page's URL with a trailing index.html dropped, an "
                   "attachment's final URL); primary key.",
            "kind": "What the URL is: list, report or attachment.",
            "spider": "Name of the spider whose crawl state this is.",
            "etag": "ETag of the last response, sent back as If-None-Match.",
            "last_modified": "Last-Modified of the last response, sent back as If-Modified-Since.",
            "sha256": "sha256 hex of the last body received (a 304 keeps it).",
            "clean_sha256": "clean_sha256 of the last stored text and tables (reports).",
            "list_title": "Title of the list entry the report was found under (reports).",
            "list_date": "Date of the list entry the report was found under, ISO 8601 date (reports).",
            "links": "JSON object of what a list page showed: {entries: [[url, title, date] …], pages: [URLs], "
                     "folders: [sub-column URLs]} (lists), so that a 304 still knows them.",
            "last_status": "HTTP status of the last response.",
            "last_checked": f"{_UTC} the URL was last fetched.",
            "last_changed": f"{_UTC} the row was first written or, for a report, its stored content last changed.",
        },
    },
    "crawls": {
        "title": "Crawls",
        "description": "One row per crawl job: its spider, when it ran, how it ended, its Scrapy stats and the "
                       "software versions it ran with.",
        "hidden": False,
        "columns": {
            "job_id": "Crawl job id (<spider>-<UTC start, YYYYMMDDTHHMMSSZ>-<5 digits>, or ARCHIVE_JOB_ID); "
                      "primary key.",
            "spider": "Name of the spider crawled (a portal name, or column:<column URL>).",
            "started_at": f"{_UTC} the crawl started.",
            "finished_at": f"{_UTC} the crawl ended; null while it runs, or when it was killed before it "
                           "could record its end.",
            "finish_reason": "Scrapy's close reason (finished, shutdown, storage-failed …); null as for finished_at "
                             "(the next crawl then walks every list page).",
            "stats": "JSON object of all Scrapy stats at the end of the crawl (archive/* counters included).",
            "versions": "JSON object of the software versions the crawl ran with (archive, trafilatura, lxml, "
                        "libxml2, chardet, opencc, python).",
        },
    },
    "figure_sets": {
        "title": "Figure sets",
        "description": "One row per version whose statutory tables (表二/三/四 of the 2019/2021 template, or a "
                       "pre-2019 附表) were looked for, in the version's page and its attachments: the template "
                       "found, counts, failed checks, problems and sources.",
        "hidden": False,
        "columns": {
            "version_id": "versions.id the figures were read for; primary key.",
            "report_url": "reports.url of the version's report.",
            "template": "Template of the tables: 2021 or 2019 (from 表二's columns, else 表三's rows), pre2019 "
                        "(a 附表 only), or null (none found, or not told by the tables).",
            "statutory": "1 when table 三 or 四 of the national template was found, else 0.",
            "cells": "Number of cells stored in figures for this version.",
            "checks_run": "Number of consistency checks run (rows in figure_checks).",
            "checks_failed": "Number of those checks that failed.",
            "failed": "JSON list of the failed checks as rule:column strings (e.g. t3_balance:total).",
            "problems": "JSON list of cells and rows that could not be read (at most 50, then a count), or the "
                        "reader's error.",
            "source": "JSON object: for each table found (table2, table3, table4, table_pre2019), where it was "
                      "read from ({from: page|attachment, url, sha256, version_id for the page, table_index, "
                      "flattened: true when read from text}).",
            "computed_at": f"{_UTC} the figures were computed.",
            "software": "JSON object of the software version that computed them ({archive: version}).",
        },
    },
    "figures": {
        "title": "Figures",
        "description": "One row per cell of a version's statutory tables (表二/三/四) or pre-2019 附表: the value "
                       "as published, its raw text and where it was read.",
        "hidden": False,
        "columns": {
            "id": "Figure id; primary key.",
            "version_id": "versions.id the cell was read for.",
            "report_url": "reports.url of the version's report.",
            "template": "Template of the version's tables, as in figure_sets.template.",
            "table_name": "Table of the cell: table2, table3, table4 or table_pre2019.",
            "row_key": "Canonical row key (table2: rules, licensing …; table3: new, granted, refused_1 …; table4: "
                       "the group review, suit_direct or suit_after_review); for table_pre2019 the row's label as "
                       "published.",
            "column_key": "Canonical column key (table2: issued, made, decisions …; table3: natural_person … "
                          "total; table4: upheld, corrected, other, pending, total); for table_pre2019 value_1, "
                          "value_2 ….",
            "value": "The number as published (integers stay integers, decimals decimals, no declared type); "
                     "null for a blank, —, / or 无, and for text in a number cell.",
            "raw": "The cell's text as published.",
            "position": "JSON [row, column] of the cell in its table's grid.",
            "source": "JSON object of where the cell's table was read from, as in figure_sets.source.",
            "section": "table_pre2019 only: what the 附表's header row says before 指标 (e.g. 附表2 …); null "
                       "otherwise.",
            "unit": "table_pre2019 only: the row's unit (条, 件, 人次 …) as published; null otherwise.",
        },
    },
    "figure_checks": {
        "title": "Figure checks",
        "description": "One row per consistency check of the template run on a version's figures (t3_balance, "
                       "t3_outcomes, t3_columns, t4_groups); a report that fails one is kept as published.",
        "hidden": False,
        "columns": {
            "id": "Check id; primary key.",
            "version_id": "versions.id whose figures were checked.",
            "report_url": "reports.url of the version's report.",
            "rule": "The rule: t3_balance (new + carried_over = total + carried_forward), t3_outcomes (total = "
                    "sum of the outcome rows), t3_columns (the six applicant columns add up to total), t4_groups "
                    "(the four results add up to total).",
            "column_key": "What was checked: the table-三 column (t3_balance, t3_outcomes), the table-三 row "
                          "(t3_columns) or the table-四 group (t4_groups).",
            "ok": "1 when the check holds (within 1e-6), else 0.",
            "expected": "The sum of the parts (for t3_balance: new + carried_over), as a number.",
            "found": "The value compared with it (the total; for t3_balance: total + carried_forward).",
            "nulls_as_zero": "1 when blank cells were counted as 0 in the check, else 0.",
        },
    },
    "discoveries": {
        "title": "Discovered columns",
        "description": "One row per annual-report column a discovery crawl (scrapy crawl discover) found on a site, "
                       "with its evidence, and one row per site where it found none (column_url null). A site's "
                       "rows are replaced by each new discovery of it. archive registry discovered lists them; "
                       "archive registry add --from-discoveries copies confirmed ones into a registry file.",
        "hidden": False,
        "columns": {
            "id": "Row number; primary key.",
            "job_id": "crawls.job_id of the discovery crawl.",
            "homepage": "The homepage the discovery started from, as given.",
            "host": "Its host (host:port if not the default); only this host was crawled.",
            "column_url": "URL of the candidate column (a gkmlpt column: …/gkmlpt/index#<category>); null when "
                          "nothing was found on the site.",
            "platform": "CMS family the column's page was recognised as (nfcms, trs, hanweb, hunan, gkmlpt, generic).",
            "confirmed": "1 when the column's page (or its sub-columns) lists annual-report entries and the page is "
                         "a column of them, not a page that mentions one; 0 for a candidate that was not confirmed.",
            "score": "How sure the discovery is, 0–100: the name the column was linked or titled by, the number of "
                     "report entries it lists, and their share of the page's entries.",
            "reports": "Number of annual-report entries seen on the column (its first page and the sub-columns "
                       "looked at).",
            "years": "Report years those entries name, lowest–highest (e.g. 2016–2025), or empty.",
            "name": "The column's name: the text of the link that led to it, else its page's ColumnName or title.",
            "evidence": "JSON: path (the links followed from the homepage: url, text, via), entries (up to ten "
                        "report entries that confirmed it: url, title, date), sub_columns looked at, why (the "
                        "verdict in words).",
            "site": "JSON: the homepage's standard meta tags (SiteName, SiteIDCode, SiteDomain) and title: who the "
                    "site says it is (archive registry add reads agency and region code from them).",
            "requests": "Requests the discovery made on the site (robots.txt included); at most the budget "
                        "(ARCHIVE_DISCOVER_BUDGET, 50).",
            "note": "What was decided, in words; for a site where nothing was found, what was tried.",
            "found_at": f"{_UTC} the discovery of the site ended.",
        },
    },
    "meta": {
        "title": "Meta",
        "description": "Key/value facts about the archive file itself: schema_version, the schema the code "
                       "created or upgraded it to. Internal.",
        "hidden": True,
        "columns": {
            "key": "Name of the fact (schema_version); primary key.",
            "value": "Its value, as text (schema_version: an integer as text).",
        },
    },
}


def _md(text: str) -> str:
    """Plain text as Markdown text: ``<`` escaped (``<h1>``, ``<spider>`` are not HTML)."""
    return text.replace("<", "\\<")


def _cell(text: str) -> str:
    """Plain text as a Markdown table cell: ``|`` escaped too."""
    return _md(text).replace("|", "\\|")


def markdown() -> str:
    """The dictionary as Markdown (``docs/data-dictionary.md``), ending in a newline."""
    out = ["# Data dictionary", "",
           "Generated from `archive/dictionary.py` by `python -m archive.dictionary` "
           "(`python -m archive.dictionary > docs/data-dictionary.md`); do not edit by hand.", ""]
    for name, table in TABLES.items():
        description = table["description"]
        if table["hidden"]:
            description += " (Hidden in the web view.)"
        out += [f"## {name}", "", f"**{table['title']}.** {_md(description)}", "",
                "| column | description |", "|---|---|"]
        out += [f"| `{column}` | {_cell(text)} |" for column, text in table["columns"].items()]
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    sys.stdout.buffer.write(markdown().encode("utf-8"))
