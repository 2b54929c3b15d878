"""Score a cleaner's text against hand-written gold text, line by line.

Lines are compared after removing all whitespace and table pipes, so a table row written
``a | b`` matches ``| a | b |`` or ``a b``. A gold line is *recalled* when it appears in the
output (consecutive lines may have been merged into one); an output line is *precise* when it
appears in the gold text. Very short lines (≤ 2 characters, e.g. a lone ``0`` cell row) must
match a whole gold line. ``chrome`` counts output lines that are not body and look like page
furniture. ``cells`` counts the table cells of gold rows that came out whole.

Recall alone does not see paragraph structure: a body run together into one line recalls every
gold line. ``whole`` counts the gold lines that come out as one output line each (the line itself,
not merged with its neighbours nor split), separately for paragraphs and for table rows.

Used by the tests and the cleaning benchmark (``tools/bench_clean.py``); not part of the library.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_STRIP = re.compile(r"[\s\u3000\xa0|｜]+")
FURNITURE = re.compile(
    r"(听全文|分享到|分享|扫一扫|掃一掃|二维码|打印|关闭|字号|字体|ICP备|ICP備|公网安备|公網安備|网站标识码|"
    r"網站標識碼|主办|承办|主辦|承辦|版权所有|版權所有|当前位置|您的位置|上一篇|下一篇|责任编辑|编辑[:：]|"
    r"相关附件|相关新闻|相关链接|相关阅读|浏览次数|阅读次数|发布时间|来源[:：]|无障碍|繁體|长者版|关怀版|"
    r"首页|返回顶部|网站地图|联系我们|是否继续)"
)


def norm(line: str) -> str:
    return _STRIP.sub("", line)


@dataclass
class Score:
    gold_lines: int = 0
    recalled: int = 0
    out_lines: int = 0
    precise: int = 0
    chrome: int = 0
    cells: int = 0
    cells_recovered: int = 0
    paragraphs: int = 0  # gold lines that are not table rows
    paragraphs_whole: int = 0  # … that come out as one output line each
    rows: int = 0  # gold table rows
    rows_whole: int = 0
    missed: list | None = None
    extra: list | None = None
    merged: list | None = None  # gold lines found only inside a longer (or split) output line

    @property
    def recall(self) -> float:
        return self.recalled / self.gold_lines if self.gold_lines else 1.0

    @property
    def paragraph_share(self) -> float:
        """Share of gold lines (paragraphs and table rows) that come out as one whole line each."""
        n = self.paragraphs + self.rows
        return (self.paragraphs_whole + self.rows_whole) / n if n else 1.0

    @property
    def precision(self) -> float:
        return self.precise / self.out_lines if self.out_lines else (1.0 if not self.gold_lines else 0.0)

    def __iadd__(self, other: "Score") -> "Score":
        for f in ("gold_lines", "recalled", "out_lines", "precise", "chrome", "cells", "cells_recovered",
                  "paragraphs", "paragraphs_whole", "rows", "rows_whole"):
            setattr(self, f, getattr(self, f) + getattr(other, f))
        return self


def is_row(line: str) -> bool:
    """A gold line written as a table row (cells joined by ``|``)."""
    return " | " in line or line.endswith(" |") or line.startswith("| ")


def score(output: str, gold: str) -> Score:
    gold_lines = [g for g in (norm(x) for x in gold.splitlines()) if g]
    gold_raw = [x for x in gold.splitlines() if norm(x)]
    out_raw = [x for x in output.splitlines() if norm(x)]
    out_lines = [norm(x) for x in out_raw]
    out_text = "".join(out_lines)
    gold_text = "".join(gold_lines)
    gold_set, out_set = set(gold_lines), set(out_lines)
    s = Score(gold_lines=len(gold_lines), out_lines=len(out_lines), missed=[], extra=[], merged=[])
    for raw, g in zip(gold_raw, gold_lines):
        ok = g in out_set if len(g) <= 2 else g in out_text
        s.recalled += ok
        if not ok:
            s.missed.append(raw)
        whole = g in out_set
        if ok and not whole:
            s.merged.append(raw)
        if is_row(raw):
            n = raw.count("|") + 1
            s.cells += n
            s.cells_recovered += n if ok else 0
            s.rows += 1
            s.rows_whole += whole
        else:
            s.paragraphs += 1
            s.paragraphs_whole += whole
    for raw, o in zip(out_raw, out_lines):
        ok = o in gold_set if len(o) <= 2 else o in gold_text
        s.precise += ok
        if not ok:
            s.extra.append(raw)
            if FURNITURE.search(raw):
                s.chrome += 1
    return s
