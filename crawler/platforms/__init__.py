"""CMS-family knowledge: how list pages list, paginate and link detail pages.

Each module exposes a ``PLATFORM`` (a :class:`crawler.platforms.common.Platform`).
"""

from __future__ import annotations

import importlib

from .common import Platform


def get_platform(name: str) -> Platform:
    try:
        module = importlib.import_module(f"{__name__}.{name}")
    except ModuleNotFoundError as exc:
        raise ValueError(f"unknown platform {name!r}") from exc
    return module.PLATFORM
