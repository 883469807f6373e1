"""Years: which year a fact belongs to, and which years in a sentence are only a base.

``与1949年比较``, ``比2000年``, ``由2000年的13.2%``, ``较2020年同期``, ``是2016年的2.4倍``,
``按1990年不变价``: a base or comparison year, never the year of the fact after it (the
starting value of a ``由…增至`` pair takes it). A year at the head of a sentence
(``2018年,全区…``) opens a stretch of text about that year, which lasts until another
head year.
"""

from __future__ import annotations

import re
from bisect import bisect_right

# (?<!\d) written after the century, so that the pattern starts with a literal and the
# regex engine jumps between candidate characters: the same as (?<!\d)((?:19|20)\d\d)年.
YEAR = re.compile(r"((?:19|20)(?<!\d..)\d\d)年")
# YEAR found from its 年 (a literal first: a fast scan; the century is a frequent digit), its
# digits by a lookbehind: a match starts at 年 and its year is group 1. Each 年 has one year
# before it, and a year holds no 年, so these are YEAR's matches, one for one (see _years).
_YEAR_END = re.compile(r"年(?<=(?<!\d)((?:19|20)\d\d)年)")
_BASE_BEFORE = re.compile(r"(?:比|较|与|由|同|自|从|是|相比|相当于|恢复到|回到|超过|按|以)\s*(?:上年|去年)?$")
_BASE_AFTER = re.compile(r"(?:同期|的水平|不变价|可比价|价格|以来|起|前(?![一二三四五六七八九十\d]+个?(?:月|季度))|"
                         r"底前|之前|为基期|相比|比较)")
_COMPARED_AFTER = re.compile(r"(?:同期|相比|比较)")
_HEAD_BEFORE = re.compile(r"(?:^|[。!?;\n,,:])\s*(?:在|于)?$")
_HEAD_AFTER = re.compile(r"(?![至到\-—~～]|\d|以来|起|计划|目标|力争|规划|要|将)")
# Years in Chinese numerals keep their length when written in digits: 二〇一二年 -> 2012年.
CN_YEAR = re.compile(r"[一二][〇零一二三四五六七八九]{3}(?=年)")
_CN_DIGIT = str.maketrans("〇零一二三四五六七八九", "00123456789")


# CN_YEAR found from its 年 (a literal first: a fast scan), the numerals by a lookbehind.
# Each 年 has one window of four before it, and a window holds no 年, so the matches are
# CN_YEAR's, one for one.
_CN_YEAR_END = re.compile(r"年(?<=[一二][〇零一二三四五六七八九]{3}年)")


def digits_for_chinese_years(text: str) -> str:
    pieces: list[str] = []
    pos = 0
    for m in _CN_YEAR_END.finditer(text):
        at = m.start() - 4
        pieces.append(text[pos:at])
        pieces.append(text[at:m.start()].translate(_CN_DIGIT))
        pos = m.start()
    if not pieces:
        return text
    pieces.append(text[pos:])
    return "".join(pieces)


def _years(text: str, start: int, end: int) -> list[tuple[int, int, int]]:
    """(start, end, year) of each match of YEAR.finditer(text, start, end)."""
    out = []
    for m in _YEAR_END.finditer(text, start, end):
        at = m.start(1)
        if at >= start:  # (the lookbehind sees before the window; YEAR's match starts in it)
            out.append((at, m.end(), int(m.group(1))))
    return out


def is_base(text: str, start: int, end: int) -> bool:
    """Whether the year written at text[start:end] (``2000年``) is a base or comparison year."""
    return bool(_BASE_BEFORE.search(text, max(0, start - 4), start)) or bool(_BASE_AFTER.match(text, end))


def year_spans(text: str, start: int, end: int) -> list[tuple[int, int, int]]:
    """(start, end, year) of the years written in text[start:end]. Two can't overlap, so
    the years of a window of it are those of the whole that lie in the window."""
    return _years(text, start, end)


def fact_years(text: str, start: int, end: int) -> list[int]:
    """The years in text[start:end] that a following fact may belong to."""
    return [y for a, b, y in _years(text, start, end) if not is_base(text, a, b)]


def base_year(text: str, start: int, end: int) -> int | None:
    """The last year named in text[start:end] as a comparison base (与1949年比较, 由2000年的)."""
    found = [y for a, b, y in _years(text, start, end)
             if _BASE_BEFORE.search(text, max(0, a - 4), a) and not text.startswith("按", a - 1)
             or _COMPARED_AFTER.match(text, b)]
    return found[-1] if found else None


class HeadYears:
    """Years at the head of sentences in a stretch of text, to carry over to what follows."""

    def __init__(self, text: str, start: int, end: int):
        self.pos: list[int] = []
        self.year: list[int] = []
        for a, b, y in _years(text, start, end):
            before = text[max(start, a - 3):a]
            if (_HEAD_BEFORE.search(before) or a == start) and _HEAD_AFTER.match(text, b) \
                    and not is_base(text, a, b) and not text.startswith("以来", b):
                self.pos.append(a)
                self.year.append(y)

    def at(self, pos: int) -> int | None:
        i = bisect_right(self.pos, pos) - 1
        return self.year[i] if i >= 0 else None
