"""Full-text search over the current versions of reports.

Terms are split on spaces and all must match. Terms of three or more characters go through the
FTS5 trigram index on ``versions.text`` and ``versions.text_simplified``; shorter ones (申请, 复议)
cannot — a trigram index finds nothing for them — and are matched with ``instr`` on the same two
columns. Simplified terms also find traditional-character reports, whose OpenCC copy is indexed.
Snippets are shown from the text as published.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

MIN_TRIGRAM = 3  # shorter terms cannot use the trigram index


class SearchError(ValueError):
    pass


@dataclass
class Results:
    hits: list[dict] = field(default_factory=list)  # url, portal, report_year, title, snippet
    total: int = 0  # how many reports match in all (hits may be cut at the limit)

    @property
    def more(self) -> int:
        return self.total - len(self.hits)


def _where(query: str, portals: Sequence[str]) -> tuple[list[str], str, list]:
    terms = [t for t in query.split() if t]
    if not terms:
        raise SearchError("empty search")
    where, params = ["v.id = r.current_version"], []
    long_terms = [t for t in terms if len(t) >= MIN_TRIGRAM]
    if long_terms:
        # each term a quoted phrase: FTS5 syntax characters in a term are text, not operators
        where.append("v.id IN (SELECT rowid FROM versions_fts WHERE versions_fts MATCH ?)")
        params.append(" AND ".join('"' + t.replace('"', '""') + '"' for t in long_terms))
    for t in terms:
        if len(t) < MIN_TRIGRAM:
            where.append("(instr(v.text, ?) > 0 OR instr(coalesce(v.text_simplified, ''), ?) > 0)")
            params += [t, t]
    if portals:
        where.append(f"r.portal IN ({', '.join('?' * len(portals))})")
        params += list(portals)
    return terms, " AND ".join(where), params


def search(db, query: str, portals: Sequence[str] = (), limit: int | None = 20, offset: int = 0) -> Results:
    """Reports whose current text holds every term of ``query``, newest report year first
    (``offset``: skip that many, for pages of results)."""
    terms, where, params = _where(query, portals)
    base = f"FROM reports r JOIN versions v ON v.report_url = r.url WHERE {where}"
    total = next(db.query(f"SELECT count(*) AS n {base}", params))["n"]
    sql = f"SELECT r.url, r.portal, r.report_year, r.title, v.text, v.text_simplified {base} ORDER BY r.report_year DESC, r.url"
    if limit is not None:
        sql += f" LIMIT {int(limit)} OFFSET {max(0, int(offset))}"
    hits = [{"url": row["url"], "portal": row["portal"], "report_year": row["report_year"], "title": row["title"],
             "snippet": snippet(row["text"], row["text_simplified"], terms[0])}
            for row in db.query(sql, params)]
    return Results(hits, total)


def snippet(text: str, simplified: str | None, term: str, width: int = 30) -> str:
    """Text around the first match, as published: a match in the simplified copy is shown from
    the published text when the conversion kept the length (character for character)."""
    i = text.find(term)
    if i < 0 and simplified:
        i = simplified.find(term)
        if i >= 0 and len(simplified) != len(text):
            text = simplified
    if i < 0:
        return ""
    start, end = max(0, i - width), min(len(text), i + len(term) + width)
    return ("…" if start else "") + text[start:end].replace("\n", " ⏎ ") + ("…" if end < len(text) else "")
