"""Firms' annual figures from a department's sheet: matched to the registry as the 认定名单 are,
every bad cell refused by its row and column with nothing stored, the department and the file
recorded, the old value kept in the history, a second confirm doing nothing, and the gap to the
next tier measured on what was imported."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from taizhang.enterprises import gaps, services
from taizhang.enterprises.choices import Metric, Op, TierKind, TierLevel
from taizhang.enterprises.models import AnnualFigure, Criterion, Enterprise, FigureImport, RuleSet
from taizhang.projects.validators import credit_code_check_char

from .sheets import xlsx

pytestmark = pytest.mark.django_db


def code(n: int, region: str = "370212") -> str:
    first = f"91{region}{n:09d}"
    return first + credit_code_check_char(first)


@pytest.fixture
def firms(world):
    u = world.ls_admin
    a = services.create_enterprise(u, {"name": "青岛檬豆网络科技有限公司", "region": world.laoshan,
                                       "credit_code": code(1)})
    b = services.create_enterprise(u, {"name": "青岛海纳光电有限公司", "region": world.laoshan})
    c = services.create_enterprise(u, {"name": "青岛蓝谷芯片有限公司", "region": world.laoshan})
    return a, b, c


HEAD = ["序号", "企业名称", "统一社会信用代码", "营业收入(亿元)", "研发费用(万元)", "从业人员", "发明专利"]


def upload(client, world, rows, year=2024, department="崂山区统计局", name="2024年规上企业数据.xlsx"):
    client.force_login(world.ls_admin)
    return client.post(reverse("enterprises:figure_import"), {
        "file": SimpleUploadedFile(name, xlsx(rows)), "region": world.laoshan.pk, "year": year,
        "department": department})


def confirm(client, batch, **choices):
    return client.post(reverse("enterprises:figure_preview", args=[batch.token]), choices)


def figures(firm, year=2024) -> dict[str, D]:
    return dict(AnnualFigure.objects.filter(enterprise=firm, year=year).values_list("metric", "value"))


def test_a_departments_sheet_is_matched_previewed_and_stored(client, world, firms):
    a, b, c = firms
    r = upload(client, world, [["2024年规上工业企业主要指标"], HEAD,
                               [1, "檬豆网络科技(青岛)有限公司", code(1), "0.65", 320, 86, 5],  # by code
                               [2, "青岛海纳光电有限公司", "", 0.4, 12, 40, ""],  # by name; patents blank
                               [3, "蓝谷芯片(青岛)有限公司", "", "1.2", 600, 120, 9],  # near 青岛蓝谷芯片有限公司
                               [4, "青岛新能储能科技有限公司", code(4), "0.1", "-", 15, 0]])  # new firm
    assert r.status_code == 302, r.content.decode()[:3000]
    batch = FigureImport.objects.get()
    assert [row["match"] for row in batch.rows] == ["code", "name", "near", "new"]
    assert not AnnualFigure.objects.exists()  # nothing stored before the user confirms
    page = client.get(r["Location"]).content.decode()
    assert "待确认 1 行" in page and "新建企业 1 行" in page
    r = confirm(client, batch)  # the near-match not settled: nothing stored
    assert "请选择对应的企业" in r.content.decode()
    assert not AnnualFigure.objects.exists() and not Enterprise.objects.filter(name__contains="新能").exists()
    r = confirm(client, batch, row_5=str(c.pk))
    assert r.status_code == 302
    # 亿元 in the header: kept in 万元
    assert figures(a) == {"revenue": D("6500"), "rd_expense": D("320"), "employees": D("86"),
                          "invention_patents": D("5")}
    assert figures(b) == {"revenue": D("4000"), "rd_expense": D("12"), "employees": D("40")}
    assert figures(c)["revenue"] == D("12000")
    new = Enterprise.objects.get(credit_code=code(4))
    assert figures(new) == {"revenue": D("1000"), "employees": D("15"), "invention_patents": D("0")}
    fig = AnnualFigure.objects.get(enterprise=a, metric="revenue")
    assert (fig.department, fig.source_doc, fig.year) == ("崂山区统计局", "2024年规上企业数据.xlsx", 2024)
    assert fig.history.get().history_change_reason == "导入企业年度数据:2024年规上企业数据.xlsx"
    assert fig.history.get().history_user == world.ls_admin
    # a second confirm of the same upload does nothing
    stored = AnnualFigure.objects.count()
    r = confirm(client, batch, row_5=str(c.pk))
    assert "已经导入过" in r.content.decode()
    assert AnnualFigure.objects.count() == stored and fig.history.count() == 1


def test_a_later_sheet_replaces_a_figure_and_the_history_keeps_the_old(client, world, firms):
    a, _b, _c = firms
    head = ["企业名称", "统一社会信用代码", "营业收入"]
    upload(client, world, [head, ["青岛檬豆网络科技有限公司", code(1), 5000]])
    confirm(client, FigureImport.objects.get())
    upload(client, world, [head, ["青岛檬豆网络科技有限公司", code(1), 5200]], department="崂山区税务局",
           name="税务数据.xlsx")
    r = confirm(client, FigureImport.objects.order_by("-created", "-pk").first())
    assert r.status_code == 302
    fig = AnnualFigure.objects.get(enterprise=a, metric="revenue")
    assert (fig.value, fig.department) == (D("5200"), "崂山区税务局")
    old, new = fig.history.order_by("history_date", "history_id")
    assert (old.value, old.department, old.history_type) == (D("5000"), "崂山区统计局", "+")
    assert (new.value, new.history_type, new.history_change_reason) == (D("5200"), "~", "导入企业年度数据:税务数据.xlsx")
    # the same figures again change nothing
    upload(client, world, [head, ["青岛檬豆网络科技有限公司", code(1), 5200]], department="崂山区税务局",
           name="税务数据.xlsx")
    confirm(client, FigureImport.objects.order_by("-created", "-pk").first())
    assert fig.history.count() == 2


BAD_CELLS = [  # (column, cell, what the message says)
    ("营业收入", "NaN", "不是有效数字"),
    ("营业收入", "Infinity", "不是有效数字"),
    ("营业收入", "1e30", "数值过大"),
    ("营业收入", -100, "不能为负数"),
    ("营业收入", "约一千万", "应为数字"),
    ("从业人员", -3, "不能为负数"),
    ("从业人员", "12.5", "应为整数"),
    ("从业人员", "NaN", "不是有限的数字"),
    ("从业人员", "1e30", "数值过大"),
    ("发明专利", "若干", "不是数字"),
    ("研发人员占比", "150", "不能超过100%"),
    ("研发费用", dt.date(2024, 1, 1), "应为数字"),
]


@pytest.mark.parametrize("column,cell,why", BAD_CELLS, ids=[f"{c}-{v}" for c, v, _w in BAD_CELLS])
def test_every_bad_cell_is_refused_by_row_and_column_and_nothing_is_stored(client, world, firms, column, cell, why):
    head = ["企业名称", "统一社会信用代码", "营业收入", "研发费用", "从业人员", "发明专利", "研发人员占比"]
    good = ["青岛檬豆网络科技有限公司", code(1), 100, 10, 10, 1, 20]
    bad = ["青岛新企业有限公司", code(9), 100, 10, 10, 1, 20]
    bad[head.index(column)] = cell
    upload(client, world, [head, good, bad])
    batch = FigureImport.objects.get()
    assert [row["match"] for row in batch.rows] == ["code", "error"]
    r = confirm(client, batch)
    text = r.content.decode()
    assert f"第3行“{column}”" in text and why in text, text[-3000:]
    assert not AnnualFigure.objects.exists()
    assert not Enterprise.objects.filter(credit_code=code(9)).exists()
    batch.refresh_from_db()
    assert batch.applied is None


@pytest.mark.parametrize("metric,value", [("revenue", "NaN"), ("revenue", "Infinity"), ("revenue", "1e30"),
                                          ("revenue", "-1"), ("employees", "-3"), ("employees", "12.5"),
                                          ("rd_staff_share", "150"), ("invention_patents", "若干")])
def test_the_writer_refuses_what_the_import_refuses(world, firms, metric, value):
    """One rule for a figure: the service every path calls refuses the same values."""
    with pytest.raises(ValidationError):
        services.record_figure(world.ls_admin, firms[0], 2024, metric, value)
    assert not AnnualFigure.objects.exists()


def test_tax_may_be_negative_and_a_derived_figure_is_never_typed(world, firms):
    services.record_figure(world.ls_admin, firms[0], 2024, Metric.TAX, "-12.5")  # refunds exceed tax paid
    with pytest.raises(ValidationError):
        services.record_figure(world.ls_admin, firms[0], 2024, Metric.RD_INTENSITY, "5")


def test_one_firm_twice_in_a_sheet_is_refused(client, world, firms):
    head = ["企业名称", "统一社会信用代码", "营业收入"]
    upload(client, world, [head, ["青岛檬豆网络科技有限公司", code(1), 100], ["檬豆网络", code(1), 120]])
    batch = FigureImport.objects.get()
    text = confirm(client, batch).content.decode()
    assert "第3行“企业名称”:与第2行是同一企业" in text
    assert not AnnualFigure.objects.exists()


def test_a_sheet_without_figure_columns_says_so(client, world, firms):
    r = upload(client, world, [["企业名称", "统一社会信用代码", "地址"], ["青岛檬豆网络科技有限公司", code(1), "崂山"]])
    assert r.status_code == 200 and "没有可导入的数据列" in r.content.decode()
    assert not FigureImport.objects.exists()


def test_a_leader_and_another_district_cannot_import(client, world, firms):
    from taizhang.enterprises import figure_imports

    client.force_login(world.ls_viewer)
    assert client.get(reverse("enterprises:figure_import")).status_code == 403
    upload(client, world, [["企业名称", "营业收入"], ["青岛檬豆网络科技有限公司", 1]])
    batch = FigureImport.objects.get()
    client.force_login(world.lc_editor)
    assert confirm(client, batch).status_code == 404
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        figure_imports.apply(world.lc_editor, batch, {})
    assert not AnnualFigure.objects.exists()


def test_the_gap_to_the_next_tier_is_measured_on_the_imported_figures(client, world, firms):
    a, _b, _c = firms
    rules = RuleSet.objects.create(kind=TierKind.GAZELLE, level=TierLevel.CITY, name="瞪羚示例", first_year=2024)
    for metric, threshold in ((Metric.REVENUE, "5000"), (Metric.RD_INTENSITY, "5"), (Metric.REVENUE_GROWTH, "20")):
        Criterion.objects.create(ruleset=rules, metric=metric, op=Op.GTE, threshold=D(threshold))
    head = ["企业名称", "统一社会信用代码", "营业收入(万元)", "研发费用"]
    upload(client, world, [head, ["青岛檬豆网络科技有限公司", code(1), 4000, 150]], year=2023)
    confirm(client, FigureImport.objects.get())
    upload(client, world, [head, ["青岛檬豆网络科技有限公司", code(1), 6000, 240]], year=2024)
    confirm(client, FigureImport.objects.get(year=2024))
    gap = gaps.gaps_for([a.pk], TierKind.GAZELLE, 2024)[a.pk]
    by = {c.metric: c for c in gap.checks}
    assert by[Metric.REVENUE].met and by[Metric.REVENUE_GROWTH].value == D("50.00")
    assert by[Metric.RD_INTENSITY].value == D("4.00") and by[Metric.RD_INTENSITY].shortfall == D("1.00")
    assert gap.verdict == gaps.ONE_STEP
    page = client.get(reverse("enterprises:enterprise_detail", args=[a.pk]))
    (tier,) = page.context["next_tiers"]
    assert tier["gap"].checks[1].value == D("4.00")


def test_two_columns_that_may_be_one_figure_are_named(client, world, firms):
    r = upload(client, world, [["企业名称", "营业收入", "主营业务收入"], ["青岛檬豆网络科技有限公司", 1, 2]])
    text = r.content.decode()
    assert r.status_code == 200 and "营业收入、主营业务收入" in text and "可能是同一项数据" in text
    assert not FigureImport.objects.exists()


def test_the_writer_refuses_one_figure_given_twice(world, firms):
    with pytest.raises(ValidationError):
        services.record_figures(world.ls_admin, 2024, [(firms[0], "revenue", "100"), (firms[0], "revenue", "120")])
    assert not AnnualFigure.objects.exists()
