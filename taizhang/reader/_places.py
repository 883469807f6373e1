"""Places the reader knows by name, and how to spot others by their shape."""

from __future__ import annotations

import re

# name -> (full name, parent full name). Short forms map to the full name.
_QINGDAO = {
    "市南区": "市南", "市北区": "市北", "黄岛区": "黄岛", "西海岸新区": "西海岸", "崂山区": "崂山",
    "李沧区": "李沧", "城阳区": "城阳", "即墨区": "即墨", "胶州市": "胶州", "平度市": "平度",
    "莱西市": "莱西",
}
_OTHERS = {
    "海阳市": "海阳", "莱阳市": "莱阳", "栖霞市": "栖霞", "龙口市": "龙口", "蓬莱区": "蓬莱",
    "诸城市": "诸城", "寿光市": "寿光", "青州市": "青州", "高密市": "高密", "日照市": "日照",
    "潍坊市": "潍坊", "烟台市": "烟台", "威海市": "威海", "济南市": "济南", "淄博市": "淄博",
    "临沂市": "临沂", "济宁市": "济宁", "泰安市": "泰安", "东营市": "东营", "滨州市": "滨州",
    "德州市": "德州", "聊城市": "聊城", "菏泽市": "菏泽", "枣庄市": "枣庄",
    "历下区": "历下", "市中区": "市中", "槐荫区": "槐荫", "天桥区": "天桥", "历城区": "历城",
    "芝罘区": "芝罘", "福山区": "福山", "牟平区": "牟平", "莱山区": "莱山",
}
CITY = "青岛市"
PROVINCE = "山东省"

FULL_NAMES: dict[str, str] = {}
for full in {**_QINGDAO, **_OTHERS}:
    FULL_NAMES[full] = full
# Short forms only where they are not everyday words ("市中" is in "城市中心").
for full, short in {**_QINGDAO, "海阳市": "海阳", "莱阳市": "莱阳", "烟台市": "烟台", "潍坊市": "潍坊",
                    "济南市": "济南", "日照市": "日照", "威海市": "威海"}.items():
    FULL_NAMES[short] = full
FULL_NAMES.update({"青岛市": "青岛市", "青岛": "青岛市", "山东省": "山东省", "山东": "山东省"})
# The old name of 黄岛区 still appears in reports.
FULL_NAMES["西海岸新区"] = "黄岛区"
FULL_NAMES["西海岸"] = "黄岛区"

_names = sorted(FULL_NAMES, key=len, reverse=True)
NAME_RE = re.compile("|".join(map(re.escape, _names)))
# Full names only: what may be stripped from the start of an indicator.
FULL_RE = re.compile("|".join(map(re.escape, sorted({n for n in FULL_NAMES if n.endswith(("区", "市", "县", "省"))},
                                                     key=len, reverse=True))))
# Place-shaped words not in the list: 2-3 characters before 区/县/市, minus common nouns.
_SHAPE = re.compile(r"([\u4e00-\u9fff]{2,3}(?:区|县))")
_NOT_PLACES = {
    "全区", "本区", "我区", "城区", "园区", "社区", "景区", "片区", "市区", "新区", "辖区", "街区", "校区",
    "主城区", "示范区", "开发区", "保税区", "功能区", "先行区", "试验区", "集聚区", "核心区", "产业区",
    "商务区", "金融区", "生活区", "居住区", "老城区", "中心城区", "安置区", "自贸区", "综合区", "住宅区",
    "全县", "本县",
}


def find_places(text: str) -> list[tuple[int, str]]:
    """Known places named in ``text``: (offset, full name). "青岛市北" reads as 市北区."""
    out = []
    for m in NAME_RE.finditer(text):
        name = m.group(0)
        if name == "青岛市" and text.startswith("北", m.end()) and not text.startswith("北部", m.end()):
            out.append((m.start() + 2, "市北区"))
            continue
        if name == "市北" and (text[m.start() - 1:m.start()] == "城" or text.startswith("部", m.end())):
            continue  # 城市北部
        out.append((m.start(), FULL_NAMES[name]))
    return out


def shaped_places(text: str) -> list[str]:
    return [m.group(1) for m in _SHAPE.finditer(text) if m.group(1) not in _NOT_PLACES
            and not m.group(1).endswith(tuple(_NOT_PLACES))]
