"""Shared fixtures. Paths and builders live in fixture modules (``tests/paths.py``,
``tests/cassette_kit.py``, ``tests/crawl_kit.py`` …), never in test modules."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

import pytest

from crawler.run import run_crawl
from tests.paths import CASSETTES


@pytest.fixture
def db_path(tmp_path):
    return str(tmp_path / "archive.db")


@dataclass(frozen=True)
class Replayed:
    path: str  # the archive database (read it; copy it with ``gz_copy`` to change it)
    stats: dict  # the crawl's stats


@pytest.fixture(scope="session")
def gz_archive(tmp_path_factory) -> Replayed:
    """The recorded Guangzhou crawl (cassettes/guangzhou.yaml) replayed once for the whole session
    through the real spider, middlewares and pipeline. Tests only read it."""
    path = str(tmp_path_factory.mktemp("gz") / "archive.db")
    stats = run_crawl("guangzhou", {"CASSETTE": str(CASSETTES / "guangzhou.yaml"), "ARCHIVE_DB": path,
                                    "LOG_LEVEL": "WARNING"})
    return Replayed(path, stats)


@pytest.fixture
def gz_copy(gz_archive, tmp_path) -> str:
    """A private copy of the replayed Guangzhou archive, for tests that crawl into it again."""
    path = str(tmp_path / "archive.db")
    src, dst = sqlite3.connect(gz_archive.path), sqlite3.connect(path)
    with dst:
        src.backup(dst)
    src.close()
    dst.close()
    return path


@pytest.fixture(scope="session")
def web_archive(gz_archive, tmp_path_factory):
    """The archive the web view is tested on (``tests/web_kit.py``); tests only read it."""
    from tests.web_kit import build

    return build(str(tmp_path_factory.mktemp("web") / "archive.db"), gz_archive.path)
