"""Where the tests find things: the repository, the shared reference folder beside it, cassettes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# ../shared beside the checkout (CI puts it there too); ARCHIVE_SHARED points elsewhere
SHARED = Path(os.environ.get("ARCHIVE_SHARED", ROOT.parent / "shared"))
CORPUS = SHARED / "corpus" / "raw"
CASSETTES = ROOT / "cassettes"
DATA = Path(__file__).resolve().parent / "data"


def corpus_file(rel: str) -> bytes:
    """The bytes of a real page or file of the shared corpus; the test is skipped without it."""
    path = CORPUS / rel
    if not path.is_file():
        pytest.skip(f"shared corpus not available: {rel}")
    return path.read_bytes()
