"""The evaluation's arithmetic, apart from the database: pools, indicator values and
benchmarks, scores, the missing-data rule, ranks and classes. Plain data in, plain data out,
so a published method can be checked by hand and 10,000 firms score in a second.

The rules, as a scheme states them:

* A firm's land is its certificate area plus the area it leases. Firms without land, firms
  the district exempts (免评) and firms established within the scheme's 过渡期 are listed as
  T with the reason, and are neither ranked nor counted in any share.
* Pool: a firm with no certificate land but leased land is 租赁 (when the scheme has that
  pool); otherwise 规上 by the registry's scale, else 规下 by its land against the scheme's
  boundary (3 亩 unless set). A firm whose pool the scheme does not evaluate is T.
* Indicator score = weight × value ÷ benchmark (越大越好) or weight × benchmark ÷ value (越小越好;
  a value of 0 or less earns the cap, or the weight without one), at most the cap, rounded
  half up to 0.01. The total is the sum of the rounded scores, so the published breakdown
  adds up to the published total. A benchmark of 0 or less scores every firm 0.
* Benchmark: a fixed value, the pool's best value (max, or the smallest positive value for
  越小越好), or the pool's average × k.
* Missing data (a figure not reported, or a denominator of 0): 0 for the indicator, or the
  pool's average score on that indicator over the firms that have it.
* Ranks: by total score, highest first; equal scores share a rank (1, 2, 2, 4).
* Classes by thresholds: A ≥ a, B ≥ b, C ≥ c, else D. Classes by shares: A holds at most
  ``a_share`` % of the pool and A+B at most ``ab_share`` % (n × share, rounded down); firms with
  equal scores are never split, so a tie that would pass the limit falls to the lower class.
  D holds at least ``d_share`` % (n × share, rounded up), a tie at its boundary all in D; a
  pool smaller than ``min_pool_for_d`` gets no D by share. The rest are C.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from itertools import groupby

from django.utils.translation import gettext_noop

from .choices import Benchmark, ClassifyBy, Direction, Klass, Metric, Missing, Pool
from .indicators import land_of, value_of

ZERO = Decimal("0")
CENT = Decimal("0.01")


def q2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class IndicatorSpec:
    id: int
    key: str
    weight: Decimal
    direction: str = Direction.HIGHER
    benchmark: str = Benchmark.FIXED
    factor: Decimal = Decimal("1")
    fixed_value: Decimal | None = None
    cap: Decimal | None = None
    missing: str = Missing.ZERO


@dataclass
class PoolSpec:
    pool: str
    indicators: list[IndicatorSpec]
    a_min: Decimal | None = None
    b_min: Decimal | None = None
    c_min: Decimal | None = None
    a_share: Decimal | None = None
    ab_share: Decimal | None = None
    d_share: Decimal | None = None


@dataclass
class SchemeSpec:
    pools: dict[str, PoolSpec]
    classify_by: str = ClassifyBy.SHARES
    small_land_mu: Decimal = Decimal("3")
    transition_years: int = 0
    min_pool_for_d: int = 10


@dataclass
class FirmInput:
    id: int
    figures: dict[str, Decimal]
    above_scale: bool = False
    established: dt.date | None = None
    exempt_reason: str = ""


@dataclass
class Line:
    indicator_id: int
    value: Decimal | None
    benchmark: Decimal | None
    score: Decimal
    by_rule: bool = False


@dataclass
class Outcome:
    firm_id: int
    pool: str
    land: Decimal | None
    klass: str
    score: Decimal | None = None
    rank: int | None = None
    reason: str = ""
    lines: list[Line] = field(default_factory=list)


def pool_of(scheme: SchemeSpec, firm: FirmInput, year: int) -> tuple[str, str]:
    """(pool, "") for a firm to be ranked, or ("", reason) for a T firm. Reasons are the
    untranslated Chinese texts (they are stored and shown through gettext)."""
    land = land_of(firm.figures)
    if firm.exempt_reason:
        return "", firm.exempt_reason
    if scheme.transition_years and firm.established and firm.established.year > year - scheme.transition_years:
        return "", gettext_noop("成立未满过渡期年限")
    if land is None or land <= 0:
        return "", gettext_noop("缺少用地面积数据")
    certificate = firm.figures.get(Metric.LAND_CERTIFICATE) or ZERO
    if certificate <= 0 and Pool.LEASED in scheme.pools:
        pool = Pool.LEASED
    elif firm.above_scale:
        pool = Pool.ABOVE
    else:
        pool = Pool.BELOW_LARGE if land >= scheme.small_land_mu else Pool.BELOW_SMALL
    if pool not in scheme.pools:
        return "", gettext_noop("不在本办法的评价组内")
    return pool, ""


def benchmark_of(spec: IndicatorSpec, values: list[Decimal]) -> Decimal | None:
    if spec.benchmark == Benchmark.FIXED:
        return spec.fixed_value
    if not values:
        return None
    if spec.benchmark == Benchmark.MAX:
        if spec.direction == Direction.LOWER:
            positive = [v for v in values if v > 0]
            return min(positive) if positive else None
        return max(values)
    return sum(values, ZERO) / len(values) * spec.factor


def score_of(spec: IndicatorSpec, value: Decimal, benchmark: Decimal | None) -> Decimal:
    if benchmark is None or benchmark <= 0:
        return ZERO
    if spec.direction == Direction.LOWER:
        raw = (spec.cap if spec.cap is not None else spec.weight) if value <= 0 else spec.weight * benchmark / value
    else:
        raw = spec.weight * value / benchmark
    if spec.cap is not None:
        raw = min(raw, spec.cap)
    return q2(raw)


def score_pool(pool: PoolSpec, firms: list[FirmInput], outcomes: dict[int, Outcome]) -> None:
    """Each firm's lines and total in one pool."""
    for spec in pool.indicators:
        values = {f.id: value_of(spec.key, f.figures) for f in firms}
        present = [v for v in values.values() if v is not None]
        benchmark = benchmark_of(spec, present)
        scored = {fid: score_of(spec, v, benchmark) for fid, v in values.items() if v is not None}
        if spec.missing == Missing.POOL_AVERAGE and scored:
            fill = q2(sum(scored.values(), ZERO) / len(scored))
        else:
            fill = ZERO
        for f in firms:
            value = values[f.id]
            line = (Line(spec.id, value, benchmark, scored[f.id]) if value is not None
                    else Line(spec.id, None, benchmark, fill, by_rule=True))
            outcomes[f.id].lines.append(line)
    for f in firms:
        outcome = outcomes[f.id]
        outcome.score = sum((line.score for line in outcome.lines), ZERO)


def rank(outcomes: list[Outcome]) -> list[list[Outcome]]:
    """Sets ranks (equal scores share one) and returns the tie groups, highest first."""
    ordered = sorted(outcomes, key=lambda o: (-o.score, o.firm_id))
    groups = [list(g) for _score, g in groupby(ordered, key=lambda o: o.score)]
    position = 1
    for group in groups:
        for o in group:
            o.rank = position
        position += len(group)
    return groups


def classify_thresholds(pool: PoolSpec, outcomes: list[Outcome]) -> None:
    for o in outcomes:
        if o.score >= pool.a_min:
            o.klass = Klass.A
        elif o.score >= pool.b_min:
            o.klass = Klass.B
        elif o.score >= pool.c_min:
            o.klass = Klass.C
        else:
            o.klass = Klass.D


def classify_shares(groups: list[list[Outcome]], a_share: Decimal, ab_share: Decimal, d_share: Decimal,
                    allow_d: bool = True) -> None:
    """Classes by shares over tie groups (highest first); see the module's rules."""
    n = sum(len(g) for g in groups)
    a_cap = math.floor(Decimal(n) * a_share / 100)
    ab_cap = math.floor(Decimal(n) * ab_share / 100)
    d_need = math.ceil(Decimal(n) * d_share / 100) if allow_d else 0
    taken = 0
    for group in groups:
        # ``taken`` only grows, so once a tie group passes a limit every later group does too
        if taken + len(group) <= a_cap:
            klass = Klass.A
        elif taken + len(group) <= ab_cap:
            klass = Klass.B
        else:
            klass = Klass.C
        for o in group:
            o.klass = klass
        taken += len(group)
    in_d = 0
    for group in reversed(groups):
        if in_d >= d_need:
            break
        for o in group:
            o.klass = Klass.D
        in_d += len(group)


def evaluate(scheme: SchemeSpec, firms: list[FirmInput], year: int) -> list[Outcome]:
    """Every firm's outcome: T with its reason, or pool, lines, score, rank and class."""
    outcomes: dict[int, Outcome] = {}
    by_pool: dict[str, list[FirmInput]] = {}
    for firm in firms:
        pool, reason = pool_of(scheme, firm, year)
        outcomes[firm.id] = Outcome(firm.id, pool, land_of(firm.figures), Klass.T if reason else "", reason=reason)
        if pool:
            by_pool.setdefault(pool, []).append(firm)
    for pool_key, members in by_pool.items():
        pool = scheme.pools[pool_key]
        score_pool(pool, members, outcomes)
        ranked = [outcomes[f.id] for f in members]
        groups = rank(ranked)
        if scheme.classify_by == ClassifyBy.THRESHOLDS:
            classify_thresholds(pool, ranked)
        else:
            classify_shares(groups, pool.a_share, pool.ab_share, pool.d_share,
                            allow_d=len(ranked) >= scheme.min_pool_for_d)
    return list(outcomes.values())
