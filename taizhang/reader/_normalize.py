"""Normalise text for reading while remembering where every character came from.

``Normalized.text`` is what the grammar reads (simplified characters, half-width digits
and punctuation, pinyin annotations removed); ``Normalized.origin[i]`` is the offset in
the original text of ``text[i]``, so every fact can quote the original exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# A pinyin annotation right after a character: 進(jìn), 區(qū). Real parentheses hold
# Chinese or capitalised words and stay.
_PINYIN = re.compile(
    r"(?<=[\u3400-\u9fff?\ufffd])[(\uff08]"
    r"[a-zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜńňǹḿ]{1,6}"
    r"[)\uff09]"
)
# Full-width ASCII (U+FF01-FF5E) to half-width: the seeds mix both.
_WIDTH = {0xFF01 + i: 0x21 + i for i in range(94)}
# Runs left by a broken re-encoding: no fact may be read from inside one.
BROKEN = re.compile(r"[?\ufffd]{2,}")


@lru_cache(maxsize=1)
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional -> simplified, keeping the length (so offsets survive)."""
    converted = _converter().convert(text)
    if len(converted) == len(text):
        return converted
    # A phrase conversion changed the length somewhere: fall back line by line, then char by char.
    out = []
    for line in text.splitlines(keepends=True):
        c = _converter().convert(line)
        if len(c) != len(line):
            c = "".join(ch2 if len(ch2 := _converter().convert(ch)) == 1 else ch for ch in line)
        out.append(c)
    return "".join(out)


@dataclass
class Normalized:
    text: str
    origin: list[int]
    original: str

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original offsets of the normalised span [start, end)."""
        return self.origin[start], self.origin[end - 1] + 1


def normalize(original: str) -> Normalized:
    pieces: list[str] = []
    origin: list[int] = []
    pos = 0
    for m in _PINYIN.finditer(original):
        pieces.append(original[pos:m.start()])
        origin.extend(range(pos, m.start()))
        pos = m.end()
    pieces.append(original[pos:])
    origin.extend(range(pos, len(original)))
    text = "".join(pieces).translate(_WIDTH).replace("\u3000", " ").replace("\xa0", " ")
    text = to_simplified(text)
    return Normalized(text=text, origin=origin, original=original)
