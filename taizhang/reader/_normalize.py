"""Normalise text for reading while remembering where every character came from.

``Normalized.text`` is what the grammar reads; ``Normalized.span(start, end)`` gives the
offsets in the original text of a normalised span, so every fact quotes the original.

What changes, in one pass of edits over the text:

- traditional characters become simplified, full-width digits and punctuation half-width
  (both keep the length);
- pinyin after a character goes: 進(jìn) -> 进;
- HTML tags go (a block tag becomes a line break, a table cell a ``|``), so a page saved as
  source reads like the page;
- spaces that a PDF text layer puts inside words and numbers go: ``地 区生产总值``,
  ``2590 亿元``, ``28. 1%``; spaces between two numbers stay (they separate table cells);
- a hard line break inside a sentence goes: a prose line that ends mid-clause continues on
  the next line (``国\\n民生产总值``, ``增长54.\\n9倍``). Headings, table rows and lines that
  end a sentence keep their breaks.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from ._periods import digits_for_chinese_years

# The edits, as one pattern of alternatives found in one pass, in text order. No two
# of them can start at the same character, and none but a tag can hold another's start (a
# tag is always removed, and whatever it holds goes with it), so one pass finds exactly
# the edits that separate passes would. Each alternative starts with a literal character
# (the pinyin's lookbehind comes after its parenthesis), so the text is scanned fast.
_PINYIN = (
    r"\((?<=[\u3400-\u9fff?\ufffd]\()"
    r"[a-zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜńňǹḿ]{1,6}"
    r"\)"
)
_CJK = r"\u3001-\u303f\u4e00-\u9fff\uff01-\uff0f%‰“”‘’()《》、,。;:!?"
_OPEN_END = r",、\u4e00-\u9fff\d.A-Za-z(“"  # a line that ends so may go on (_ENDS_OPEN)
_TAG = r"|<(/?[a-zA-Z][a-zA-Z0-9]*)\b[^<>]{0,500}>|<!--.{0,2000}?-->"
_ENTITY = r"|&nbsp;"
_EDITS = re.compile(
    rf"{_PINYIN}"
    rf"{_TAG}"  # a tag
    rf"{_ENTITY}"
    # Spaces: a run of two or more or a tab (a table's columns, or inside a word), and a
    # single space only where _SPACE_INSIDE, _YEAR_SPLIT or _DECIMAL_SPLIT would find one:
    # the others stay anyway, and so are not even visited. (Written " [ \t]+|\t[ \t]*", not
    # "[ \t]{2,}|\t": the same matches, and every alternative starts with a literal, so the
    # regex engine scans for their first characters instead of trying the pattern at every
    # position; a test holds it to the plain form.)
    r"| [ \t]+|\t[ \t]*"
    rf"| (?:(?<=[{_CJK}\d] )(?=[{_CJK}])|(?<=[{_CJK}] )(?=\d)|(?<=\d )(?=\.\d)|(?<=\d\. )(?=\d)"
    r"|(?<!\d.. )(?<=(?:19|20) )(?=\d\d年))"
    # A line break where the character before it (spaces aside) may go on: _wrapped
    # refuses the others.
    rf"|\r\n(?<=[{_OPEN_END} \t\r]\r\n)|\n(?<=[{_OPEN_END} \t\r]\n)",
    re.S,
)
# Most texts hold no "<" and no "&": for them, the same pattern without the tag and the
# entity (which start with those) finds the same edits, and scans faster.
_EDITS_PLAIN = re.compile(_EDITS.pattern.replace(_TAG, "", 1).replace(_ENTITY, "", 1), re.S)
# The kind of an edit, by its first character (named groups would cost the fast scan).
_EDIT_KIND = {"(": "pinyin", "<": "tag", "&": "entity", " ": "space", "\t": "space", "\r": "wrap", "\n": "wrap"}
_BLOCK_TAGS = {"p", "br", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol",
               "section", "article", "title", "/p", "/div", "/li", "/tr", "/h1", "/h2", "/h3", "/h4",
               "/h5", "/h6", "/table", "/title"}
_CELL_TAGS = {"td", "th", "/td", "/th"}
# A line that continues on the next one: prose (it has a clause mark in it) ending mid-clause.
_ENDS_OPEN = re.compile(rf"[{_OPEN_END}]$")
_PROSE = re.compile(r"[,、。;,;]")
_STARTS_BLOCK = re.compile(
    r"\s*(?:[一二三四五六七八九十]+[、.]|[((][一二三四五六七八九十\d]+[))]|\d+[、.](?!\d)|[■●◆▲★☆○◎—-]|"
    r"第[一二三四五六七八九十\d]+[章节条部]|附[表件]|表\d|单位[::]|$)"
)
# Full-width ASCII (U+FF01-FF5E) to half-width: the seeds mix both. 畬 is a variant of 畲.
_WIDTH = {0xFF01 + i: 0x21 + i for i in range(94)} | {0x3000: 0x20, 0xA0: 0x20, ord("畬"): ord("畲")}
# A space inside a word or number: between Chinese characters, between them and digits,
# around a decimal point, inside a year (20 11年). Spaces between two numbers stay.
_SPACE_INSIDE = re.compile(
    rf"[{_CJK}\d][ \t]+[{_CJK}]|[{_CJK}][ \t]+\d|\d[ \t]+\.\d"
)
_DECIMAL_SPLIT = re.compile(r"\d\.[ \t]+\d")
_YEAR_SPLIT = re.compile(r"(?<!\d)(?:19|20)[ \t]+\d\d年")
_COLUMN_GAP = re.compile(r" {2,}|\t+")
_NUMBER_CELL = re.compile(r"^[-−]?\d+(?:,\d{3})*(?:\.\d+)?%?$")
_NEEDS_WIDTH = re.compile("[\uff01-\uff5e\u3000\xa0畬]")
# Runs left by a broken re-encoding: no fact may be read from inside one.
BROKEN = re.compile(r"[?\ufffd][?\ufffd]+")  # (a class first: a fast scan)


@lru_cache(maxsize=1)
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


# Characters only traditional text has, among the commonest of reports: a text without any
# of them needs no conversion (most texts are simplified; OpenCC is a fifth of reading).
_TRADITIONAL = re.compile(
    "[這為個們來說會對國過發時當動現還種開實與關經從點學機體長問題產業區進設項億萬總資額際應該"
    "們計劃與協縣電廣東華書務辦"
    "]"
)


_CONVERT_CHUNK = 64 * 1024


def to_simplified(text: str) -> str:
    """Traditional -> simplified, keeping the length (so offsets survive)."""
    if not _TRADITIONAL.search(text):
        return text
    # OpenCC's working memory grows with its input: a long text goes by blocks of lines.
    cuts = [0]
    while cuts[-1] < len(text):
        ends = [i for i in (text.find("\n", cuts[-1] + _CONVERT_CHUNK), text.find("。", cuts[-1] + _CONVERT_CHUNK))
                if i != -1]
        cuts.append(min(ends) + 1 if ends else len(text))
    return "".join(_simplified_block(text[a:b]) for a, b in zip(cuts, cuts[1:], strict=False))


def _simplified_block(text: str) -> str:
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
    original: str
    # The text is made of segments: segment k starts at text offset seg_text[k] and copies
    # the original from seg_orig[k] on.
    seg_text: list[int]
    seg_orig: list[int]

    def origin(self, i: int) -> int:
        k = bisect_right(self.seg_text, i) - 1
        return self.seg_orig[k] + (i - self.seg_text[k])

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original offsets of the normalised span [start, end)."""
        seg_text, seg_orig = self.seg_text, self.seg_orig  # origin() twice, without the calls
        k = bisect_right(seg_text, start) - 1
        j = bisect_right(seg_text, end - 1) - 1
        return seg_orig[k] + (start - seg_text[k]), seg_orig[j] + (end - 1 - seg_text[j]) + 1


def _wrapped(text: str, nl: int) -> bool:
    """Whether the line break at ``nl`` falls inside a sentence."""
    line_start = text.rfind("\n", 0, nl) + 1
    line = text[line_start:nl].rstrip("\r \t")
    if len(line) < 12 or "|" in line or not _ENDS_OPEN.match(line, len(line) - 1) or not _PROSE.search(line):
        return False
    nxt_end = text.find("\n", nl + 1)
    nxt = text[nl + 1:nxt_end if nxt_end != -1 else len(text)]
    return bool(nxt.strip()) and "|" not in nxt and not _STARTS_BLOCK.match(nxt)


def _aligned(text: str, start: int, end: int) -> bool:
    """Whether a run of spaces separates the cells of a table row: inside a line (not its
    indent) that is cut into three or more cells this way, one of them a number."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line = text[line_start:line_end if line_end != -1 else len(text)].strip()
    if not text[line_start:start].strip():
        return False
    cells = _COLUMN_GAP.split(line)
    if len(cells) < 3:
        return False
    # a row with a number, or a header: short labels and no sentence
    return any(_NUMBER_CELL.match(c) for c in cells) or (all(len(c) <= 12 for c in cells) and "。" not in line)


def normalize(original: str) -> Normalized:
    conv = original
    # A few distinct characters: one replace each, each found by a search that goes on from
    # where the last one was (all before it is done), not a list of every one.
    m = _NEEDS_WIDTH.search(conv)
    while m is not None:
        conv = conv.replace(m.group(), chr(_WIDTH[ord(m.group())]))
        m = _NEEDS_WIDTH.search(conv, m.start())
    conv = digits_for_chinese_years(to_simplified(conv))
    edits = _EDITS if "<" in conv or "&" in conv else _EDITS_PLAIN
    pieces: list[str] = []
    seg_text: list[int] = [0]
    seg_orig: list[int] = [0]
    pos = 0  # in the original
    out_len = 0
    for m in edits.finditer(conv):
        start, end = m.span()
        kind = _EDIT_KIND[conv[start]]
        if kind == "wrap":
            if not _wrapped(conv, end - 1):
                continue
            repl = ""
        elif kind == "space":
            if (end - start > 1 or conv[start] == "\t") and _aligned(conv, start, end):
                repl = "|"  # a column of a table aligned with spaces
            elif end - start > 1 or not (_SPACE_INSIDE.match(conv, max(0, start - 1)) or
                                         _YEAR_SPLIT.match(conv, max(0, start - 2)) or
                                         _DECIMAL_SPLIT.match(conv, max(0, start - 2))):
                continue
            else:
                repl = ""
        elif kind == "tag":
            name = (m.group(1) or "").lower()
            repl = "\n" if name in _BLOCK_TAGS else ("|" if name in _CELL_TAGS else "")
        elif kind == "entity":
            repl = " "
        else:
            repl = ""
        pieces.append(conv[pos:start])
        out_len += start - pos
        if repl:
            seg_text.append(out_len)
            seg_orig.append(start)
            pieces.append(repl)
            out_len += 1
        pos = end
        seg_text.append(out_len)
        seg_orig.append(pos)
    pieces.append(conv[pos:])
    return Normalized(text="".join(pieces), original=original, seg_text=seg_text, seg_orig=seg_orig)
