"""Every importer says which rows of the sheet it set aside and why (a 合计 row, a row hidden in
the sheet …) and what the reading noticed, in its preview or with its result, as the ledger's
import does: nothing is left out without the user seeing it. And nothing of those rows is stored."""

from __future__ import annotations

import html
import io
from decimal import Decimal as D

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.urls import reverse
from openpyxl import Workbook

from taizhang.enterprises import services as firms
from taizhang.enterprises.models import AnnualFigure, Enterprise, Recognition
from taizhang.projects.validators import credit_code_check_char

pytestmark = pytest.mark.django_db

TOTAL = "合计行(由明细汇总,不导入)"
HIDDEN = "隐藏行(在表中被隐藏或筛选掉,未导入)"


def code(n: int, region: str = "370212") -> str:
    first = f"91{region}{n:09d}"
    return first + credit_code_check_char(first)


def sheet(rows, hidden=()) -> bytes:
    """A workbook whose rows ``hidden`` (as Excel numbers them) are hidden, as a filter or a
    hand does it."""
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(list(row))
    for n in hidden:
        ws.row_dimensions[n].hidden = True
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def said(page: str, *rows: tuple[int, str, str]) -> None:
    """The page lists each (row number, reason, text of the row) among the skipped rows."""
    text = html.unescape(page)
    assert 'class="skipped"' in text, text[:3000]
    for number, reason, cell in rows:
        assert f"<td>{number}</td><td>{reason}</td>" in text, (number, reason)
        assert cell in text, cell


def hidden_notice(*numbers: int) -> str:
    shown = "、".join(map(str, numbers))
    return f"表中有{len(numbers)}行被隐藏或筛选掉(第{shown}行),未导入"


# ---------------------------------------------------------------- the registry's imports


def test_a_recognition_list_names_its_total_and_hidden_rows_in_the_preview(client, world):
    client.force_login(world.ls_admin)
    data = sheet([["2024年青岛市瞪羚企业名单"], ["序号", "企业名称", "统一社会信用代码"],
                  [1, "青岛甲科技有限公司", code(1)],
                  [2, "青岛乙科技有限公司(已撤销)", code(2)],  # hidden: struck from the list by hand
                  [3, "青岛丙科技有限公司", code(3)],
                  ["合计", "3家", None]], hidden=[4])
    r = client.post(reverse("enterprises:list_import"), {
        "file": ContentFile(data, name="瞪羚企业名单.xlsx"), "region": world.laoshan.pk, "kind": "gazelle",
        "level": "city", "year": 2024})
    assert r.status_code == 302, r.content.decode()[:3000]
    page = client.get(r["Location"]).content.decode()
    said(page, (4, HIDDEN, "青岛乙科技有限公司(已撤销)"), (6, TOTAL, "合计 | 3家"))
    assert hidden_notice(4) in page
    r = client.post(r["Location"], {})
    assert r.status_code == 302
    assert set(Recognition.objects.values_list("enterprise__name", flat=True)) == {"青岛甲科技有限公司",
                                                                                   "青岛丙科技有限公司"}
    assert not Enterprise.objects.filter(name__startswith="青岛乙").exists()
    assert not Enterprise.objects.filter(name__contains="合计").exists()


def test_a_departments_figures_name_their_total_and_hidden_rows_in_the_preview(client, world):
    a = firms.create_enterprise(world.ls_admin, {"name": "青岛甲科技有限公司", "region": world.laoshan,
                                                 "credit_code": code(1)})
    b = firms.create_enterprise(world.ls_admin, {"name": "青岛乙科技有限公司", "region": world.laoshan,
                                                 "credit_code": code(2)})
    client.force_login(world.ls_admin)
    data = sheet([["2024年规上工业企业主要指标"], ["序号", "企业名称", "统一社会信用代码", "营业收入(万元)"],
                  [1, "青岛甲科技有限公司", code(1), 500],
                  [2, "青岛乙科技有限公司", code(2), 9999],  # hidden: filtered out
                  [None, "合计", None, 10499]], hidden=[4])
    r = client.post(reverse("enterprises:figure_import"), {
        "file": ContentFile(data, name="规上企业数据.xlsx"), "region": world.laoshan.pk, "year": 2024,
        "department": "崂山区统计局"})
    assert r.status_code == 302, r.content.decode()[:3000]
    page = client.get(r["Location"]).content.decode()
    said(page, (4, HIDDEN, "青岛乙科技有限公司 | " + code(2)), (5, TOTAL, "合计 | 10499"))
    assert hidden_notice(4) in page
    r = client.post(r["Location"], {})
    assert r.status_code == 302
    assert dict(AnnualFigure.objects.values_list("enterprise", "value")) == {a.pk: D("500")}
    assert not AnnualFigure.objects.filter(enterprise=b).exists()
    assert not Enterprise.objects.filter(name__contains="合计").exists()


# ---------------------------------------------------------------- the parks' imports


def test_the_tax_sheet_names_its_total_and_hidden_rows_in_the_preview(client, world):
    from taizhang.parks.models import FirmMonthlyTax

    a = firms.create_enterprise(world.ls_editor, {"name": "甲公司", "region": world.laoshan, "credit_code": code(1)})
    firms.create_enterprise(world.ls_editor, {"name": "乙公司", "region": world.laoshan, "credit_code": code(2)})
    client.force_login(world.ls_editor)
    data = sheet([["2024年3月重点企业税收"], ["纳税人名称", "统一社会信用代码", "税收(万元)"],
                  ["甲公司", code(1), 120], ["乙公司", code(2), 880],  # hidden: filtered out
                  ["合计", None, 1000]], hidden=[4])
    r = client.post(reverse("parks:tax_import"), {"region": world.laoshan.pk, "year": 2024, "month": 3,
                                                  "file": ContentFile(data, name="税务局2024年3月.xlsx")})
    assert r.status_code == 302, r.content.decode()[:3000]
    page = client.get(r["Location"]).content.decode()
    said(page, (4, HIDDEN, "乙公司 | " + code(2)), (5, TOTAL, "合计 | 1000"))
    assert hidden_notice(4) in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the reasons are read in the reader's language
    english = html.unescape(client.get(r["Location"]).content.decode())
    assert "<td>4</td><td>hidden row (hidden or filtered out in the sheet; not imported)</td>" in english
    assert "2 rows skipped" in english and "As written in the sheet" in english
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    r = client.post(r["Location"])
    assert r.status_code == 302
    assert dict(FirmMonthlyTax.objects.values_list("enterprise", "amount")) == {a.pk: D("120")}


def test_a_departments_mujun_sheet_names_its_total_and_hidden_rows_with_the_result(client, world):
    from taizhang.parks.models import DataBatch, MujunFigure

    client.force_login(world.ls_editor)
    data = sheet([["2023年度亩均效益评价 税务数据"], ["企业名称", "统一社会信用代码", "实缴税收"],
                  ["甲公司", code(1), 100], ["乙公司", code(2), 900],  # hidden by hand
                  ["合计", None, 1000]], hidden=[4])
    r = client.post(reverse("parks:data_import"), {"region": world.laoshan.pk, "year": 2023, "department": "tax",
                                                   "file": ContentFile(data, name="税务局.xlsx")}, follow=True)
    page = r.content.decode()
    assert "已导入1家企业的1项数据" in page, page[:3000]
    said(page, (4, HIDDEN, "乙公司 | " + code(2)), (5, TOTAL, "合计 | 1000"))
    assert hidden_notice(4) in page
    assert DataBatch.objects.get().rows == 1
    assert list(MujunFigure.objects.values_list("enterprise__name", "value")) == [("甲公司", D("100"))]
    assert not Enterprise.objects.filter(name__in=["乙公司", "合计"]).exists()


# ---------------------------------------------------------------- the indicators' imports


def test_a_sheet_of_indicator_values_names_its_total_and_hidden_rows_with_the_result(client, world):
    from taizhang.indicators.catalogue import ensure_standard_catalogue
    from taizhang.indicators.models import IndicatorValue

    ensure_standard_catalogue()
    client.force_login(world.ls_editor)
    data = sheet([["崂山区2024年1-10月主要经济指标"], ["指标名称", "数值"],
                  ["规模以上工业增加值", "13.8"], ["研发投入强度", "4.79"],  # hidden: not this month's
                  ["合计", "18.59"]], hidden=[4])
    url = reverse("indicators:period") + f"?region={world.laoshan.pk}&year=2024&month=10"
    r = client.post(url, {"action": "import", "region": world.laoshan.pk,
                          "file": ContentFile(data, name="1-10月.xlsx")}, follow=True)
    page = r.content.decode()
    assert "已导入1个指标值" in page, page[:3000]
    said(page, (4, HIDDEN, "研发投入强度 | 4.79"), (5, TOTAL, "合计 | 18.59"))
    assert hidden_notice(4) in page
    assert list(IndicatorValue.objects.values_list("indicator__code", "value")) == [("industry_va_growth", D("13.8"))]


def test_a_key_task_list_names_its_total_and_hidden_rows_with_the_result(client, world):
    from taizhang.indicators.models import KeyTask

    client.force_login(world.ls_admin)
    data = sheet([["崂山区2024年重点工作任务"], ["序号", "工作任务", "牵头单位", "完成时限"],
                  [1, "建成虚拟现实产业园", "崂山区发展和改革局", "2024-06-30"],
                  [2, "引进十家链主企业(已调整)", "崂山区投资促进中心", "2024-12-31"],  # hidden by hand
                  ["合计", "共2项", None, None]], hidden=[4])
    r = client.post(reverse("indicators:tasks") + "?year=2024&month=5",
                    {"file": ContentFile(data, name="重点工作.xlsx")}, follow=True)
    page = r.content.decode()
    assert "已导入1项重点工作" in page, page[:3000]
    said(page, (4, HIDDEN, "引进十家链主企业(已调整)"), (5, TOTAL, "合计 | 共2项"))
    assert hidden_notice(4) in page
    assert list(KeyTask.objects.values_list("title", flat=True)) == ["建成虚拟现实产业园"]
