"""Parks edited through their pages and API: park profiles, buildings, units, tenancies, the
tax office's monthly sheet, 亩均 scheme versions and exemptions. Each page calls the parks
services (the one door); each role sees and changes what the policy allows and no more."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal as D

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from taizhang.enterprises.services import create_enterprise
from taizhang.parks import evaluation as ev
from taizhang.parks import occupancy, services
from taizhang.parks.models import (
    Building,
    Exemption,
    FirmMonthlyTax,
    Indicator,
    ParkProfile,
    PublishedEntry,
    Result,
    Scheme,
    SchemePool,
    SpaceUnit,
    TaxImport,
    Tenancy,
)

from .sheets import xlsx
from .test_mujun import HUANGYAN_2022, code

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(world):
    w = world
    w.building = services.create_building(w.ls_editor, {"region": w.laoshan, "park": w.vr_park, "name": "智造楼",
                                                        "gross_area_m2": D("3000"), "floor_load_kn": D("8")})
    w.unit = services.add_unit(w.ls_editor, w.building, {"floor": 1, "code": "101", "area_m2": D("800")})
    w.firm = create_enterprise(w.ls_editor, {"name": "入驻公司", "credit_code": code(50), "region": w.laoshan})
    w.other = create_enterprise(w.ls_editor, {"name": "二号公司", "credit_code": code(51), "region": w.laoshan})
    return w


def rows_of(*models) -> tuple:
    return tuple(m.objects.count() for m in models)


SPACE = (Building, SpaceUnit, Tenancy, ParkProfile)


# ---------------------------------------------------------------- space pages


def test_a_district_editor_adds_a_building_and_a_unit_leases_it_and_occupancy_follows(client, site):
    w = site
    client.force_login(w.ls_editor)
    r = client.post(reverse("parks:building_add"), {
        "region": w.laoshan.pk, "park": w.vr_park.pk, "name": "工业上楼一号", "kind": "industrial",
        "gross_area_m2": "2000", "floors": "6", "floor_load_kn": "12", "ceiling_m": "6.5", "freight_lifts": "2",
        "freight_lift_kg": "5000"})
    assert r.status_code == 302, r.content.decode()[:3000]
    building = Building.objects.get(name="工业上楼一号")
    assert (building.floor_load_kn, building.ceiling_m, building.freight_lift_kg) == (D("12"), D("6.5"), 5000)
    assert building.history.first().history_change_reason == "登记楼宇"
    r = client.post(reverse("parks:unit_add", args=[building.pk]), {"floor": "1", "code": "1F", "area_m2": "1200"})
    assert r.status_code == 302, r.content.decode()[:3000]
    client.post(reverse("parks:unit_add", args=[building.pk]), {"floor": "2", "code": "2F", "area_m2": "800"})
    unit = building.units.get(code="1F")
    assert occupancy.occupancy([building], dt.date(2024, 3, 1))[0].by_area == D("0.00")
    r = client.post(reverse("parks:building_detail", args=[building.pk]),
                    {"unit": unit.pk, "credit_code": code(50), "start": "2024-01-01", "rent": "30"})
    assert r.status_code == 302
    now = occupancy.occupancy([building], dt.date(2024, 3, 1))[0]
    assert (now.by_area, now.by_units) == (D("60.00"), D("50.00"))
    page = client.get(reverse("parks:building_detail", args=[building.pk]), {"day": "2024-03-01"}).content.decode()
    assert "60.00%" in page and "入驻公司" in page
    tenancy = Tenancy.objects.get(unit=unit)
    r = client.post(reverse("parks:tenancy_end", args=[tenancy.pk]), {"end": "2024-06-30"})
    assert r.status_code == 302
    tenancy.refresh_from_db()
    assert tenancy.end == dt.date(2024, 6, 30)
    assert occupancy.occupancy([building], dt.date(2024, 7, 1))[0].by_area == D("0.00")
    # edits: the building's properties and a unit's area, each through its service
    r = client.post(reverse("parks:building_edit", args=[building.pk]), {
        "region": w.laoshan.pk, "name": "工业上楼一号", "kind": "industrial", "gross_area_m2": "2000",
        "floor_load_kn": "15", "ceiling_m": "6.5"})
    assert r.status_code == 302, r.content.decode()[:3000]
    building.refresh_from_db()
    assert building.floor_load_kn == D("15") and building.park is None
    second = building.units.get(code="2F")
    r = client.post(reverse("parks:unit_edit", args=[second.pk]), {"floor": "2", "code": "2F", "area_m2": "700",
                                                                   "ceiling_m": "5.2"})
    assert r.status_code == 302, r.content.decode()[:3000]
    second.refresh_from_db()
    assert (second.area_m2, second.ceiling_m) == (D("700"), D("5.2"))
    r = client.post(reverse("parks:unit_edit", args=[unit.pk]), {"floor": "1", "code": "1F", "area_m2": "1100"})
    assert r.status_code == 200 and "面积不能小于“入驻公司”的租赁面积(1200.00平方米)" in r.content.decode()


def test_a_park_profile_names_its_chain_and_managing_unit(client, site):
    w = site
    client.force_login(w.ls_admin)
    url = reverse("parks:park_edit", args=[w.vr_park.pk])
    assert client.get(url).status_code == 200
    r = client.post(url, {"chain": w.vr.pk, "managing_unit": w.ls_zs.pk, "specialised": "on",
                          "planned_area_m2": "200000"})
    assert r.status_code == 302, r.content.decode()[:3000]
    profile = ParkProfile.objects.get(park=w.vr_park)
    assert (profile.chain, profile.managing_unit, profile.planned_area_m2) == (w.vr, w.ls_zs, D("200000"))
    assert "虚拟现实" in client.get(reverse("parks:park_list")).content.decode()
    r = client.post(url, {"planned_area_m2": "-5"})
    assert r.status_code == 200 and "面积不能为负数" in r.content.decode()
    assert ParkProfile.objects.get().planned_area_m2 == D("200000")
    # another district's chain is not among the choices
    r = client.post(url, {"chain": w.lc_chain.pk})
    assert r.status_code == 200 and ParkProfile.objects.get().chain == w.vr


@pytest.mark.parametrize("field,value,message", [
    ("area_m2", "NaN", "输入一个数字"),
    ("area_m2", "-20", "面积不能为负数"),
    ("area_m2", "0", "面积应大于0"),
    ("area_m2", "5000", "超过楼宇建筑面积"),
    ("ceiling_m", "Infinity", "输入一个数字"),
    ("code", "101", "该楼宇已有相同房号"),
])
def test_a_bad_unit_is_refused_with_a_message_and_nothing_stored(client, site, field, value, message):
    w = site
    client.force_login(w.ls_editor)
    before = rows_of(*SPACE)
    data = {"floor": "3", "code": "301", "area_m2": "100", field: value}
    r = client.post(reverse("parks:unit_add", args=[w.building.pk]), data)
    assert r.status_code == 200 and message in r.content.decode(), r.content.decode()[:3000]
    assert rows_of(*SPACE) == before


@pytest.mark.parametrize("data,message", [
    ({"gross_area_m2": "-1"}, "面积不能为负数"),
    ({"gross_area_m2": "NaN"}, "输入一个数字"),
    ({"floor_load_kn": "500"}, "100"),
    ({"name": "智造楼"}, "该区已有同名楼宇"),
    ({"region": "licang"}, "选择一个有效的选项"),
])
def test_a_bad_building_is_refused_with_a_message_and_nothing_stored(client, site, data, message):
    w = site
    client.force_login(w.ls_editor)
    before = rows_of(*SPACE)
    post = {"region": w.laoshan.pk, "name": "新楼", "kind": "featured", **data}
    if post["region"] == "licang":
        post["region"] = w.licang.pk
    r = client.post(reverse("parks:building_add"), post)
    assert r.status_code == 200 and message in r.content.decode(), r.content.decode()[:3000]
    assert rows_of(*SPACE) == before


def test_an_overlapping_tenancy_is_refused_naming_the_tenant(client, site):
    w = site
    services.lease(w.ls_editor, w.unit, w.firm, dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    client.force_login(w.ls_editor)
    before = rows_of(*SPACE)
    r = client.post(reverse("parks:building_detail", args=[w.building.pk]),
                    {"unit": w.unit.pk, "credit_code": code(51), "start": "2024-06-01"})
    page = r.content.decode()
    assert r.status_code == 200 and "租期不能重叠" in page and "入驻公司" in page
    assert rows_of(*SPACE) == before
    # moving out earlier frees the unit from the day after
    tenancy = Tenancy.objects.get()
    client.post(reverse("parks:tenancy_end", args=[tenancy.pk]), {"end": "2024-05-31"})
    r = client.post(reverse("parks:building_detail", args=[w.building.pk]),
                    {"unit": w.unit.pk, "credit_code": code(51), "start": "2024-06-01"})
    assert r.status_code == 302
    # a move-out before the move-in is refused, the tenancy unchanged
    r = client.post(reverse("parks:tenancy_end", args=[tenancy.pk]), {"end": "2023-01-01"}, follow=True)
    assert "退租日期不能早于入驻日期" in r.content.decode()
    tenancy.refresh_from_db()
    assert tenancy.end == dt.date(2024, 5, 31)


def test_a_unit_cannot_shrink_below_its_tenancy(client, site):
    w = site
    services.lease(w.ls_editor, w.unit, w.firm, dt.date(2024, 1, 1))
    client.force_login(w.ls_editor)
    r = client.post(reverse("parks:unit_edit", args=[w.unit.pk]), {"floor": "1", "code": "101", "area_m2": "500"})
    assert r.status_code == 200 and "面积不能小于" in r.content.decode()
    w.unit.refresh_from_db()
    assert w.unit.area_m2 == D("800")


def edit_routes(w, tenancy):
    return [
        ("get", reverse("parks:building_add"), None),
        ("post", reverse("parks:building_add"), {"region": w.laoshan.pk, "name": "越权楼", "kind": "featured"}),
        ("get", reverse("parks:building_edit", args=[w.building.pk]), None),
        ("post", reverse("parks:building_edit", args=[w.building.pk]),
         {"region": w.laoshan.pk, "name": "改名", "kind": "featured"}),
        ("get", reverse("parks:unit_add", args=[w.building.pk]), None),
        ("post", reverse("parks:unit_add", args=[w.building.pk]), {"floor": "5", "code": "501", "area_m2": "10"}),
        ("get", reverse("parks:unit_edit", args=[w.unit.pk]), None),
        ("post", reverse("parks:unit_edit", args=[w.unit.pk]), {"floor": "1", "code": "101", "area_m2": "700"}),
        ("post", reverse("parks:tenancy_end", args=[tenancy.pk]), {"end": "2024-02-01"}),
        ("get", reverse("parks:park_edit", args=[w.vr_park.pk]), None),
        ("post", reverse("parks:park_edit", args=[w.vr_park.pk]), {"planned_area_m2": "1"}),
        ("get", reverse("parks:tax_import"), None),
        ("post", reverse("parks:building_detail", args=[w.building.pk]),
         {"unit": w.unit.pk, "credit_code": code(51), "start": "2030-01-01"}),
    ]


@pytest.mark.parametrize("username,expected", [
    ("ls_editor", "edit"), ("ls_admin", "edit"), ("ls_viewer", "read"), ("unit_user", "read"),
    ("lc_editor", "nothing"), (None, "login"),
])
def test_each_role_edits_reads_or_sees_nothing(client, site, username, expected):
    """District staff of the park's district edit; its units and leaders read; another
    district sees nothing; anonymous users are sent to the login page."""
    w = site
    tenancy = services.lease(w.ls_editor, w.unit, w.firm, dt.date(2024, 1, 1))
    if username:
        client.force_login(getattr(w, username))
    detail = client.get(reverse("parks:building_detail", args=[w.building.pk]))
    listing = client.get(reverse("parks:park_list"))
    if expected in ("edit", "read"):
        assert detail.status_code == 200 and "智造楼" in listing.content.decode()
        assert ('id="edit-building"' in detail.content.decode()) == (expected == "edit")
    elif expected == "nothing":
        assert detail.status_code == 404 and "智造楼" not in listing.content.decode()
    else:
        assert detail.status_code == 302 and "/login/" in detail["Location"]
    def state():
        return rows_of(*SPACE) + (Building.objects.get(pk=w.building.pk).name,
                                  SpaceUnit.objects.get(pk=w.unit.pk).area_m2,
                                  Tenancy.objects.get(pk=tenancy.pk).end,
                                  ParkProfile.objects.values_list("planned_area_m2", flat=True).first())

    before = state()
    for method, url, data in edit_routes(w, tenancy):
        r = getattr(client, method)(url, data or {})
        if expected == "edit":
            assert r.status_code in (200, 302), (method, url, r.status_code)
        elif expected == "read":
            assert r.status_code == 403, (method, url, r.status_code)
        elif expected == "nothing":
            assert r.status_code in (403, 404) or (url.endswith(("/buildings/add/", "/tax/import/"))
                                                   and r.status_code == 200), (method, url, r.status_code)
        else:
            assert r.status_code == 302 and "/login/" in r["Location"], (method, url)
    after = state()
    if expected == "edit":
        assert after != before
    else:
        assert after == before
        assert not Building.objects.filter(name="越权楼").exists()


# ---------------------------------------------------------------- the tax office's sheet


def upload(client, w, rows, name="税务局2024年3月.xlsx", region=None):
    return client.post(reverse("parks:tax_import"), {
        "region": (region or w.laoshan).pk, "year": 2024, "month": 3, "file": ContentFile(xlsx(rows), name=name)})


def test_the_tax_sheet_is_previewed_then_recorded_joined_on_credit_codes(client, site):
    w = site
    services.lease(w.ls_editor, w.unit, w.firm, dt.date(2024, 1, 1))
    client.force_login(w.ls_editor)
    r = upload(client, w, [["纳税人名称", "统一社会信用代码", "税收(元)"], ["入驻公司", code(50).lower(), 1_234_500],
                           ["二号公司", code(51), "-300"]])
    assert r.status_code == 302, r.content.decode()[:3000]
    assert FirmMonthlyTax.objects.count() == 0  # nothing until confirmed
    preview = client.get(r["Location"])
    page = preview.content.decode()
    assert "入驻公司" in page and "123.45" in page and "-0.03" in page and 'id="confirm-tax"' in page
    r = client.post(r["Location"])
    assert r.status_code == 302
    taxes = dict(FirmMonthlyTax.objects.values_list("enterprise__name", "amount"))
    assert taxes == {"入驻公司": D("123.45"), "二号公司": D("-0.03")}
    series = occupancy.monthly_tax([w.building], (2024, 3), (2024, 3))[w.building.pk]
    assert series[(2024, 3)] == D("123.45")  # the building's tax: its tenant's
    assert FirmMonthlyTax.objects.first().history.first().history_change_reason == "导入企业月度税收"
    again = client.post(reverse("parks:tax_preview", args=[TaxImport.objects.get().token]))
    assert again.status_code == 400 and "该表已经导入过" in again.content.decode()


@pytest.mark.parametrize("row,message", [
    (["坏代码公司", "91370212MA3C12345X", 10], "第3行 统一社会信用代码"),
    (["", "", 10], "第3行 统一社会信用代码:不能为空"),
    (["外区公司", code(7, "370213"), 10], "第3行 统一社会信用代码:本区企业库中没有"),
    (["二号公司", code(51), "NaN"], "第3行 税收:不是有效数字"),
    (["二号公司", code(51), "abc"], "第3行 税收:应为数字"),
    (["二号公司", code(51), None], "第3行 税收:不能为空"),
    (["二号公司", code(50), 5], "第3行 统一社会信用代码:与第2行重复"),
])
def test_a_bad_tax_row_names_row_and_column_and_nothing_is_stored(client, site, row, message):
    w = site
    client.force_login(w.ls_editor)
    r = upload(client, w, [["企业名称", "统一社会信用代码", "税收"], ["入驻公司", code(50), 10], row])
    preview = client.get(r["Location"])
    page = preview.content.decode()
    assert message in page, page[:4000]
    assert 'id="confirm-tax"' not in page
    r = client.post(r["Location"])
    assert r.status_code == 400 and message in r.content.decode()
    assert FirmMonthlyTax.objects.count() == 0 and TaxImport.objects.get().applied is None


def test_a_tax_sheet_without_its_columns_is_refused_at_upload(client, site):
    w = site
    client.force_login(w.ls_editor)
    r = upload(client, w, [["企业名称", "统一社会信用代码"], ["入驻公司", code(50)]])
    assert r.status_code == 400 and "没有“税收”列" in r.content.decode()
    r = upload(client, w, [["企业名称", "税收"], ["入驻公司", 1]])
    assert r.status_code == 400 and "统一社会信用代码" in r.content.decode()
    assert TaxImport.objects.count() == 0
    # names are not needed: the sheet is joined on the codes
    r = upload(client, w, [["统一社会信用代码", "税收(万元)"], [code(50), 5], ["合计", 5]])
    assert r.status_code == 302
    client.post(r["Location"])
    assert list(FirmMonthlyTax.objects.values_list("enterprise__name", "amount")) == [("入驻公司", D("5"))]


def test_another_districts_tax_upload_is_not_found(client, site):
    w = site
    client.force_login(w.ls_editor)
    r = upload(client, w, [["企业名称", "统一社会信用代码", "税收"], ["入驻公司", code(50), 10]])
    client.force_login(w.lc_editor)
    assert client.get(r["Location"]).status_code == 404
    assert client.post(r["Location"]).status_code == 404
    client.force_login(w.ls_viewer)
    assert client.get(r["Location"]).status_code == 404
    assert upload(client, w, [["统一社会信用代码", "税收"], [code(50), 1]]).status_code == 403
    assert FirmMonthlyTax.objects.count() == 0


# ---------------------------------------------------------------- schemes as versioned data


def published(w):
    """A published evaluation of four 规下 firms under 黄岩区's 2022 method."""
    import io

    scheme = ev.save_scheme(w.ls_admin, w.laoshan, {"name": "黄岩区工业企业综合评价", "min_pool_for_d": 0},
                            HUANGYAN_2022)
    sheet = xlsx([["企业名称", "统一社会信用代码", "证载用地面积", "实缴税收", "用电量"],
                  *[[f"{n}公司", code(i), a, t, p] for i, (n, a, t, p) in enumerate(
                      [("子", 8, 100, 400), ("丑", 5, 30, 150), ("寅", 4, 60, 300), ("卯", 6, 20, 200)], start=20)]])
    batch = ev.import_figures(w.ls_admin, w.laoshan, 2022, "tax", io.BytesIO(sheet), "税务局.xlsx")
    ev.review_batch(w.ls_admin, batch, accept=True)
    evaluation = ev.create_evaluation(w.ls_admin, w.laoshan, 2022, scheme)
    ev.run_evaluation(w.ls_admin, evaluation)
    ev.publish(w.ls_admin, evaluation, dt.date(2023, 9, 25), dt.date(2099, 12, 31))
    return scheme, evaluation


def snapshot(evaluation):
    results = sorted(Result.objects.filter(evaluation=evaluation).values_list("enterprise__name", "score", "klass",
                                                                              "rank"))
    shown = sorted(PublishedEntry.objects.filter(publication__evaluation=evaluation).values_list(
        "enterprise__name", "score", "klass"))
    return results, shown


def test_a_published_schemes_new_version_leaves_the_published_results_unchanged(client, site):
    w = site
    scheme, evaluation = published(w)
    before = snapshot(evaluation)
    assert {name: score for name, score, _k, _r in before[0]}["丑公司"] == D("68.40")  # as test_mujun computes
    client.force_login(w.ls_admin)
    detail = reverse("parks:scheme_detail", args=[scheme.pk])
    page = client.get(detail).content.decode()
    assert 'id="frozen"' in page and 'id="scheme-form"' not in page
    below = scheme.pools.get(pool="below_large")
    tax = below.indicators.get(key="tax_per_mu")
    # in place: refused, on the page and in the service
    r = client.post(reverse("parks:indicator_edit", args=[tax.pk]), {
        "key": "tax_per_mu", "direction": "higher", "weight": "80", "benchmark": "fixed", "factor": "1",
        "fixed_value": "11.5932", "missing": "zero", "order": "0"})
    assert r.status_code == 400 and "请新建版本" in r.content.decode()
    r = client.post(detail, {"action": "scheme", "name": "改名", "classify_by": "shares", "small_land_mu": "3",
                             "transition_years": "0", "min_pool_for_d": "0", "d_surcharge_1": "0.05",
                             "d_surcharge_2": "0.1", "d_surcharge_3": "0.15"}, follow=True)
    assert "请新建版本" in r.content.decode()
    with pytest.raises(Exception, match="新建版本"):
        ev.save_pool(w.ls_admin, scheme, "below_large", {"a_share": D("50")})
    tax.refresh_from_db()
    assert tax.weight == D("50") and Scheme.objects.get(pk=scheme.pk).name == "黄岩区工业企业综合评价"
    # a new version, copied whole, then edited
    r = client.post(reverse("parks:scheme_version", args=[scheme.pk]))
    v2 = Scheme.objects.get(name=scheme.name, version=2)
    assert r.status_code == 302 and r["Location"] == reverse("parks:scheme_detail", args=[v2.pk])
    assert sorted(Indicator.objects.filter(pool__scheme=v2).values_list("pool__pool", "key", "weight")) == sorted(
        Indicator.objects.filter(pool__scheme=scheme).values_list("pool__pool", "key", "weight"))
    new_tax = Indicator.objects.get(pool__scheme=v2, pool__pool="below_large", key="tax_per_mu")
    r = client.post(reverse("parks:indicator_edit", args=[new_tax.pk]), {
        "key": "tax_per_mu", "direction": "higher", "weight": "80", "benchmark": "max", "factor": "1",
        "cap": "100", "missing": "zero", "order": "0"})
    assert r.status_code == 302, r.content.decode()[:3000]
    r = client.post(reverse("parks:scheme_detail", args=[v2.pk]), {
        "action": "pool", "pool_key": "below_large", "pool-below_large-a_share": "10",
        "pool-below_large-ab_share": "60", "pool-below_large-d_share": "20"})
    assert r.status_code == 302
    assert SchemePool.objects.get(scheme=v2, pool="below_large").a_share == D("10")
    # the published evaluation: same results, same published list, and a rerun gives them again
    assert snapshot(evaluation) == before
    ev.run_evaluation(w.ls_admin, evaluation)
    assert snapshot(evaluation)[0] == before[0]
    tax.refresh_from_db()
    assert (tax.weight, tax.benchmark) == (D("50"), "fixed")


def test_a_scheme_is_built_from_nothing_on_its_pages(client, site):
    w = site
    client.force_login(w.ls_admin)
    r = client.post(reverse("parks:scheme_list"), {
        "region": w.laoshan.pk, "name": "崂山区亩均评价办法", "classify_by": "thresholds", "small_land_mu": "3",
        "transition_years": "2", "min_pool_for_d": "10", "d_surcharge_1": "0.05", "d_surcharge_2": "0.10",
        "d_surcharge_3": "0.15"})
    assert r.status_code == 302, r.content.decode()[:3000]
    scheme = Scheme.objects.get()
    detail = reverse("parks:scheme_detail", args=[scheme.pk])
    assert "评价办法还没有评价组" in client.get(detail).content.decode()
    r = client.post(detail, {"action": "pool", "pool_key": "above", "pool-above-a_min": "60",
                             "pool-above-b_min": "80", "pool-above-c_min": "40"}, follow=True)
    assert "得分线应为A类≥B类≥C类" in r.content.decode() and not SchemePool.objects.exists()
    client.post(detail, {"action": "pool", "pool_key": "above", "pool-above-a_min": "80",
                         "pool-above-b_min": "60", "pool-above-c_min": "40"})
    pool = SchemePool.objects.get()
    bad = {"action": "indicator", "indicator_pool": "above", "ind-above-key": "tax_per_mu",
           "ind-above-direction": "higher", "ind-above-weight": "NaN", "ind-above-benchmark": "fixed",
           "ind-above-factor": "1", "ind-above-missing": "zero"}
    r = client.post(detail, bad, follow=True)
    assert "输入一个数字" in r.content.decode() and not Indicator.objects.exists()
    r = client.post(detail, {**bad, "ind-above-weight": "60"}, follow=True)
    assert "固定基准值规则须填写基准值" in r.content.decode() and not Indicator.objects.exists()
    client.post(detail, {**bad, "ind-above-weight": "60", "ind-above-fixed_value": "20", "ind-above-cap": "80"})
    client.post(detail, {**bad, "ind-above-key": "va_per_energy", "ind-above-direction": "lower",
                         "ind-above-weight": "40", "ind-above-benchmark": "average_k", "ind-above-factor": "1.2"})
    assert list(pool.indicators.values_list("key", "direction", "weight", "benchmark", "cap")) == [
        ("tax_per_mu", "higher", D("60.00"), "fixed", D("80.00")),
        ("va_per_energy", "lower", D("40.00"), "average_k", None)]
    assert ev.scheme_problems(scheme) == []
    # a district's staff who are not its administrator read, and change nothing
    client.force_login(w.ls_editor)
    assert client.get(detail).status_code == 200
    assert client.post(detail, {**bad, "ind-above-key": "va_per_mu", "ind-above-fixed_value": "1"}).status_code == 403
    assert client.post(reverse("parks:scheme_version", args=[scheme.pk])).status_code == 403
    client.force_login(w.lc_editor)
    assert client.get(detail).status_code == 404
    assert Indicator.objects.count() == 2 and Scheme.objects.count() == 1


def test_exemptions_are_listed_as_t_with_their_reasons(client, site):
    w = site
    scheme, evaluation = published(w)
    client.force_login(w.ls_admin)
    url = reverse("parks:exemptions", args=[evaluation.pk])
    r = client.post(url, {"credit_code": code(21), "kind": "transition", "reason": "2022年新投产"})
    assert r.status_code == 302, r.content.decode()[:3000]
    r = client.post(url, {"credit_code": code(7, "370213"), "kind": "exempt", "reason": "外区"})
    assert r.status_code == 400 and "本区企业库中没有" in r.content.decode()
    r = client.post(url, {"credit_code": code(22), "kind": "exempt", "reason": " "})
    assert r.status_code == 400 and Exemption.objects.count() == 1
    ev.run_evaluation(w.ls_admin, evaluation)
    chou = evaluation.results.get(enterprise__credit_code=code(21))
    assert (chou.klass, chou.reason) == ("T", "2022年新投产")
    page = client.get(url).content.decode()
    assert "过渡期" in page and "丑公司" in page
    client.force_login(w.ls_editor)
    assert client.post(url, {"credit_code": code(22), "kind": "exempt", "reason": "x"}).status_code == 403
    client.force_login(w.ls_admin)
    client.post(url, {"action": "remove", "item": Exemption.objects.get().pk})
    assert not Exemption.objects.exists()


# ---------------------------------------------------------------- the API


def api(client, method, url, data=None):
    if method == "get":
        return client.get(url)
    return getattr(client, method)(url, json.dumps(data or {}), content_type="application/json")


def test_buildings_units_and_tenancies_are_written_through_the_api(client, site):
    w = site
    client.force_login(w.ls_editor)
    r = api(client, "post", "/api/buildings/", {"region": w.laoshan.pk, "name": "接口楼", "kind": "industrial",
                                                "gross_area_m2": "1000", "floor_load_kn": "10"})
    assert r.status_code == 201, r.content
    building = Building.objects.get(name="接口楼")
    assert building.history.first().history_change_reason == "登记楼宇"
    r = api(client, "post", "/api/space-units/", {"building": building.pk, "floor": 1, "code": "A", "area_m2": "600"})
    assert r.status_code == 201, r.content
    unit_id = r.json()["id"]
    r = api(client, "post", "/api/tenancies/", {"unit": unit_id, "enterprise": w.firm.pk, "start": "2024-01-01"})
    assert r.status_code == 201, r.content
    assert r.json()["area_m2"] == "600.00"
    assert api(client, "get", f"/api/buildings/{building.pk}/").json()["occupancy_by_area"] in (100, "100.00")
    r = api(client, "post", "/api/tenancies/", {"unit": unit_id, "enterprise": w.other.pk, "start": "2024-02-01"})
    assert r.status_code == 400 and "租期不能重叠" in r.content.decode()
    tenancy_id = Tenancy.objects.get(unit_id=unit_id).pk
    r = api(client, "post", f"/api/tenancies/{tenancy_id}/end/", {"end": "2024-06-30"})
    assert r.status_code == 200 and r.json()["end"] == "2024-06-30"
    r = api(client, "patch", f"/api/space-units/{unit_id}/", {"asking_rent": "35"})
    assert r.status_code == 200 and SpaceUnit.objects.get(pk=unit_id).asking_rent == D("35")
    r = api(client, "patch", f"/api/buildings/{building.pk}/", {"ceiling_m": "7"})
    assert r.status_code == 200 and Building.objects.get(pk=building.pk).ceiling_m == D("7")


@pytest.mark.parametrize("url,data,field", [
    ("/api/buildings/", {"name": "负楼", "gross_area_m2": "-1"}, "gross_area_m2"),
    ("/api/buildings/", {"name": "空楼", "gross_area_m2": "NaN"}, "gross_area_m2"),
    ("/api/buildings/", {"name": "智造楼"}, "non_field_errors"),
    ("/api/space-units/", {"floor": 2, "code": "B", "area_m2": "-5"}, "area_m2"),
    ("/api/space-units/", {"floor": 2, "code": "B", "area_m2": "NaN"}, "area_m2"),
    ("/api/space-units/", {"floor": 2, "code": "101", "area_m2": "5"}, "non_field_errors"),
    ("/api/tenancies/", {"start": "2024-01-01", "area_m2": "-3"}, "area_m2"),
    ("/api/tenancies/", {"start": "2024-01-01", "area_m2": "900"}, "area_m2"),
    ("/api/tenancies/", {"start": "2024-05-01", "end": "2024-01-01"}, "end"),
])
def test_bad_api_writes_answer_400_with_field_errors_and_store_nothing(client, site, url, data, field):
    w = site
    client.force_login(w.ls_editor)
    base = {"/api/buildings/": {"region": w.laoshan.pk, "kind": "featured"},
            "/api/space-units/": {"building": w.building.pk},
            "/api/tenancies/": {"unit": w.unit.pk, "enterprise": w.firm.pk}}[url]
    before = rows_of(*SPACE)
    r = api(client, "post", url, {**base, **data})
    assert r.status_code == 400, r.content
    assert field in r.json(), r.json()
    assert rows_of(*SPACE) == before


def test_api_writes_are_scoped(client, site):
    w = site
    tenancy = services.lease(w.ls_editor, w.unit, w.firm, dt.date(2024, 1, 1))
    before = rows_of(*SPACE) + (Building.objects.get().name,)
    client.force_login(w.lc_editor)
    assert api(client, "patch", f"/api/buildings/{w.building.pk}/", {"name": "x"}).status_code == 404
    assert api(client, "post", f"/api/tenancies/{tenancy.pk}/end/", {"end": "2024-02-01"}).status_code == 404
    r = api(client, "post", "/api/space-units/", {"building": w.building.pk, "floor": 1, "code": "Z", "area_m2": "1"})
    assert r.status_code == 400 and "building" in r.json()
    r = api(client, "post", "/api/buildings/", {"region": w.laoshan.pk, "name": "越界楼"})
    assert r.status_code == 400 and "region" in r.json()
    for username in ("ls_viewer", "unit_user"):
        client.force_login(getattr(w, username))
        assert api(client, "patch", f"/api/buildings/{w.building.pk}/", {"name": "x"}).status_code == 403
        assert api(client, "patch", f"/api/space-units/{w.unit.pk}/", {"code": "x"}).status_code == 403
        assert api(client, "post", f"/api/tenancies/{tenancy.pk}/end/", {"end": "2024-02-01"}).status_code == 403
        assert api(client, "post", "/api/buildings/", {"region": w.laoshan.pk, "name": "读者楼"}).status_code == 403
    assert rows_of(*SPACE) + (Building.objects.get().name,) == before
