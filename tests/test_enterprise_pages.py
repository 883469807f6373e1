"""The registry's pages: each renders for the roles that use it, the 认定名单 import settles
near-matches and stores all rows or none, and the funnel moves with it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from taizhang.enterprises import services
from taizhang.enterprises.choices import TierKind, TierLevel
from taizhang.enterprises.models import Demand, Enterprise, ListImport, Recognition
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
                                       "credit_code": code(1), "chain": world.vr})
    b = services.create_enterprise(u, {"name": "青岛海纳光电有限公司", "region": world.laoshan})
    services.recognise(u, a, {"kind": TierKind.HIGH_TECH, "level": TierLevel.NATIONAL, "year": 2023,
                              "effective": dt.date(2023, 12, 1)})
    services.raise_demand(world.ls_admin, a, {"category": "finance", "content": "融资对接", "unit": world.ls_zs})
    return a, b


@pytest.mark.parametrize("who", ["ls_admin", "ls_editor", "ls_viewer", "unit_user", "city_admin"])
def test_pages_render(client, world, firms, who):
    client.force_login(getattr(world, who))
    a, _b = firms
    demand = Demand.objects.get()
    for url in (reverse("enterprises:enterprise_list"), reverse("enterprises:enterprise_list") + "?tier=high_tech",
                reverse("enterprises:enterprise_list") + "?expiring=true&q=檬豆",
                reverse("enterprises:enterprise_detail", args=[a.pk]), reverse("enterprises:tiers"),
                reverse("enterprises:tiers") + "?date=2023-12-31&year=2023",
                reverse("enterprises:demand_list"), reverse("enterprises:visits")):
        r = client.get(url)
        assert r.status_code == 200, url
    r = client.get(reverse("enterprises:demand_detail", args=[demand.pk]))
    assert r.status_code == (200 if who != "unit_user" or demand.unit == world.unit_user.unit else 404)


def test_list_shows_current_tiers(client, world, firms, monkeypatch):
    # a day within the recognition's three years, whatever day the suite runs on
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2025, 6, 1))
    client.force_login(world.ls_viewer)
    r = client.get(reverse("enterprises:enterprise_list") + "?tier=high_tech")
    text = r.content.decode()
    assert "青岛檬豆网络科技有限公司" in text and "青岛海纳光电有限公司" not in text


def test_tier_dashboard_counts(client, world, firms):
    client.force_login(world.ls_viewer)
    r = client.get(reverse("enterprises:tiers") + "?date=2023-12-31&year=2023")
    rows = {row["kind"]: row for row in r.context["rows"]}
    assert rows[TierKind.HIGH_TECH]["valid"].value == 1 and rows[TierKind.HIGH_TECH]["new"].value == 1


def test_bad_date_on_the_dashboard_is_today(client, world, firms):
    client.force_login(world.ls_viewer)
    for bad in ("2023-02-30", "99999-01-01", "abc", "0001-01-01"):
        assert client.get(reverse("enterprises:tiers") + f"?date={bad}&year=99999999999").status_code == 200


def _upload(client, world, rows, **extra):
    data = {"file": _file(rows), "region": world.laoshan.pk, "kind": "gazelle", "level": "city", "year": 2024,
            "batch": "2024年第一批", **extra}
    return client.post(reverse("enterprises:list_import"), data)


def _file(rows):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("瞪羚企业名单.xlsx", xlsx(rows))


LIST = [["2024年青岛市瞪羚企业名单"], ["序号", "企业名称", "统一社会信用代码"],
        [1, "檬豆网络科技(青岛)有限公司", ""],  # near-match of 青岛檬豆网络科技有限公司
        [2, "青岛海纳光电有限公司", ""],  # by name
        [3, "青岛新星智能科技有限公司", code(3)],  # new
        [4, "青岛新星智能科技有限公司", code(3)]]  # the list names it twice


def test_list_import_with_near_matches(client, world, firms):
    a, b = firms
    client.force_login(world.ls_admin)
    r = _upload(client, world, LIST)
    assert r.status_code == 302, r.content.decode()[:2000]
    batch = ListImport.objects.get()
    matches = [row["match"] for row in batch.rows]
    assert matches == ["near", "name", "new", "duplicate"]
    assert batch.rows[0]["candidates"][0][0] == a.pk
    page = client.get(r["Location"])
    assert "待确认 1 行" in page.content.decode()
    # not settled: nothing stored
    r = client.post(r["Location"], {})
    assert "请选择对应的企业" in r.content.decode()
    assert not Recognition.objects.filter(kind=TierKind.GAZELLE).exists()
    assert not Enterprise.objects.filter(name="青岛新星智能科技有限公司").exists()
    r = client.post(reverse("enterprises:list_preview", args=[batch.token]), {"row_3": str(a.pk)})
    assert r.status_code == 302
    gazelles = set(Recognition.objects.filter(kind=TierKind.GAZELLE).values_list("enterprise__name", flat=True))
    assert gazelles == {"青岛檬豆网络科技有限公司", "青岛海纳光电有限公司", "青岛新星智能科技有限公司"}
    new = Enterprise.objects.get(name="青岛新星智能科技有限公司")
    assert new.credit_code == code(3) and new.source == "imported"
    reasons = set(Recognition.history.filter(kind=TierKind.GAZELLE).values_list("history_change_reason", flat=True))
    assert reasons == {"导入认定名单:瞪羚企业名单.xlsx"}  # who and why, for every row
    assert new.history.get().history_change_reason == "导入认定名单:瞪羚企业名单.xlsx"
    # the funnel of the growth ladder now counts three gazelles
    tiers_page = client.get(reverse("enterprises:tiers") + "?date=2024-12-31&year=2024")
    growth = tiers_page.context["funnels"][2]["steps"]
    assert [s.firms for _k, s in growth][1] == 3
    # a second confirm of the same upload does nothing
    r = client.post(reverse("enterprises:list_preview", args=[batch.token]), {"row_3": str(a.pk)})
    assert "已经导入过" in r.content.decode()
    assert Recognition.objects.filter(kind=TierKind.GAZELLE).count() == 3


def test_list_with_a_bad_code_is_refused_whole(client, world, firms):
    client.force_login(world.ls_admin)
    bad = code(4)[:17] + ("0" if code(4)[17] != "0" else "1")
    _upload(client, world, [["企业名称", "统一社会信用代码"], ["青岛好企业有限公司", code(5)], ["青岛坏码有限公司", bad]])
    batch = ListImport.objects.get()
    assert [row["match"] for row in batch.rows] == ["new", "error"]
    r = client.post(reverse("enterprises:list_preview", args=[batch.token]), {})
    assert "第3行" in r.content.decode() and "校验位" in r.content.decode()
    assert not Enterprise.objects.filter(name="青岛好企业有限公司").exists()


def test_a_list_uploaded_in_chinese_is_read_and_refused_in_english(client, world, firms):
    """A row keeps the cells that are wrong, not messages: they are said in the reader's language."""
    from django.conf import settings

    client.force_login(world.ls_admin)
    bad = code(4)[:17] + ("0" if code(4)[17] != "0" else "1")
    _upload(client, world, [["企业名称", "统一社会信用代码", "发证日期"], ["青岛好企业有限公司", code(5), "2024-02-30"],
                            ["青岛坏码有限公司", bad, ""]])
    batch = ListImport.objects.get()
    assert [row["match"] for row in batch.rows] == ["error", "error"]
    url = reverse("enterprises:list_preview", args=[batch.token])
    assert "第3行" in client.get(url).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for page in (client.get(url), client.post(url, {})):
        text = page.content.decode()
        assert "Row 2, &quot;Issue date&quot;: no such date" in text, text
        assert "Row 3, &quot;Unified social credit code&quot;" in text and "check character is wrong" in text
        assert "第3行" not in text and "校验位" not in text


def test_a_tier_is_named_with_its_level_in_either_language():
    from django.utils import translation

    rec = Recognition(kind=TierKind.GAZELLE, level=TierLevel.CITY, year=2024)
    with translation.override("zh-hans"):
        assert rec.tier_name == "市级瞪羚企业"
    with translation.override("en"):
        assert rec.tier_name == "City Gazelle enterprise"
    rec.level = TierLevel.UNKNOWN  # the source does not say who recognised it
    with translation.override("zh-hans"):
        assert rec.tier_name == "瞪羚企业"


def test_a_sheet_without_names_says_so(client, world):
    client.force_login(world.ls_admin)
    r = _upload(client, world, [["序号", "金额"], [1, 2]])
    assert r.status_code == 200 and "企业名称" in r.content.decode()
    assert not ListImport.objects.exists()


def test_the_firm_page_and_the_dashboard_measure_the_same_tiers(client, world, firms):
    """A firm not on a ladder's first step is still measured against every tier with thresholds."""
    from decimal import Decimal

    from taizhang.enterprises.models import Criterion, RuleSet

    a, _b = firms
    rules = RuleSet.objects.create(kind="gazelle", level="city", name="瞪羚示例", first_year=2023)
    Criterion.objects.create(ruleset=rules, metric="revenue", threshold=Decimal("5000"))
    services.record_figure(world.ls_admin, a, 2023, "revenue", "4000")
    client.force_login(world.ls_admin)
    page = client.get(reverse("enterprises:enterprise_detail", args=[a.pk]))
    assert [t["kind"] for t in page.context["next_tiers"]] == ["gazelle"]
    assert page.context["next_tiers"][0]["gap"].checks[0].shortfall == Decimal("1000")
    board = client.get(reverse("enterprises:tiers") + "?date=2024-06-30&year=2024")
    (group,) = board.context["one_step"]
    assert group["kind"] == "gazelle" and [fid for fid, _n, _g in group["firms"]] == [a.pk]


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_firm_page_and_the_list_make_as_many_queries_however_much_a_firm_holds(client, world, firms):
    """More recognitions, years of figures, rule sets, former names and firms on the list's page
    cost no more queries: each kind of record is read once for the page."""
    from decimal import Decimal

    from taizhang.enterprises.models import Criterion, RuleSet

    a, b = firms
    u = world.ls_admin
    RuleSet.objects.create(kind="srdi_sme", level="provincial", name="专精特新示例", first_year=2020)
    client.force_login(u)
    detail, listing = reverse("enterprises:enterprise_detail", args=[a.pk]), reverse("enterprises:enterprise_list")
    few = _queries(client, detail), _queries(client, listing), _queries(client, listing + "?tier=high_tech")
    for kind, level in (("gazelle", "city"), ("little_giant", "national"), ("eaglet", "city")):
        rules = RuleSet.objects.create(kind=kind, level=level, name=f"{kind}示例", first_year=2020)
        Criterion.objects.create(ruleset=rules, metric="revenue", threshold=Decimal("5000"))
        services.recognise(u, b, {"kind": kind, "level": level, "year": 2022, "effective": dt.date(2022, 5, 1)})
    for year in (2021, 2022, 2023):
        services.record_figure(u, a, year, "revenue", str(1000 * year))
        services.record_figure(u, a, year, "rd_expense", "90")
    services.update_enterprise(u, a, {"name": "青岛檬豆科技有限公司"})  # a former name
    for n in range(3, 9):
        other = services.create_enterprise(u, {"name": f"青岛测试{n}有限公司", "region": world.laoshan,
                                                "credit_code": code(n)})
        services.recognise(u, other, {"kind": TierKind.HIGH_TECH, "level": TierLevel.NATIONAL, "year": 2023,
                                      "effective": dt.date(2023, 12, 1)})
    many = _queries(client, detail), _queries(client, listing), _queries(client, listing + "?tier=high_tech")
    assert many == few
    assert max(many) <= 25  # a ceiling for the page's own reads, whatever the firm holds


def test_the_tier_dashboard_makes_as_many_queries_however_many_firms_and_tiers(client, world, firms):
    """More firms, more tiers with thresholds, figures, holders and year-only recognitions (counted
    apart) cost the dashboard no more queries: each kind of record is read once for all tiers."""
    from decimal import Decimal

    from taizhang.enterprises.models import Criterion, RuleSet

    a, b = firms
    u = world.ls_admin
    rules = RuleSet.objects.create(kind="gazelle", level="city", name="瞪羚示例", first_year=2020)
    Criterion.objects.create(ruleset=rules, metric="revenue", threshold=Decimal("5000"))
    services.record_figure(u, a, 2023, "revenue", "6000")
    services.recognise(u, b, {"kind": "eaglet", "level": "city", "year": 2024})  # year only
    client.force_login(u)
    url = reverse("enterprises:tiers") + "?date=2024-06-30&year=2024"

    def shown(r):
        return {g["kind"]: (g["count"], len(g["firms"])) for g in r.context["one_step"]}, \
            {row["kind"]: row["valid"].undated for row in r.context["rows"] if row["valid"].undated}

    assert shown(client.get(url)) == ({"gazelle": (1, 1)}, {"eaglet": 1})
    few = _queries(client, url)
    for kind, level in (("srdi_sme", "provincial"), ("little_giant", "national"), ("seedling", "city")):
        more = RuleSet.objects.create(kind=kind, level=level, name=f"{kind}示例", first_year=2020)
        for metric, threshold, group in (("revenue_growth", "10", ""), ("rd_intensity", "3", "rd"),
                                         ("rd_expense", "100", "rd"), ("years", "2", "")):
            Criterion.objects.create(ruleset=more, metric=metric, threshold=Decimal(threshold), group=group)
    for n in range(3, 12):
        other = services.create_enterprise(u, {"name": f"青岛测试{n}有限公司", "region": world.laoshan,
                                                "credit_code": code(n), "established": dt.date(2015, 1, 1)})
        for year, revenue in ((2022, 5000), (2023, 5000 + 200 * n)):
            services.record_figure(u, other, year, "revenue", str(revenue))
            services.record_figure(u, other, year, "rd_expense", str(20 * n))
        kind = ("srdi_sme", "little_giant", "eaglet", "gazelle")[n % 4]
        services.recognise(u, other, {"kind": kind, "level": "city", "year": 2024 if n % 2 else 2022,
                                      "effective": None if n % 2 else dt.date(2022, 5, 1)})
    groups, undated = shown(client.get(url))
    assert len(groups) == 4 and len(undated) > 1, (groups, undated)
    assert _queries(client, url) == few
    assert few <= 25  # a ceiling for the page's own reads, whatever the firms and tiers


def test_the_firm_page_measures_its_gap_on_the_figures_the_dashboard_uses(client, world, firms):
    """The page reads the firm's figures once and derives growth and R&D intensity from them, as
    :func:`gaps.figures_in` does for the dashboard."""
    from decimal import Decimal

    from taizhang.enterprises import gaps
    from taizhang.enterprises.models import Criterion, RuleSet

    a, _b = firms
    u = world.ls_admin
    rules = RuleSet.objects.create(kind="gazelle", level="city", name="瞪羚示例", first_year=2023)
    for metric, threshold in (("revenue_growth", "20"), ("rd_intensity", "3"), ("years", "5")):
        Criterion.objects.create(ruleset=rules, metric=metric, threshold=Decimal(threshold))
    services.update_enterprise(u, a, {"established": dt.date(2021, 3, 1)})
    services.record_figure(u, a, 2023, "revenue", "1000")
    services.record_figure(u, a, 2024, "revenue", "1150")
    services.record_figure(u, a, 2024, "rd_expense", "46")
    client.force_login(u)
    page = client.get(reverse("enterprises:enterprise_detail", args=[a.pk]))
    assert page.context["gap_year"] == 2024
    (tier,) = page.context["next_tiers"]
    shown = {c.metric: c.value for c in tier["gap"].checks}
    assert shown == {"revenue_growth": Decimal("15.00"), "rd_intensity": Decimal("4.00"), "years": Decimal("3")}
    assert shown == {m: gaps.figures_in(Enterprise.objects.filter(pk=a.pk), 2024)[a.pk][m] for m in shown}


def test_an_oversized_list_is_refused_before_it_is_read(client, world, monkeypatch):
    from taizhang.enterprises import import_views

    monkeypatch.setattr(import_views, "MAX_UPLOAD_BYTES", 1000)
    client.force_login(world.ls_admin)
    r = _upload(client, world, [["企业名称"]] + [[f"青岛企业{i}有限公司"] for i in range(200)])
    assert r.status_code == 200 and "文件过大" in r.content.decode()
    assert not ListImport.objects.exists()


def test_a_search_finds_by_former_name_and_code_and_lists_a_firm_once(client, world, firms):
    a, _b = firms
    services.update_enterprise(world.ls_admin, a, {"name": "青岛柠檬豆网络科技有限公司"})  # 檬豆 in both names now
    client.force_login(world.ls_viewer)
    for q in ("檬豆", "青岛檬豆网络科技有限公司", code(1).lower()):
        r = client.get(reverse("enterprises:enterprise_list"), {"q": q})
        assert [f.pk for f in r.context["page"].object_list] == [a.pk], q
        assert r.context["count"] == 1
