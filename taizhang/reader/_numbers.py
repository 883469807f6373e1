"""The lexer: numbers with their multipliers and units, as the reports write them.

``8000万元`` -> 8000 ``万元``; ``1500余万元`` -> 1500 ``万元``; ``1.9万余处`` -> 1.9 ``万处``;
``三十`` -> 30; ``两个`` -> 2 ``个``; ``千亿`` -> 1000 ``亿``; ``百分之五`` -> 5 ``%``.
Values are kept "as written" in the unit written; nothing is converted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from operator import attrgetter

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}

# Counter words and units, longest first so 万平方米 wins over 万 and 米.
UNITS = [
    "个百分点", "百分点", "个千分点", "千分点", "千公顷", "平方公里", "平方千米", "平方米", "立方米", "千瓦时", "标准箱", "万千瓦",
    "亿美元", "万美元", "亿欧元", "亿元", "万元", "千元", "美元", "元",
    "人次", "场次", "户次", "架次", "艘次", "车次", "批次", "轮次", "台套", "方面", "个月",
    "公顷", "公里", "千米", "千瓦", "兆瓦", "公斤", "吨", "斤", "亩", "米",
    "个", "家", "处", "条", "项", "人", "名", "件", "座", "所", "套", "户", "支", "张", "场", "次",
    "辆", "架", "只", "台", "栋", "幢", "间", "艘", "株", "棵", "部", "篇", "种", "类", "批", "宗",
    "笔", "例", "起", "床", "盏", "块", "节", "位", "天", "倍", "成", "头", "镇", "乡", "村", "份", "列",
    "%", "‰", "P", "TEU",
]
# A counter followed by these characters is the start of another word: 项目, 部门, 人员.
_WORD_AFTER_UNIT = {
    "项": "目", "部": "门署长分件", "处": "理置长罚室级", "所": "有在长属得以谓", "名": "称单额义誉",
    "条": "件例款", "场": "所景地面合馆", "种": "类植子", "类": "型别似", "次": "数要序生",
    "件": "事", "家": "庭乡居", "人": "员民才口们工均", "个": "人体性别案", "位": "于置列居",
    "起": "步草点来", "节": "能约点日", "批": "准复", "台": "阶风湾", "套": "餐", "支": "持出付撑",
    "张": "力", "倍": "增速数", "成": "为功立交果本效员熟长绩就型片都",
    "头": "部脑条",  "块": "钱", "笔": "者", "例": "如外", "米": "粮",
}


def _trie(words) -> str:
    """An alternation of words as a prefix tree (longest first at each branch): the regex
    engine then tries one branch per character instead of every word in turn."""
    tree: dict = {}
    for w in words:
        node = tree
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        branches = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(tree)


_UNIT_RE = _trie(UNITS)
UNIT_PATTERN = _UNIT_RE
# A minus sign only where no digit or letter comes before it (1-2处 is a range).
_ARABIC = r"(?:(?<![\dA-Za-z.])[-−])?(?:\d+(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
# 三万六千 is one number; 三万 is 三 and the multiplier 万 (kept in the unit as written).
_CN = "零〇一二两三四五六七八九十百千"
CN_NUMERALS = _CN
_CHINESE = rf"[{_CN}]+(?:[万亿][{_CN}]+)*(?:点[零〇一二三四五六七八九]+)?"
# A unit per unit: 元/平方米, 万元/亩.
_PER = r"(?:/(?:平方米|平方公里|亩|吨|人|户|年|月|天|小时|公里|千瓦时|立方米))?"
_MULT = r"万亿|千亿|百亿|千万|百万|万|亿"
MULTIPLIERS = _MULT

# A Chinese numeral counts only before a multiplier or a unit (一 in 统一 is no number).
#
# The same grammar as ``{_ARABIC}|{_CHINESE}(?=…)``, written to start with one character
# class (a minus, a digit or a Chinese numeral) and then go on by what that character was:
# a pattern that starts with a class lets the regex engine skip to the next candidate
# character instead of trying every branch at every position (4x faster over a report).
_NUM = (
    rf"[-−\d{_CN}](?:"
    rf"(?<=[-−])(?<![\dA-Za-z.].)(?:\d+(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?)"  # a minus: _ARABIC's sign
    rf"|(?<=\d)(?:\d*(?:,\d{{3}})+(?:\.\d+)?|\d*(?:\.\d+)?)"  # a digit: the rest of _ARABIC
    rf"|(?<=[{_CN}])[{_CN}]*(?:[万亿][{_CN}]+)*(?:点[零〇一二三四五六七八九]+)?"  # the rest of _CHINESE
    rf"(?=(?:余|多)?(?:{_MULT}|{_UNIT_RE})))"
)
NUMBER = re.compile(
    rf"(?P<num>{_NUM})"
    rf"(?P<approx1>余|多)?"
    rf"(?P<mult>{_MULT})?"
    rf"(?P<approx2>余|多)?"
    rf"(?P<unit>(?:{_UNIT_RE}){_PER})?"
)
_RANGE_BEFORE = re.compile(r"(\d+(?:\.\d+)?)[-~～至到]$")
PERCENT_WORDS = re.compile(r"百分之(?P<num>[零〇一二两三四五六七八九十百点.\d]+)")
FRACTION = re.compile(r"(?P<a>\d+)/(?P<b>\d+)(?![\d.%])")
HALF = re.compile(r"(?:一半|半数)(?P<approx>以上|左右)?")
DOUBLE = re.compile(r"翻(?P<n>一|两|二|三)番|翻番")


def chinese_to_number(s: str) -> float | None:
    """三十 -> 30, 一百零五 -> 105, 三万六千 -> 36000, 一点五 -> 1.5, 两 -> 2, 千 -> 1000;
    None if it is not one number (一二, 三四: a range or a list)."""
    if not s:
        return None
    if "点" in s:
        whole, _, frac = s.partition("点")
        w = chinese_to_number(whole)
        if w is None or not frac or any(ch not in _CN_DIGITS for ch in frac):
            return None
        return float(f"{int(w)}." + "".join(str(_CN_DIGITS[ch]) for ch in frac))
    if all(ch in _CN_DIGITS for ch in s):
        if len(s) == 1:
            return float(_CN_DIGITS[s])
        return None
    total = 0.0
    for big, mult in (("亿", 1e8), ("万", 1e4)):
        if big in s:
            head, _, s = s.partition(big)
            part = _below_ten_thousand(head) if head else 1
            if part is None:
                return None
            total += part * mult
    rest = _below_ten_thousand(s) if s else 0
    return None if rest is None else float(total + rest)


def _below_ten_thousand(s: str) -> float | None:
    total, current = 0, None
    for ch in s:
        if ch in ("零", "〇"):
            current = None
        elif ch in _CN_DIGITS:
            if current is not None:
                return None
            current = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            total += (1 if current is None else current) * _CN_UNITS[ch]
            current = None
        else:
            return None
    if current is not None:
        total += current
    return float(total)


def parse_number(s: str) -> float | None:
    if s[0].isdigit() or s[0] in "-−" and len(s) > 1:
        return float(s.replace(",", "").replace("−", "-"))
    return chinese_to_number(s)


@dataclass(slots=True)
class Number:
    start: int  # of the number
    end: int  # after the unit (and approximation marks)
    value: float
    unit: str
    chinese: bool
    approx: bool
    raw: str


def lex(text: str, start: int = 0, end: int | None = None) -> list[Number]:
    """Every number with a unit (or 万/亿 multiplier) in text[start:end]."""
    end = len(text) if end is None else end
    out: list[Number] = []
    size = len(text)
    for m in NUMBER.finditer(text, start, end):
        num, approx1, mult, approx2, u = m.groups()
        e = m.end()
        if u and e < size and text[e] in _WORD_AFTER_UNIT.get(u.split("/")[0], ""):
            m = NUMBER.match(text, m.start(), m.start("unit"))  # the unit was the start of a word
            if m is None:
                continue
            num, approx1, mult, approx2, u = m.groups()  # no unit: the match ends where it began
            e = m.end()
        unit = (mult or "") + (u or "")
        if not unit:
            continue
        if u is None and mult == "万":
            # "8000万项目" means 万元; "1.9万城乡低保人员" means 万人.
            rest = text[e:e + 12]
            if rest.startswith(("项目", "投资", "资金")):
                unit = "万元"
            elif _PEOPLE_AFTER.match(rest):
                unit = "万人"
            else:
                continue
        first = num[0]
        chinese = not (first.isdigit() or first in "-−")
        if chinese:
            value = chinese_to_number(num)
            if value is None:
                continue
        else:
            value = float(num.replace(",", "").replace("−", "-"))
        if u is None and mult in ("亿", "万亿", "千亿", "百亿"):
            nxt = text[e:e + 2]
            if nxt[:1] and "\u4e00" <= nxt[:1] <= "\u9fff" and not nxt.startswith(("大关", "以上", "左右", "规模")):
                continue  # "28亿斤", "千亿级": some other measure or a qualifier
            unit = mult + "元"  # 达到千亿 / 突破900亿: money, by the reports' usage
        start_at = m.start()
        if start_at and not chinese and text[start_at - 1] in "-~～至到":
            rng = _RANGE_BEFORE.search(text, max(0, start_at - 8), start_at)
            if rng:
                start_at -= len(rng.group(0))  # a range "1-2处": the upper bound, as written last
        out.append(Number(start_at, e, value, unit, chinese, bool(approx1 or approx2), text[start_at:e]))
    if text.find("百分之", start, end) != -1:
        for m in PERCENT_WORDS.finditer(text, start, end):
            raw = m.group("num").replace("点", ".")
            value = parse_number(raw) if raw[0].isdigit() else _chinese_decimal(raw)
            if value is not None:
                out.append(Number(m.start(), m.end(), value, "%", True, False, m.group(0)))
    if len(out) < 2:
        return out
    out.sort(key=_START)
    return _drop_overlaps(out)


_START = attrgetter("start")
_PEOPLE_AFTER = re.compile(r"[^,。;、]{0,8}?(?:人员|居民|群众|学生|人)")


def _chinese_decimal(s: str) -> float | None:
    if "." in s:
        whole, frac = s.split(".", 1)
        w = chinese_to_number(whole)
        digits = "".join(str(_CN_DIGITS.get(ch, "")) for ch in frac)
        return None if w is None or not digits else float(f"{int(w)}.{digits}")
    return chinese_to_number(s)


def _drop_overlaps(numbers: list[Number]) -> list[Number]:
    kept: list[Number] = []
    for n in numbers:
        if kept and n.start < kept[-1].end:
            if (n.end - n.start) > (kept[-1].end - kept[-1].start):
                kept[-1] = n
            continue
        kept.append(n)
    return kept
