"""What every module of the package shares: where the repository and the shared material are,
China Standard Time, and ``check``/``BuildError``, the guards of the built fixtures (unlike
``assert``, they also run under ``python -O``)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # tools/cassette_build/base.py -> the repository
DEFAULT_SHARED = "../shared"  # relative to the repository root
CST = timezone(timedelta(hours=8))


class BuildError(Exception):
    """A built fixture, or the material it is built from, is not what the builder expects."""


def check(condition, message: str) -> None:
    """Raise ``BuildError(message)`` unless ``condition`` holds; ``message`` says what failed."""
    if not condition:
        raise BuildError(message)


def at(text: str) -> datetime:
    """``YYYY-MM-DD HH:MM:SS`` as a time in China Standard Time."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=CST)
