"""The manifest (the ground truth of a cassette) and writing the output files."""

from __future__ import annotations

import json
from pathlib import Path

from .base import ROOT
from .bodies import Block, Para, Table
from .exchanges import dump_yaml


def paragraph_texts(blocks: list[Block]) -> list[str]:
    """The text of every paragraph, in order."""
    return [b.text for b in blocks if isinstance(b, Para)]


def table_texts(blocks: list[Block]) -> list[list[list[str]]]:
    """Every table as rows of cell texts, in order."""
    return [[[c.text for c in row] for row in b.rows] for b in blocks if isinstance(b, Table)]


def table_spans(blocks: list[Block]) -> list[list[list[tuple[int, int]]]]:
    """Every table as rows of (rowspan, colspan), in order."""
    return [[[(c.rowspan, c.colspan) for c in row] for row in b.rows] for b in blocks if isinstance(b, Table)]


def manifest_report(r, section: str, listed_as: str, traditional: bool = False, attachments=()) -> dict:
    """A report's manifest entry. ``r`` has ``n``, ``url``, ``title``, ``agency``, ``year``,
    ``date``, ``source`` and ``blocks``; the rest is given by the builder."""
    return {
        "n": r.n,
        "url": r.url,
        "listed_as": listed_as,
        "section": section,
        "title": r.title,
        "agency": r.agency,
        "report_year": r.year,
        "pub_date": r.date,
        "source": r.source,
        "traditional": traditional,
        "paragraphs": paragraph_texts(r.blocks),
        "tables": table_texts(r.blocks),
        "attachments": list(attachments),
    }


def manifest(column: str, reports: list[dict], non_reports: list[str], list_pages: list[str],
             file_reports: list[dict] = (), attachment_files: dict | None = None,
             encoding: dict | None = None) -> dict:
    """The ground truth of a cassette (the schema all manifests share): the column, the
    reports' entries (``manifest_report``), reports that are only a file, the attachment
    files, the listed non-reports and the list pages. ``encoding``: how a page is to be
    decoded, where the builder states it."""
    out = {"column": column}
    if encoding is not None:
        out["encoding"] = encoding
    out.update({
        "reports": reports,
        "file_reports": list(file_reports),
        "attachment_files": attachment_files or {},
        "non_reports": non_reports,
        "list_pages": list_pages,
    })
    return out


def write_outputs(cassette_out: str, data: dict, manifest_out: str, manifest_data: dict) -> Path:
    """Write the cassette (YAML) and the manifest (JSON) below the repository root; returns
    the cassette's path."""
    cassette_path = ROOT / cassette_out
    cassette_path.parent.mkdir(parents=True, exist_ok=True)
    cassette_path.write_bytes(dump_yaml(data))
    manifest_path = ROOT / manifest_out
    manifest_path.parent.mkdir(parents=True, exist_ok=True)
    manifest_path.write_bytes((json.dumps(manifest_data, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    return cassette_path
