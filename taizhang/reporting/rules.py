"""Checks on what is reported (校验规则): hard ones block the save, soft ones ask for a reason.

The rules read a :class:`Context` (the project's dated stage history and its other
months), loaded for many reports at once by :func:`contexts`, so the writer of monthly
figures, the import preview and the month's re-check all run the same rules the same way.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F
from django.utils.translation import gettext as _

from .choices import RuleKind, Severity
from .models import DEFAULT_RULES, ValidationRule

ZERO = Decimal("0")


@dataclass
class Finding:
    kind: str
    severity: str
    message: str

    @property
    def hard(self) -> bool:
        return self.severity == Severity.HARD


@dataclass
class Context:
    """What the rules need to know about a project besides the report itself."""

    history: object  # taizhang.projects.stages.History
    investment: dict = field(default_factory=dict)  # (year, month) -> investment of every month
    funds: dict = field(default_factory=dict)  # (year, month) -> funds in place (万元)

    def others(self, year: int, month: int) -> dict:
        return {k: v for k, v in self.investment.items() if k != (year, month)}


def rules_for(region) -> list[ValidationRule]:
    """The district's active rules; its defaults where it has not set any."""
    saved = {r.kind: r for r in ValidationRule.objects.filter(region=region)}
    out = []
    for kind, severity, threshold in DEFAULT_RULES:
        rule = saved.get(kind) or ValidationRule(region=region, kind=kind, severity=severity, threshold=threshold)
        if rule.active:
            out.append(rule)
    return out


def funds_of(values: dict) -> Decimal:
    return (values.get("funds_domestic") or ZERO) + (values.get("funds_foreign") or ZERO) * (
        values.get("exchange_rate") or ZERO)


def contexts(project_ids) -> dict[int, Context]:
    """Every project's history and months, in three queries whatever the number of projects."""
    from taizhang.projects.models import MonthlyProgress
    from taizhang.projects.stages import load_histories

    ids = list(project_ids)
    histories = load_histories(ids)
    out = {pid: Context(history=histories[pid]) for pid in ids}
    rows = MonthlyProgress.objects.filter(project_id__in=ids).order_by().annotate(
        foreign=F("funds_foreign") * F("exchange_rate")).values_list(
        "project_id", "year", "month", "investment", "funds_domestic", "foreign")
    for pid, y, m, inv, dom, foreign in rows:
        ctx = out[pid]
        ctx.investment[(y, m)] = inv
        ctx.funds[(y, m)] = (dom or ZERO) + (foreign or ZERO)
    return out


def check(project, year: int, month: int, values: dict, existing, rules, ctx: Context) -> list[Finding]:
    """Findings for a report of ``project`` in (year, month) with ``values`` (the new figures).

    ``ctx.investment`` holds the figures of the project's other months as they will stand
    (a batch's own new figures included).
    """
    investment = values.get("investment")
    investment = existing.investment if investment is None and existing else (investment or ZERO)
    others = ctx.others(year, month)
    findings = []
    for rule in rules:
        kind, sev = rule.kind, rule.severity
        if kind == RuleKind.NEGATIVE and investment < 0:
            findings.append(Finding(kind, sev, _("本月完成投资不能为负数")))
        elif kind == RuleKind.CUMULATIVE_FALLS and existing is not None and investment < existing.investment:
            findings.append(Finding(kind, sev, _("累计投资不得下降:本月由%(old)s万元改为%(new)s万元") % {
                "old": existing.investment, "new": investment}))
        elif kind == RuleKind.ABOVE_REMAINING and project.total_investment:
            remaining = project.total_investment - sum(others.values(), ZERO)
            if investment > remaining:
                findings.append(Finding(kind, sev, _("本月完成投资%(investment)s万元超过剩余总投资%(remaining)s万元") % {
                    "investment": investment, "remaining": remaining}))
        elif kind == RuleKind.NOT_STARTED and investment > 0 and not ctx.history.started_by(year, month):
            findings.append(Finding(kind, sev, _("项目在%(year)s年%(month)s月尚未开工,不能填报建设投资") % {
                "year": year, "month": month}))
        elif kind == RuleKind.FUNDS_OVER_CONTRACT and project.contract_amount:
            total = sum((v for k, v in ctx.funds.items() if k != (year, month)), ZERO) + funds_of(values)
            if total > project.contract_amount:
                findings.append(Finding(kind, sev,
                                        _("累计到位资金%(total)s万元超过合同引资%(contract)s万元") % {
                                            "total": total.quantize(Decimal('0.01')), "contract": project.contract_amount}))
        elif kind == RuleKind.SPIKE and investment > 0:
            usual = [v for _, v in sorted(others.items(), reverse=True) if v > 0][:12]
            n = rule.threshold or Decimal("3")
            if len(usual) >= 3:
                median = Decimal(statistics.median(usual))
                if investment > median * n:
                    findings.append(Finding(kind, sev, _("本月完成投资%(investment)s万元超过常规月均%(median)s万元的%(n)s倍,请复核") % {
                        "investment": investment, "median": median, "n": n}))
    return findings
