"""Places: the national gazetteer of provinces, prefectures and county-level divisions.

``data/gazetteer.tsv`` (built by ``scripts/build_gazetteer.py`` from JioNLP's copy of the
official code list, Apache-2.0) gives each division its code, full name, short name,
parent and former names. The text is searched for:

- full names (``崂山区``, ``景宁畲族自治县``) and former full names (``嫩江县``), and the
  short-plus-suffix name of an autonomous division (``都安县``, ``湘西州``);
- short names of provinces and prefectures (``山东``, ``青岛``), except those that are
  everyday words (``大同``, ``日照``, ``安康``);
- short names of county-level divisions (``崂山``, ``肥西``) only inside a document that
  already names the county in full or names its prefecture: ``城阳`` or ``和平`` alone
  are words, not places.

Nothing is guessed from the shape of a word: a place that is not in the list is no place.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import NamedTuple

_DATA = Path(__file__).resolve().parent / "data" / "gazetteer.tsv"

# Short names that are everyday words or name other things first.
_COMMON_WORDS = {
    "大同", "长治", "安康", "来宾", "日照", "朝阳", "中山", "白山", "大庆", "新乡", "白银", "海东", "海北",
    "海西", "海南", "普洱", "文山", "红河", "玉树", "阿里", "吉安", "永州", "三明", "和平", "河东", "河西",
    "新华", "长安", "城关", "城中", "城东", "城西", "城南", "城北", "市中", "郊区", "矿区", "东区", "西区",
    "城区", "新区", "高新", "开发", "铁西", "铁东", "向阳", "前进", "东风", "红旗", "胜利", "友好", "和田",
    "东方", "安宁", "永定", "宝安", "南山", "北海", "桥东", "桥西", "新城", "新市", "中原", "龙华", "城阳",
    "平安", "定安", "万宁", "屯昌", "文昌", "琼海", "普陀", "江北", "江南", "江东", "青山", "东山", "西山",
    "仁和", "金平", "元宝", "丰泽", "鼓楼", "台江", "龙泉", "龙湖", "华容", "建设", "解放", "榆树", "双城",
    "双桥", "和顺", "太和", "长春", "吉林", "通化", "白云", "金山", "宝山", "大通", "城厢", "源汇",
    "光明", "港口", "海港", "东城", "西城", "大兴", "新兴", "富民", "安居", "兴业", "通道", "共和", "合作",
    "乐业", "清新", "滨江", "民权", "友谊", "新民", "安定", "长寿", "南岸", "钱塘", "盐田", "福田", "西湖",
    "新建", "开平", "安远", "永和", "安化", "文安", "新化", "和政",
}
# After a place name these make it part of another name: a street (株洲路, 香港东路), a school,
# a bank, a building, a river bank (河南岸), a region word (古城区域).
_NAME_GOES_ON = re.compile(
    r"[路街巷桥岸]|大道|大街|[东西南北中一二三四五六七八九十]+路|大学|学院|中学|小学|银行|大厦|广场|"
    r"域|籍|剧|菜|人(?!民|口)|话|牌|湾|港(?!区)|站|号|队|商会|大桥|机场"
)
# The characters a match of _NAME_GOES_ON can start with (a test derives them from it): after
# a name followed by another character, the pattern is not asked at all.
_GOES_ON_FIRSTS = "一七三东中九二五人八六剧北十南号商四域大学小岸巷广机桥港湾牌站籍菜街西话路银队"
# Names whose last two characters are a common noun: 增城区 in 新增城区, 古城区 in 古城区域.
_NOUN_TAIL = ("城区", "山区", "郊区", "矿区", "林区", "园区", "新区", "市区", "湖区", "港区", "海区", "江区")


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    short: str
    parent: str  # code, "" for a province
    formers: tuple[str, ...]

    @cached_property  # (a frozen dataclass still has a __dict__ for it)
    def level(self) -> int:
        """1 province, 2 prefecture, 3 county-level."""
        if self.code.endswith("0000"):
            return 1
        return 2 if self.code.endswith("00") else 3


class Mention(NamedTuple):  # a tuple: made for every place named, cheaper than a frozen dataclass
    start: int
    end: int
    code: str
    name: str  # the full name the text means (a former full name if it wrote one)
    short: bool  # written as a short name


class _Names:
    """Many names found in one pass over a text.

    Names ending in a division's suffix (省市县区州盟旗) are found from their last
    character: a scan for the suffix characters, then a table of the names ending with the
    two characters there. Other names (short names) by a scan for their first two
    characters. (A regular expression of thousands of alternatives runs at under 1 M
    chars/s; this runs at over 10.)"""

    _SUFFIX = "省市县区州盟旗"

    def __init__(self, names):
        self.by_pair: dict[str, list[str]] = {}
        self.by_tail: dict[str, list[str]] = {}
        for n in names:
            if len(n) < 2:
                continue
            if n[-1] in self._SUFFIX:
                self.by_tail.setdefault(n[-2:], []).append(n)
            else:
                self.by_pair.setdefault(n[:2], []).append(n)
            self.by_pair.setdefault(n[:2], [])
        for group in (*self.by_pair.values(), *self.by_tail.values()):
            group.sort(key=len, reverse=True)
        # tail -> [(length, names of that length)], longest first: one slice and one set
        # lookup per length instead of a comparison per name
        self.tail_lengths: dict[str, list[tuple[int, frozenset[str]]]] = {
            tail: [(n, frozenset(w for w in group if len(w) == n)) for n in sorted({len(w) for w in group}, reverse=True)]
            for tail, group in self.by_tail.items()}
        self.all_by_pair: dict[str, list[str]] = {}
        for n in names:
            if len(n) >= 2:
                self.all_by_pair.setdefault(n[:2], []).append(n)
        for group in self.all_by_pair.values():
            group.sort(key=len, reverse=True)
        pairs = [k for k, v in self.by_pair.items() if v]
        self.prefixes: dict[str, list[str]] | None = None  # see Gazetteer.prefixes_for
        # A few names (a document's own short names) are found by a search for each of their
        # first two characters (and last two): cheaper than compiling patterns for them.
        self.few = len(pairs) + len(self.by_tail) <= _FEW
        self.pairs = pairs
        self.starts = None
        self.tail_chars = ""  # the suffix characters that end names (searched when not few)
        if not self.few:
            firsts = "".join(sorted({k[0] for k in pairs}))
            seconds = "".join(sorted({k[1] for k in pairs}))
            # a first character then a lookahead (not a lookahead alone): the pattern starts
            # with a class, so the regex engine skips to candidates; each match is one
            # character long, so the next can start right after it, as before
            self.starts = re.compile(f"[{re.escape(firsts)}](?=[{re.escape(seconds)}])") if pairs else None
            self.tail_chars = "".join(sorted({k[1] for k in self.by_tail}))

    def match(self, text: str, i: int, end: int) -> str | None:
        """The longest name starting at text[i]."""
        for name in self.all_by_pair.get(text[i:i + 2], ()):
            if text.startswith(name, i) and i + len(name) <= end:
                return name
        return None

    def scan(self, text: str, start: int, end: int):
        """(start, end, name) of each name, left to right, longest at each place, not overlapping."""
        # (start, -end, name): sorted as they are, the longest first at each start (no two
        # have the same start and end)
        found: list[tuple[int, int, str]] = []
        if self.few:
            found = self._search(text, start, end)
        if self.tail_chars:
            lengths = self.tail_lengths
            # each suffix character found by str.find (a few characters: faster than a
            # pattern's scan for any of them)
            for suffix in self.tail_chars:
                j = text.find(suffix, start, end) + 1
                while j:
                    for n, names in lengths.get(text[j - 2:j], ()):
                        word = text[j - n:j]
                        if word in names and j - n >= start:
                            found.append((j - n, -j, word))
                            break
                    j = text.find(suffix, j, end) + 1
        if self.starts is not None:
            for m in self.starts.finditer(text, start, end):
                i = m.start()
                for name in self.by_pair.get(text[i:i + 2], ()):
                    if text.startswith(name, i) and i + len(name) <= end:
                        found.append((i, -i - len(name), name))
                        break
        found.sort()
        pos = start
        for i, j, name in found:
            if i >= pos:
                yield i, -j, name
                pos = -j


    def _search(self, text: str, start: int, end: int) -> list[tuple[int, int, str]]:
        """What ``scan`` finds before it sorts, for a few names: the longest name ending at
        each occurrence of a tail, and the longest starting at each occurrence of a pair, as
        (start, -end, name)."""
        found: list[tuple[int, int, str]] = []
        for tail, lengths in self.tail_lengths.items():
            j = text.find(tail, start, end) + 2
            while j > 1:
                for n, names in lengths:
                    word = text[j - n:j]
                    if word in names and j - n >= start:
                        found.append((j - n, -j, word))
                        break
                j = text.find(tail, j - 1, end) + 2
        for pair in self.pairs:
            i = text.find(pair, start, end)
            while i != -1:
                for name in self.by_pair[pair]:
                    if text.startswith(name, i) and i + len(name) <= end:
                        found.append((i, -i - len(name), name))
                        break
                i = text.find(pair, i + 1, end)
        return found


_FEW = 64


class Gazetteer:
    def __init__(self, rows: list[Division]):
        self.by_code = {d.code: d for d in rows}
        self.children: dict[str, list[str]] = {}
        for d in rows:
            self.children.setdefault(d.parent, []).append(d.code)
        # alias -> (code, name it stands for)
        self.global_names: dict[str, tuple[str, str]] = {}
        self.county_shorts: dict[str, list[str]] = {}
        taken = {d.name for d in rows} | {f for d in rows for f in d.formers}

        def add(alias: str, code: str, name: str) -> None:
            if alias in ("城区", "矿区", "郊区", "东区", "西区") or len(alias) < 2:
                return
            self.global_names.setdefault(alias, (code, name))

        for d in rows:
            add(d.name, d.code, d.name)
            for f in d.formers:
                if len(f) >= 3 or f.endswith("县"):
                    add(f, d.code, f)
            short = d.short
            if len(short) < 2 or short == d.name:
                continue
            if d.level < 3 and short not in _COMMON_WORDS:
                add(short, d.code, d.name)
            if d.level == 3 and short not in _COMMON_WORDS:
                self.county_shorts.setdefault(short, []).append(d.code)
            # 都安瑶族自治县 -> 都安县, 湘西土家族苗族自治州 -> 湘西州
            if "自治" in d.name:
                suffix = d.name[-1]
                if short + suffix not in taken:
                    add(short + suffix, d.code, d.name)
            # a development zone is written with its city: 石家庄高新区 (the name as written)
            if d.level == 3 and d.code[4] == "7" and d.parent in self.by_code:
                alias = self.by_code[d.parent].short + short
                if len(alias) >= 4 and alias not in taken:
                    add(alias, d.code, alias)
            # a district or city that was a county is still written 双流县 in older texts
            if d.level == 3 and d.name[-1] in "区市" and short + "县" not in taken and len(short) >= 2:
                add(short + "县", d.code, short + "县")
        self.names = _Names(self.global_names)
        self._shorts: _Names | None = None
        self._ancestors: dict[str, list[str]] = {}
        self._provinces: dict[str | None, str | None] = {}
        self._shorts_under: dict[str, list[tuple[str, str, str]]] = {}
        self._local_names: dict[frozenset[str], _Names] = {}

    @property
    def _short_names(self) -> _Names:
        if self._shorts is None:
            self._shorts = _Names(self.county_shorts)
        return self._shorts

    def _own_short_name(self, text: str) -> tuple[str, tuple[str, str]] | None:
        selves = Counter(m.group(1) for m in re.finditer(r"(?:全|我|本)(区|县|市|旗)", text))
        if not selves:
            return None
        suffix = selves.most_common(1)[0][0]
        hits: Counter[str] = Counter()
        for _, end, short in self._short_names.scan(text, 0, len(text)):
            if end < len(text) and "\u4e00" <= text[end] <= "\u9fff":
                continue  # inside a phrase (新建停车场): a short name here stands alone (和合任泽”)
            codes = [c for c in self.county_shorts[short] if self.by_code[c].name.endswith(suffix)]
            if len(codes) == 1:
                hits[short] += 1
        if not hits:
            return None
        short = hits.most_common(1)[0][0]
        code = next(c for c in self.county_shorts[short] if self.by_code[c].name.endswith(suffix))
        return short, (code, self.by_code[code].name)

    def ancestors(self, code: str) -> list[str]:
        cached = self._ancestors.get(code)
        if cached is not None:
            return cached
        out: list[str] = []
        d = self.by_code.get(code)
        while d is not None and d.parent:
            out.append(d.parent)
            d = self.by_code.get(d.parent)
        self._ancestors[code] = out
        return out

    def province_of(self, code: str | None) -> str | None:
        """The province holding a division (the code itself for a province or a code
        outside the list)."""
        if code not in self._provinces:
            self._provinces[code] = next((c for c in self.ancestors(code) if self.level(c) == 1), code) \
                if code else code
        return self._provinces[code]

    def is_ancestor(self, a: str, b: str) -> bool:
        """Whether division ``a`` contains division ``b``."""
        return a in self.ancestors(b)

    def code_of(self, name: str) -> str | None:
        hit = self.global_names.get(name)
        return hit[0] if hit else None

    def level(self, code: str) -> int:
        return self.by_code[code].level

    def matcher(self, text: str) -> Matcher:
        """A matcher for one document: full names, and the short names its context allows."""
        found = list(_scan(self.names, self.global_names, text, 0, len(text)))
        context = {m.code for m in found}
        for code in list(context):
            context.update(self.ancestors(code))
        local: dict[str, tuple[str, str]] = {}
        preferred = {m.code: m.name for m in found if not m.short}
        if not found:
            # A text that calls itself 全区/全县 and names no division in full may still name
            # its own by the short name, once (a slogan: 和合任泽).
            own = self._own_short_name(text)
            if own is not None:
                local[own[0]] = own[1]
        for code in sorted(context):
            for short, c, name in self._shorts_at(code):
                local.setdefault(short, (c, preferred.get(c, name)))
        return Matcher(self, local, preferred, (text, found))

    def names_for(self, local: dict[str, tuple[str, str]]) -> _Names:
        """The finder of a document's local names; documents of one place share one."""
        key = frozenset(local)
        found = self._local_names.get(key)
        if found is None:
            if len(self._local_names) >= 256:
                self._local_names.clear()
            found = self._local_names[key] = _Names(local)
        return found

    def prefixes_for(self, local: _Names) -> dict[str, list[str]]:
        """A document's local names by their first two characters, each after the
        gazetteer's names of those characters (what strip_prefix tries, in its order);
        documents of one place share it, as they share their local names."""
        if local.prefixes is None:
            local.prefixes = {pair: self.names.all_by_pair.get(pair, []) + names
                              for pair, names in local.all_by_pair.items()}
        return local.prefixes

    def _shorts_at(self, code: str) -> list[tuple[str, str, str]]:
        """(short name, code, name) of the county-level division ``code`` and of those
        under it whose short name may stand alone, in that order; worked out once."""
        if code not in self._shorts_under:
            out = []
            for c in [code, *self.children.get(code, ())]:
                d = self.by_code[c]
                if d.level == 3 and len(d.short) >= 2 and d.short != d.name and d.short not in _COMMON_WORDS:
                    out.append((d.short, c, d.name))
            self._shorts_under[code] = out
        return self._shorts_under[code]


def _scan(names: _Names, table: dict[str, tuple[str, str]], text: str, start: int, end: int):
    for s, e, word in names.scan(text, start, end):
        code, name = table[word]
        yield Mention(s, e, code, name, name != word and len(word) < len(name))


class Matcher:
    def __init__(self, gaz: Gazetteer, local: dict[str, tuple[str, str]], preferred: dict[str, str],
                 scanned: tuple[str, list[Mention]] | None = None):
        self._scanned = scanned  # the document's own global scan, reused by find()
        self.gaz = gaz
        self.local = {short: hit for short, hit in local.items() if short not in gaz.global_names}
        self.local_names = gaz.names_for(self.local)
        self._prefixes = gaz.prefixes_for(self.local_names)
        self._global_prefixes = gaz.names.all_by_pair
        # the short names of districts named after their city (市北, 市南): see _child_at
        self._city_named = [(short, hit) for short, hit in self.local.items() if short[0] == "市"]
        self.preferred = preferred

    def find(self, text: str, start: int = 0, end: int | None = None) -> list[Mention]:
        end = len(text) if end is None else end
        out: list[Mention] = []
        if self._scanned is not None and self._scanned[0] is text and start == 0 and end == len(text):
            found = list(self._scanned[1])
        else:
            found = list(_scan(self.gaz.names, self.gaz.global_names, text, start, end))
        if self.local:
            found.extend(_scan(self.local_names, self.local, text, start, end))
            found.sort(key=lambda m: (m.start, -m.end))
            kept: list[Mention] = []
            for m in found:
                if not kept or m.start >= kept[-1].end:
                    kept.append(m)
            found = kept
        for m in found:
            name = self.preferred.get(m.code, m.name) if m.short else m.name
            word = text[m.start:m.end]
            if text[m.end:m.end + 1] in _GOES_ON_FIRSTS and _NAME_GOES_ON.match(text, m.end):
                continue
            if len(word) == 2 and word[-1] == "县" and m.start > 0 and "\u4e00" <= text[m.start - 1] <= "\u9fff" and \
                    text[m.start - 1] not in "省市州盟区":
                continue  # 和县 in 战略和县十六届人大: a two-character county needs a boundary
            if word.endswith(_NOUN_TAIL) and len(word) == 3 and m.start > 0 and \
                    "\u4e00" <= text[m.start - 1] <= "\u9fff" and text[m.start - 1] not in "省市州县区和与及":
                continue
            if word in ("市北", "市南", "市中") and (text[m.start - 1:m.start] == "城" or text.startswith(("部", "心"), m.end)):
                continue  # 城市北部, 城市中心
            d = self.gaz.by_code[m.code]
            if d.level == 2 and word.endswith("市"):
                # "青岛市北" / "青岛市南": the city's own district named after it
                child = self._child_at(text, m.end - 1, end, m.code)
                if child is not None:
                    out.append(child)
                    continue
            out.append(Mention(m.start, m.end, m.code, name, m.short))
        return out

    def _child_at(self, text: str, pos: int, end: int, parent: str) -> Mention | None:
        for short, (code, name) in self._city_named:
            if text.startswith(short, pos) and pos + len(short) <= end \
                    and self.gaz.by_code[code].parent == parent \
                    and not text.startswith(("部", "心", "级", "场"), pos + len(short)):
                return Mention(pos, pos + len(short), code, name, True)
        return None

    def strip_prefix(self, s: str) -> str:
        """``崂山区生产总值`` -> ``生产总值``: the longest full name it starts with, else the
        longest local short name."""
        pair = s[:2]
        for name in self._prefixes.get(pair) or self._global_prefixes.get(pair, ()):
            if s.startswith(name):
                return s[len(name):]
        return s


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    rows = []
    for line in _DATA.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        code, name, short, parent, formers = (line.split("\t") + [""] * 5)[:5]
        rows.append(Division(code, name, short, parent, tuple(f for f in formers.split(",") if f)))
    return Gazetteer(rows)

