"""Parks and buildings: 入驻率 at a date from tenancies (move-in, move-out, overlap refused),
vacant units and a lead's space need, building tax from tenants joined on credit code,
税收过亿元楼宇 per month with 新培育, warnings, and who sees which building."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from taizhang.enterprises.services import create_enterprise
from taizhang.parks import occupancy, services
from taizhang.parks.choices import BuildingKind
from taizhang.parks.models import Building, FirmMonthlyTax, SpaceUnit, Tenancy
from taizhang.projects.validators import credit_code_check_char

pytestmark = pytest.mark.django_db


def code(n: int, region: str = "370212") -> str:
    first = f"91{region}{n:09d}"
    return first + credit_code_check_char(first)


@pytest.fixture
def tower(world):
    """A 工业楼宇 in the VR park with four units (1,000 + 1,000 + 500 + 500 ㎡) and three firms."""
    w = world
    w.tower = services.create_building(w.ls_editor, {
        "region": w.laoshan, "park": w.vr_park, "name": "虚拟现实智造楼", "kind": BuildingKind.INDUSTRIAL,
        "gross_area_m2": D("5000"), "floor_load_kn": D("8"), "ceiling_m": D("5.4"), "freight_lifts": 2})
    w.units = [services.add_unit(w.ls_editor, w.tower, {"floor": f, "code": c, "area_m2": D(a), "asking_rent": D(r)})
               for f, c, a, r in ((1, "101", "1000", "45"), (2, "201", "1000", "40"), (3, "301", "500", "38"),
                                  (3, "302", "500", "60"))]
    w.firms = [create_enterprise(w.ls_editor, {"name": f"租户{i}公司", "credit_code": code(i), "region": w.laoshan})
               for i in range(1, 4)]
    return w


def test_occupancy_at_a_date_from_move_ins_and_move_outs(tower):
    w = tower
    services.lease(w.ls_editor, w.units[0], w.firms[0], dt.date(2024, 1, 1))
    t2 = services.lease(w.ls_editor, w.units[2], w.firms[1], dt.date(2024, 3, 15), area_m2=D("400"))
    services.end_tenancy(w.ls_editor, t2, dt.date(2024, 6, 30))

    def at(day):
        o = occupancy.occupancy(Building.objects.all(), day)[0]
        return o.by_area, o.by_units

    assert at(dt.date(2023, 12, 31)) == (D("0.00"), D("0.00"))
    assert at(dt.date(2024, 1, 1)) == (D("33.33"), D("25.00"))  # 1000 / 3000; 1 of 4
    assert at(dt.date(2024, 3, 15)) == (D("46.67"), D("50.00"))  # (1000 + 400) / 3000: the leased area counts
    assert at(dt.date(2024, 6, 30)) == (D("46.67"), D("50.00"))  # the last day is still in
    assert at(dt.date(2024, 7, 1)) == (D("33.33"), D("25.00"))
    vacant = occupancy.vacant_units(SpaceUnit.objects.all(), dt.date(2024, 4, 1))
    assert sorted(u.code for u in vacant) == ["201", "302"]


def test_an_overlapping_tenancy_is_refused(tower):
    w = tower
    services.lease(w.ls_editor, w.units[0], w.firms[0], dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    with pytest.raises(ValidationError, match="租户1公司"):
        services.lease(w.ls_editor, w.units[0], w.firms[1], dt.date(2024, 12, 31))
    with pytest.raises(ValidationError, match="租期不能重叠"):
        services.lease(w.ls_editor, w.units[0], w.firms[1], dt.date(2023, 6, 1))  # open-ended from before
    services.lease(w.ls_editor, w.units[0], w.firms[1], dt.date(2025, 1, 1))  # the day after is free
    with pytest.raises(ValidationError):
        services.lease(w.ls_editor, w.units[1], w.firms[1], dt.date(2024, 1, 1), area_m2=D("1200"))  # > unit
    with pytest.raises(ValidationError):
        services.lease(w.ls_editor, w.units[1], w.firms[1], dt.date(2024, 5, 1), dt.date(2024, 4, 1))
    with pytest.raises(ValidationError, match="建筑面积"):
        services.add_unit(w.ls_editor, w.tower, {"floor": 9, "code": "901", "area_m2": D("2500")})
    for bad in ("NaN", "Infinity", "1e30"):
        with pytest.raises(ValidationError):
            services.add_unit(w.ls_editor, w.tower, {"floor": 9, "code": "9x", "area_m2": D(bad)})
    assert Tenancy.objects.count() == 2


def test_a_leads_space_need_is_matched_to_vacant_units(tower):
    w = tower
    services.lease(w.ls_editor, w.units[0], w.firms[0], dt.date(2024, 1, 1))
    day = dt.date(2024, 2, 1)
    units = SpaceUnit.objects.all()
    found = occupancy.match_need(units, day, area_min=D("450"), load_min=D("8"), height_min=D("5"), rent_max=D("50"))
    assert [u.code for u in found] == ["301", "201"]  # 302 asks 60 元; 101 is let; closest area first
    assert occupancy.match_need(units, day, load_min=D("10")) == []
    services.update_building(w.ls_editor, w.tower, {"floor_load_kn": None})
    assert occupancy.match_need(units, day, load_min=D("1")) == []  # unknown never meets a stated need


def monthly(firm, year, months, amount):
    for m in months:
        FirmMonthlyTax.objects.create(enterprise=firm, year=year, month=m, amount=D(amount))


def test_building_tax_comes_from_tenants_and_over_one_yi_is_derived_per_month(tower):
    w = tower
    other = services.create_building(w.ls_editor, {"region": w.laoshan, "name": "千山大厦"})
    unit = services.add_unit(w.ls_editor, other, {"floor": 5, "code": "501", "area_m2": D("1000")})
    services.lease(w.ls_editor, w.units[0], w.firms[0], dt.date(2023, 1, 1))
    # firm 2 rents in both buildings (1,000 ㎡ each): its tax splits half and half
    services.lease(w.ls_editor, w.units[1], w.firms[1], dt.date(2023, 1, 1))
    services.lease(w.ls_editor, unit, w.firms[1], dt.date(2023, 1, 1))
    monthly(w.firms[0], 2023, range(1, 13), "600")   # 7,200 a year
    monthly(w.firms[1], 2023, range(1, 13), "400")   # 2,400 a year to each building
    monthly(w.firms[0], 2024, range(1, 13), "700")
    monthly(w.firms[1], 2024, range(1, 13), "400")
    monthly(w.firms[2], 2024, range(1, 13), "999")   # rents nowhere: adds to no building
    series = occupancy.monthly_tax(Building.objects.all(), (2023, 1), (2024, 12))
    assert series[w.tower.pk][(2023, 1)] == D("800") and series[other.pk][(2023, 1)] == D("200")
    over = occupancy.over_yi(Building.objects.all(), (2024, 1), (2024, 12))
    # the tower: 2023 = 12 × 800 = 9,600; 2024 months 900 each, so the twelve months ending in
    # March 2024 hold 9 × 800 + 3 × 900 = 9,900 and those ending in April exactly 10,000 (1亿 reached)
    assert over[(2024, 3)] == []
    assert [(b.name, amount) for b, amount in over[(2024, 4)]] == [("虚拟现实智造楼", D("10000"))]
    assert [b.name for b, _ in over[(2024, 12)]] == ["虚拟现实智造楼"]  # 千山大厦: 12 × 200 = 2,400
    new = occupancy.newly_over_yi(Building.objects.all(), (2024, 1), (2024, 12))
    assert [(b.name, amount) for b, amount in new] == [("虚拟现实智造楼", D("10800"))]
    assert occupancy.newly_over_yi(Building.objects.all(), (2025, 1), (2025, 1)) == []


def test_falling_occupancy_and_tax_are_warned(tower):
    w = tower
    t = services.lease(w.ls_editor, w.units[0], w.firms[0], dt.date(2022, 1, 1))
    monthly(w.firms[0], 2022, range(1, 13), "100")
    monthly(w.firms[0], 2023, range(1, 13), "100")
    monthly(w.firms[0], 2024, range(1, 6), "50")
    services.end_tenancy(w.ls_editor, t, dt.date(2024, 5, 31))
    found = {(x.kind, x.before, x.now) for x in occupancy.warnings(Building.objects.all(), dt.date(2024, 6, 15))}
    assert ("occupancy", D("33.33"), D("0.00")) in found
    # twelve months to May 2024: 7 × 100 + 5 × 50 = 950 against 1,200 to May 2023: −20.8 %
    assert ("tax", D("1200.00"), D("950.00")) in found


def test_firm_taxes_join_on_credit_code_all_or_nothing(tower):
    w = tower
    rows = [(code(1), "100"), (code(2), "NaN"), ("91370212MA0000000X", "5")]
    with pytest.raises(ValidationError) as exc:
        services.record_firm_taxes(w.ls_editor, w.laoshan, 2024, 1, rows)
    text = " ".join(exc.value.messages)
    assert "第2行 税收" in text and "第3行 统一社会信用代码" in text
    assert not FirmMonthlyTax.objects.exists()
    assert services.record_firm_taxes(w.ls_editor, w.laoshan, 2024, 1, [(code(1).lower(), "1,200.5")]) == 1
    assert FirmMonthlyTax.objects.get().amount == D("1200.5")


def test_buildings_are_scoped_by_district(tower):
    w = tower
    assert not Building.objects.restrict(w.lc_editor).exists()
    assert Building.objects.restrict(w.unit_user).exists()
    assert not Building.objects.restrict(w.unit_user, "change").exists()
    with pytest.raises(PermissionDenied):
        services.add_unit(w.lc_editor, w.tower, {"floor": 1, "code": "x", "area_m2": D("10")})
    with pytest.raises(PermissionDenied):
        services.create_building(w.lc_editor, {"region": w.laoshan, "name": "越界楼"})
    with pytest.raises(PermissionDenied):
        services.lease(w.unit_user, w.units[1], w.firms[0], dt.date(2024, 1, 1))
    lc_firm = create_enterprise(w.lc_editor, {"name": "李沧租户", "region": w.licang})
    with pytest.raises(ValidationError, match="不属于楼宇所在区"):
        services.lease(w.ls_editor, w.units[1], lc_firm, dt.date(2024, 1, 1))
