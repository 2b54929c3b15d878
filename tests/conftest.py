import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("ARCHIVE_SHARED", ROOT.parent / "shared"))
CORPUS = SHARED / "corpus" / "raw"
CASSETTES = ROOT / "cassettes"
DATA = Path(__file__).resolve().parent / "data"


def corpus_file(rel: str) -> bytes:
    path = CORPUS / rel
    if not path.is_file():
        pytest.skip(f"shared corpus not available: {rel}")
    return path.read_bytes()


@pytest.fixture
def db_path(tmp_path):
    return str(tmp_path / "archive.db")
