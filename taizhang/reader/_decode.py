"""Bytes to text: detect the encoding (UTF-8 with or without BOM, UTF-16, GB18030/GBK, Big5)."""

from __future__ import annotations

import codecs

from ._errors import BinaryInput, EmptyInput, UndecodableInput

# The most frequent characters of modern Chinese, in simplified and traditional forms.
# A wrong decoding produces rare characters, so the candidate with more of these wins.
_COMMON = set(
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定"
    "行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些"
    "然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公"
    "无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将"
    "组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金"
    "增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类"
    "八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非"
    "验连断深难近千周委素技备半办青省列习响约支般史感劳便团往历市克何除消构府称太准精值号率族维划选标写存候亲快效院查"
    "江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严龙飞"
    "這為個們來說會對國過發時當動現還種開實與關經從點學機體長問題產業區進設項億萬總資額際應該"
)


def _score(text: str) -> float:
    if not text:
        return 0.0
    sample = text[:20000]
    cjk = sum(1 for ch in sample if "\u4e00" <= ch <= "\u9fff")
    if not cjk:
        return 0.0
    return sum(1 for ch in sample if ch in _COMMON) / cjk


def decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name). Raises a ReaderError with a message in Chinese."""
    if not data or not data.strip():
        raise EmptyInput("文件为空")
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                      (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(name), name
    head = data[:8192]
    if b"\x00" in head:
        # UTF-16 without a byte-order mark: ASCII characters leave every other byte zero.
        text = _utf16(data)
        if text is None:
            raise BinaryInput("不是文本文件(含二进制内容)")
        return text
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    candidates = []
    for name in ("gb18030", "big5"):
        try:
            candidates.append((data.decode(name), name))
        except UnicodeDecodeError:
            continue
    if len(data) % 2 == 0:
        text16 = _utf16(data)
        if text16 is not None:
            candidates.append(text16)
    if not candidates:
        raise UndecodableInput("无法识别文件编码(支持 UTF-8、GB18030/GBK、Big5)")
    if len(candidates) == 1:
        return candidates[0]
    from ._normalize import to_simplified

    return max(candidates, key=lambda c: _score(to_simplified(c[0])))


def _utf16(data: bytes) -> tuple[str, str] | None:
    """The text of UTF-16 data without a byte-order mark, if it reads as Chinese or ASCII."""
    best = None
    for name in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        sample = text[:20000]
        control = sum(1 for ch in sample if ch < " " and ch not in "\r\n\t")
        if control > len(sample) // 100:
            continue
        score = _score(_simplified(text)) + sum(1 for ch in sample if ch.isascii()) / max(1, len(sample))
        if best is None or score > best[0]:
            best = (score, text, name)
    if best is None or best[0] < 0.3:
        return None
    return best[1], best[2]


def _simplified(text: str) -> str:
    from ._normalize import to_simplified

    return to_simplified(text[:20000])
