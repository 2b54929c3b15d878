"""Project commands (``COMMANDS_MODULE``)."""

from __future__ import annotations

from scrapy.exceptions import UsageError


def check_registry(settings) -> None:
    """Refuse, in one line, a registry (``-s ARCHIVE_REGISTRY=…`` / ``$ARCHIVE_REGISTRY``) that cannot
    be read or has problems — before the spider loader reads it."""
    from archive.registry import RegistryError, load
    from crawler.platforms import PLATFORM_NAMES

    try:
        load(settings.get("ARCHIVE_REGISTRY") or None, PLATFORM_NAMES)
    except RegistryError as exc:
        raise UsageError(str(exc), print_help=False) from exc
