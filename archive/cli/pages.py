"""``archive clean``: a saved page or file, read exactly as the crawl reads the same bytes."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict

from ..files import Extracted
from ..ingest import NotReadable, read_saved


def register(sub, common) -> None:
    p = sub.add_parser("clean", help="print the cleaned text of a saved page (or the text of a PDF/Office file)",
                       description="Read a saved page or file as the crawl would: a web page is decoded and "
                                   "cleaned; a PDF, Word, Excel or WPS file has its text and tables extracted. "
                                   "Example: archive clean page.html --url https://www.gz.gov.cn/…/post_4437743.html")
    p.add_argument("page", help="a saved HTML page, or a PDF/DOCX/DOC/XLS/XLSX/WPS file")
    p.add_argument("--url", help="the page's URL (resolves attachment links)")
    p.add_argument("--content-type", help="Content-Type header the server sent, if known")
    p.add_argument("--json", action="store_true", help="text, metadata, tables and removed chrome as JSON")
    p.set_defaults(func=clean)


def clean(args) -> int:
    try:
        result = read_saved(args.page, args.url, args.content_type)
    except NotReadable as exc:
        print(f"archive clean: {exc}", file=sys.stderr)
        return 2
    if isinstance(result, Extracted):
        return _print_file(args, result)
    if not result.is_report_page:
        print(f"archive clean: {args.page}: {result.kind}: {result.reason}", file=sys.stderr)
        return 1
    cleaned = result.cleaned
    if cleaned.incomplete:
        print(f"archive clean: {args.page}: incomplete: {cleaned.incomplete}", file=sys.stderr)
    if result.decoded.errors:
        print(f"archive clean: {args.page}: {result.decoded.errors} byte sequence(s) not valid "
              f"{result.decoded.encoding}, shown as U+FFFD", file=sys.stderr)
    if args.json:
        _dump({"url": args.url, "text": cleaned.text, "metadata": cleaned.metadata, "tables": cleaned.tables,
               "attachments": cleaned.attachments, "removed": cleaned.removed, "container": cleaned.container,
               "extractor": cleaned.extractor, "incomplete": cleaned.incomplete, **result.decoded.as_provenance()})
    else:
        sys.stdout.write(cleaned.text + "\n")
    return 0


def _print_file(args, extracted: Extracted) -> int:
    if extracted.error_kind:
        print(f"archive clean: {args.page}: a {extracted.kind} file that could not be read: {extracted.error}",
              file=sys.stderr)
        return 1
    if extracted.scanned:
        print(f"archive clean: {args.page}: a scanned PDF (no text layer, no OCR)", file=sys.stderr)
        return 1
    if args.json:
        _dump({"url": args.url, **asdict(extracted)})
    else:
        sys.stdout.write(extracted.text + "\n")
    return 0


def _dump(obj) -> None:
    json.dump(obj, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
