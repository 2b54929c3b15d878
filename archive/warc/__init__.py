"""The archive and the web-archiving world's formats: WARC out (``export``), WACZ out
(``wacz``), WARC in (``ingest``: ``archive import-warc``), and SURT keys for their indexes."""

from __future__ import annotations

from .export import Selection, Written, cdxj_lines, write_warc
from .surt import surt

__all__ = ["Selection", "Written", "cdxj_lines", "surt", "write_warc"]
