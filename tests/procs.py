"""Processes as Linux's /proc shows them: who is whose child, and who is still alive (tests that
kill a crawl check that nothing it started outlives it; benchmarks count its workers' CPU)."""

from __future__ import annotations

import os


def parent_of(pid: int | str) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (children, their children …), as of now."""
    parents = {int(p): parent_of(p) for p in os.listdir("/proc") if p.isdigit()}
    family, frontier = set(), {pid}
    while frontier:
        frontier = {p for p, parent in parents.items() if parent in frontier and p not in family}
        family |= frontier
    return family


def alive(pid: int) -> bool:
    """Running (not gone, not a zombie)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False
