"""What the cassette builders of ``tools/`` share.

``tools/build_guangzhou_cassette.py``, ``build_panyu_cassette.py``, ``build_tongxin_cassette.py``,
``build_songyuan_cassette.py`` and ``build_hengyang_cassette.py`` each construct one vcrpy cassette
of a government portal's annual-report column and a manifest of what was put in. Each keeps what
is particular to its portal (the template surgery, the list markup, the choice of reports); this
package holds what they all do the same way, one module per job:

* ``base``: the repository root, China Standard Time (``at``), and ``check``/``BuildError``, which
  guard every built fixture (explicit checks, so that ``python -O`` does not skip them);
* ``bodies``: report bodies as paragraphs and tables (``Para``, ``Cell``, ``Table``) and the tables
  of the national report templates;
* ``seeds``: bodies rebuilt from the seeds (``body_seed_000`` … ``body_seed_004``), with the checks
  that nothing of a seed was lost;
* ``pdf_bodies``: bodies rebuilt from report PDFs (``body_from_pdf``);
* ``markup``: rendering a body, exact-count string surgery on a fixed template (``sub_once``,
  ``replace_all``, ``replace_between``, ``set_meta``), list items and pager links;
* ``exchanges``: HTTP and the cassette: ``Clock``, ``ok`` (nginx-like 200), ``robots_txt``,
  ``dump_yaml``;
* ``manifests``: the manifest (``manifest_report``, ``manifest``) and ``write_outputs``;
* ``checks``: checks on the written files: vcrpy load and replay (``verify_cassette``), parsing a
  page's body back (``check_body``), template leftovers, line diffs against the template, list links;
* ``cli``: the command line: ``parse_shared``, ``print_interactions``, ``print_written``.

The builders put ``tools/`` on ``sys.path`` and ``import cassette_build as cc``; the names they use
are re-exported here. Plain functions and dataclasses; nothing here knows a particular portal.
"""

from .base import CST, DEFAULT_SHARED, ROOT, BuildError, at, check
from .bodies import Block, Cell, Para, Table
from .checks import (
    article_fragments,
    assert_undecodable,
    check_body,
    check_content_type,
    check_leftovers,
    check_links,
    check_listed_reports,
    check_titles,
    diff_template_lines,
    lines_with,
    links,
    meta_tags,
    squash,
    verify_cassette,
)
from .cli import parse_shared, print_interactions, print_written
from .exchanges import Clock, http_date, interaction, interaction_urls, linked_reports, ok, robots_txt
from .manifests import manifest, manifest_report, write_outputs
from .markup import (
    between,
    create_page_html,
    esc,
    list_item,
    page_name,
    pager_links,
    plain_text,
    render_body,
    render_table,
    replace_all,
    replace_between,
    set_meta,
    split_listing,
    sub_once,
)
from .pdf_bodies import body_from_pdf
from .seeds import (
    body_seed_000,
    body_seed_001,
    body_seed_002,
    body_seed_003,
    body_seed_004,
    check_seed_coverage,
    read_text,
    seed_004_summary,
    seed_path,
)

__all__ = [
    "CST", "DEFAULT_SHARED", "ROOT", "Block", "BuildError", "Cell", "Clock", "Para", "Table",
    "article_fragments", "assert_undecodable", "at", "between", "body_from_pdf", "body_seed_000",
    "body_seed_001", "body_seed_002", "body_seed_003", "body_seed_004", "check", "check_body",
    "check_content_type", "check_leftovers", "check_links", "check_listed_reports", "check_titles", "check_seed_coverage", "create_page_html",
    "diff_template_lines", "esc", "http_date", "interaction", "interaction_urls", "lines_with", "links",
    "linked_reports", "list_item", "manifest", "manifest_report", "meta_tags", "ok", "page_name",
    "pager_links", "parse_shared", "plain_text", "print_interactions", "print_written", "read_text",
    "render_body", "render_table", "replace_all", "replace_between", "robots_txt", "seed_004_summary",
    "seed_path", "set_meta", "split_listing", "squash", "sub_once", "verify_cassette", "write_outputs",
]
