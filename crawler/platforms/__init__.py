"""CMS-family knowledge: how list pages list, paginate and link detail pages.

Each module exposes a ``PLATFORM`` (a :class:`crawler.platforms.common.Platform`);
``PLATFORM_NAMES`` are the modules that do (``archive.registry.PLATFORMS`` names the same, for
checking a registry without the crawler).
"""

from __future__ import annotations

import importlib
import pkgutil

from .common import Platform


def get_platform(name: str) -> Platform:
    try:
        module = importlib.import_module(f"{__name__}.{name}")
    except ModuleNotFoundError as exc:
        raise ValueError(f"unknown platform {name!r}") from exc
    return module.PLATFORM


PLATFORM_NAMES: tuple[str, ...] = tuple(sorted(
    info.name for info in pkgutil.iter_modules(__path__)
    if hasattr(importlib.import_module(f"{__name__}.{info.name}"), "PLATFORM")))
