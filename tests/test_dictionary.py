"""The data dictionary (``archive.dictionary``) describes every table and column of the schema,
and ``docs/data-dictionary.md`` is its rendering."""

from __future__ import annotations

import pytest

from archive.dictionary import TABLES, markdown
from archive.store import Archive
from tests.paths import ROOT

_INTERNAL = ("versions_fts", "sqlite_")  # the full-text index's shadow tables, SQLite's own


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    archive = Archive(str(tmp_path_factory.mktemp("dictionary") / "a.db"))
    yield archive
    archive.close()


def _tables(archive) -> list[str]:
    return [t for t in archive.db.table_names() if not t.startswith(_INTERNAL)]


def test_every_table_is_described(archive):
    tables = set(_tables(archive))
    missing, extra = sorted(tables - TABLES.keys()), sorted(TABLES.keys() - tables)
    assert not missing and not extra, f"tables not described: {missing}; described but not in the schema: {extra}"


@pytest.mark.parametrize("table", sorted(TABLES))
def test_every_column_is_described(archive, table):
    assert table in archive.db.table_names(), f"{table} is described but not in the schema"
    columns = set(archive.db[table].columns_dict)
    described = set(TABLES[table]["columns"])
    missing, extra = sorted(columns - described), sorted(described - columns)
    assert not missing and not extra, (f"{table}: columns not described: {missing}; "
                                       f"described but not in the schema: {extra}")


def test_every_description_is_filled_in():
    for name, table in TABLES.items():
        assert set(table) == {"title", "description", "columns", "hidden"}, name
        assert isinstance(table["title"], str) and table["title"].strip(), f"{name}: empty title"
        assert isinstance(table["description"], str) and table["description"].strip(), f"{name}: empty description"
        assert isinstance(table["hidden"], bool), f"{name}: hidden is not a bool"
        assert table["columns"], f"{name}: no columns"
        for column, text in table["columns"].items():
            assert isinstance(text, str) and text.strip(), f"{name}.{column}: empty description"
    assert {name for name, table in TABLES.items() if table["hidden"]} == {"url_state", "meta"}


def test_markdown_is_up_to_date():
    doc = (ROOT / "docs" / "data-dictionary.md").read_bytes().decode("utf-8")
    assert doc == markdown(), "docs/data-dictionary.md is stale: regenerate with " \
                              "python -m archive.dictionary > docs/data-dictionary.md"
