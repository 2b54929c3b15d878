"""Which software made a stored record: looked up once per process, recorded with every version."""

from __future__ import annotations

import functools
import platform
from importlib import metadata

from . import __version__


@functools.cache
def package_version(dist: str) -> str:
    """The installed version of a distribution, or ``"not installed"``."""
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


@functools.cache
def _versions() -> tuple[tuple[str, str], ...]:
    import lxml.etree

    return (
        ("archive", __version__),
        ("trafilatura", package_version("trafilatura")),
        ("lxml", ".".join(map(str, lxml.etree.LXML_VERSION))),
        ("libxml2", ".".join(map(str, lxml.etree.LIBXML_VERSION))),
        ("chardet", package_version("chardet")),
        ("opencc", package_version("opencc")),
        ("python", platform.python_version()),
    )


def software_versions() -> dict[str, str]:
    """The archive's own version and those of the libraries that decode and clean (a fresh dict)."""
    return dict(_versions())
