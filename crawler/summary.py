"""The figures a crawl ends with, one line per spider (``scrapy crawl`` and ``scrapy crawlall``)."""

from __future__ import annotations

from archive.records import utcnow


def crawl_failure(stats: dict) -> str | None:
    """Why a finished crawl counts as failed, or None."""
    failed = stats.get("archive/failed")
    if failed:
        return str(failed)
    reason = stats.get("finish_reason")
    if reason and reason != "finished":
        return f"finish reason {reason}"
    if stats.get("cassette/miss"):
        return f"{stats['cassette/miss']} request(s) missing from the cassette"
    return None


def summarise(stats: dict) -> dict:
    """The figures a scheduled run reports for one spider."""
    def get(key):
        return int(stats.get(key) or 0)

    rejected = sum(int(v) for k, v in stats.items() if k.startswith("archive/rejected/"))
    return {
        "new": get("archive/reports/new"),
        "changed": get("archive/reports/changed"),
        "unchanged": get("archive/reports/unchanged") + get("archive/reports/not_modified")
        + get("archive/skipped_unchanged"),
        "gone": get("archive/reports/gone"),
        "failed": rejected + get("archive/fetch_errors") + get("archive/unreachable"),
        "requests": get("downloader/request_count"),
        "error": crawl_failure(stats),
    }


def format_summary(rows, started: str | None = None, finished: str | None = None) -> str:
    """``rows``: (spider, summarise(stats)). The first line dates the run (UTC), for cron logs."""
    width = max([12] + [len(name) for name, _ in rows])
    head = (f"{'spider':<{width}} {'new':>5} {'changed':>8} {'unchanged':>10} {'gone':>5} {'failed':>7} "
            f"{'requests':>9}  status")
    lines = [f"crawl summary {started or utcnow()} – {finished or utcnow()}", head, "-" * len(head)]
    for name, s in rows:
        lines.append(f"{name:<{width}} {s['new']:>5} {s['changed']:>8} {s['unchanged']:>10} {s['gone']:>5} "
                     f"{s['failed']:>7} {s['requests']:>9}  {s['error'] or 'ok'}")
    return "\n".join(lines)
