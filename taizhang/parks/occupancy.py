"""What the buildings' records say, computed, never typed: 入驻率 at any date (by area and by
units), vacant units, a lead's space need matched to them, each building's monthly tax from
its tenants, 税收过亿元楼宇 per month and the warnings when occupancy or tax falls.

Tax rule: a firm's tax of a month belongs to the buildings it rents in on the month's last
day, split by the area it rents in each; a firm renting nowhere that day adds to no building.
A building is 税收过亿元 in a month when its tax over the twelve months ending then reaches
1亿元 (10,000 万元): in December that is the calendar year, the figure reports use.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q

from taizhang.core.numbers import pct

from .models import Building, FirmMonthlyTax, SpaceUnit, Tenancy

ZERO = Decimal("0")
YI_WAN = Decimal("10000")  # 1亿元 in 万元


@dataclass
class Occupancy:
    building: Building
    area: Decimal
    leased_area: Decimal
    units: int
    leased_units: int

    @property
    def by_area(self) -> Decimal | None:
        return pct(self.leased_area, self.area)

    @property
    def by_units(self) -> Decimal | None:
        return pct(self.leased_units, self.units)


def occupancy(buildings, day: dt.date) -> list[Occupancy]:
    """Each building's 入驻率 on ``day``: leased area over the units' area, leased units over units."""
    buildings = list(buildings)
    units = SpaceUnit.objects.filter(building__in=buildings).values_list("pk", "building_id", "area_m2")
    leased = dict(Tenancy.objects.on(day).filter(unit__building__in=buildings).values_list("unit_id", "area_m2"))
    out = {b.pk: Occupancy(b, ZERO, ZERO, 0, 0) for b in buildings}
    for pk, building_id, area in units:
        o = out[building_id]
        o.area += area
        o.units += 1
        if pk in leased:
            o.leased_area += leased[pk]
            o.leased_units += 1
    return list(out.values())


def totals(rows: list[Occupancy]) -> Occupancy:
    total = Occupancy(None, ZERO, ZERO, 0, 0)
    for o in rows:
        total.area += o.area
        total.leased_area += o.leased_area
        total.units += o.units
        total.leased_units += o.leased_units
    return total


def vacant_units(units, day: dt.date):
    """Units nobody rents on ``day``."""
    taken = Tenancy.objects.on(day).values("unit_id")
    return units.exclude(pk__in=taken).select_related("building", "building__park")


def match_need(units, day: dt.date, area_min: Decimal | None = None, area_max: Decimal | None = None,
               load_min: Decimal | None = None, height_min: Decimal | None = None,
               rent_max: Decimal | None = None) -> list[SpaceUnit]:
    """Vacant units that meet a lead's need: area within the range, floor load and ceiling
    height at least those asked (the unit's own, else its building's; unknown never matches a
    stated need), asking rent within the budget (元/㎡·月). Closest in area first."""
    qs = vacant_units(units, day)
    if area_min is not None:
        qs = qs.filter(area_m2__gte=area_min)
    if area_max is not None:
        qs = qs.filter(area_m2__lte=area_max)
    if load_min is not None:
        qs = qs.filter(Q(floor_load_kn__gte=load_min) | Q(floor_load_kn__isnull=True,
                                                           building__floor_load_kn__gte=load_min))
    if height_min is not None:
        qs = qs.filter(Q(ceiling_m__gte=height_min) | Q(ceiling_m__isnull=True, building__ceiling_m__gte=height_min))
    if rent_max is not None:
        qs = qs.filter(asking_rent__lte=rent_max)
    target = area_min if area_min is not None else area_max
    found = list(qs[:500])
    if target is not None:
        found.sort(key=lambda u: (abs(u.area_m2 - target), u.pk))
    return found


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def months(first: tuple[int, int], last: tuple[int, int]) -> list[tuple[int, int]]:
    out, (y, m) = [], first
    while (y, m) <= last:
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def shift(ym: tuple[int, int], by: int) -> tuple[int, int]:
    index = ym[0] * 12 + ym[1] - 1 + by
    return index // 12, index % 12 + 1


def monthly_tax(buildings, first: tuple[int, int], last: tuple[int, int]) -> dict[int, dict[tuple, Decimal]]:
    """Each building's tax (万元) in each month of [first, last], from its tenants' tax."""
    buildings = list(buildings)
    span = months(first, last)
    window_start, window_end = dt.date(*first, 1), _month_end(*last)
    ids = [b.pk for b in buildings]
    firms = Tenancy.objects.filter(unit__building_id__in=ids, start__lte=window_end).filter(
        Q(end__isnull=True) | Q(end__gte=window_start)).values("enterprise_id")
    # every tenancy of those firms: a firm renting in two buildings splits its tax by area
    tenancies = list(Tenancy.objects.filter(enterprise_id__in=firms, start__lte=window_end).filter(
        Q(end__isnull=True) | Q(end__gte=window_start)).values_list("enterprise_id", "unit__building_id", "area_m2",
                                                                    "start", "end"))
    taxes: dict[tuple, Decimal] = {}
    for firm_id, year, month, amount in FirmMonthlyTax.objects.filter(
            enterprise_id__in={t[0] for t in tenancies}, year__gte=first[0], year__lte=last[0]).values_list(
            "enterprise_id", "year", "month", "amount"):
        taxes[(firm_id, year, month)] = amount
    out: dict[int, dict[tuple, Decimal]] = {pk: dict.fromkeys(span, ZERO) for pk in ids}
    for ym in span:
        day = _month_end(*ym)
        areas: dict[int, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        for firm_id, building_id, area, start, end in tenancies:
            if start <= day and (end is None or end >= day):
                areas[firm_id][building_id] += area
        for firm_id, by_building in areas.items():
            amount = taxes.get((firm_id, *ym))
            if not amount:
                continue
            whole = sum(by_building.values(), ZERO)
            for building_id, area in by_building.items():
                if building_id in out:
                    out[building_id][ym] += amount * area / whole
    return out


def rolling_year(series: dict[tuple, Decimal], ym: tuple[int, int]) -> Decimal:
    return sum((series.get(shift(ym, -i), ZERO) for i in range(12)), ZERO)


def over_yi(buildings, first: tuple[int, int], last: tuple[int, int]) -> dict[tuple, list[tuple[Building, Decimal]]]:
    """For each month of [first, last]: the buildings whose twelve-month tax reached 1亿元, with it."""
    buildings = list(buildings)
    series = monthly_tax(buildings, shift(first, -11), last)
    out = {}
    for ym in months(first, last):
        found = [(b, rolling_year(series[b.pk], ym)) for b in buildings]
        out[ym] = [(b, amount) for b, amount in found if amount >= YI_WAN]
    return out


def newly_over_yi(buildings, first: tuple[int, int], last: tuple[int, int]) -> list[tuple[Building, Decimal]]:
    """新培育税收过亿元楼宇 of a period: over 1亿元 at its last month, not at the month before it."""
    history = over_yi(buildings, shift(first, -1), last)
    before = {b.pk for b, _amount in history[shift(first, -1)]}
    return [(b, amount) for b, amount in history[last] if b.pk not in before]


@dataclass
class Warning:
    building: Building
    kind: str  # "occupancy" or "tax"
    before: Decimal
    now: Decimal


def warnings(buildings, day: dt.date, occupancy_drop: Decimal = Decimal("5"),
             tax_drop: Decimal = Decimal("10")) -> list[Warning]:
    """Buildings whose 入驻率 by area fell by ``occupancy_drop`` points or more against three
    months earlier, or whose twelve-month tax fell by ``tax_drop`` % or more against a year
    earlier (both judged at ``day``'s last complete month for tax)."""
    buildings = list(buildings)
    out: list[Warning] = []
    earlier = day - dt.timedelta(days=91)
    past = {o.building.pk: o.by_area for o in occupancy(buildings, earlier)}
    for o in occupancy(buildings, day):
        before = past.get(o.building.pk)
        if before is not None and o.by_area is not None and before - o.by_area >= occupancy_drop:
            out.append(Warning(o.building, "occupancy", before, o.by_area))
    last = shift((day.year, day.month), -1)
    series = monthly_tax(buildings, shift(last, -23), last)
    for b in buildings:
        now, before = rolling_year(series[b.pk], last), rolling_year(series[b.pk], shift(last, -12))
        if before > 0 and (before - now) / before * 100 >= tax_drop:
            out.append(Warning(b, "tax", before.quantize(Decimal("0.01")), now.quantize(Decimal("0.01"))))
    return out
