"""The result of reading one file."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Extracted:
    kind: str  # pdf | docx | doc | wps | xlsx | xls | ofd | unknown
    text: str = ""
    tables: list[dict] = field(default_factory=list)
    pages: int | None = None
    scanned: bool = False  # a PDF with no text layer (no OCR)
    extractor: str = ""
    error_kind: str | None = None  # one of archive.files.errors.KINDS, None when read
    error_detail: str = ""

    @property
    def error(self) -> str | None:
        """The failure in one line for people (``encrypted: …``), None when the file was read."""
        if self.error_kind is None:
            return None
        return f"{self.error_kind}: {self.error_detail}" if self.error_detail else self.error_kind

    @classmethod
    def failed(cls, kind: str, error_kind: str, detail: str = "", **fields) -> "Extracted":
        return cls(kind=kind, error_kind=error_kind, error_detail=detail, **fields)
