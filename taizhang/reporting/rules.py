"""Checks on what is reported (校验规则): hard ones block the save, soft ones ask for a reason."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

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


def rules_for(region) -> list[ValidationRule]:
    """The district's active rules; its defaults where it has not set any."""
    saved = {r.kind: r for r in ValidationRule.objects.filter(region=region)}
    out = []
    for kind, severity, threshold in DEFAULT_RULES:
        rule = saved.get(kind) or ValidationRule(region=region, kind=kind, severity=severity, threshold=threshold)
        if rule.active:
            out.append(rule)
    return out


def check(project, year: int, month: int, values: dict, existing=None, rules=None) -> list[Finding]:
    """Findings for a report of ``project`` in (year, month) with ``values`` (the new figures)."""
    from taizhang.monitoring.metrics import month_end
    from taizhang.projects.models import MonthlyProgress

    rules = rules if rules is not None else rules_for(project.region)
    investment = values.get("investment")
    investment = existing.investment if investment is None and existing else (investment or ZERO)
    others = MonthlyProgress.objects.filter(project=project).exclude(year=year, month=month).order_by()
    findings = []
    for rule in rules:
        kind, sev = rule.kind, rule.severity
        if kind == RuleKind.NEGATIVE and investment < 0:
            findings.append(Finding(kind, sev, "本月完成投资不能为负数"))
        elif kind == RuleKind.CUMULATIVE_FALLS and existing is not None and investment < existing.investment:
            findings.append(Finding(kind, sev, f"累计投资不得下降:本月由{existing.investment}万元改为{investment}万元"))
        elif kind == RuleKind.ABOVE_REMAINING and project.total_investment:
            before = others.aggregate(s=Sum("investment"))["s"] or ZERO
            remaining = project.total_investment - before
            if investment > remaining:
                findings.append(Finding(kind, sev, f"本月完成投资{investment}万元超过剩余总投资{remaining}万元"))
        elif kind == RuleKind.NOT_STARTED and investment > 0:
            end = month_end(year, month)
            if project.actual_start is None or project.actual_start > end:
                findings.append(Finding(kind, sev, "项目尚未开工,不能填报建设投资"))
        elif kind == RuleKind.FUNDS_OVER_CONTRACT and project.contract_amount:
            agg = others.aggregate(d=Sum("funds_domestic"))
            total = (agg["d"] or ZERO) + sum(
                ((f or ZERO) * (r or ZERO) for f, r in others.values_list("funds_foreign", "exchange_rate")), ZERO)
            this = (values.get("funds_domestic") or ZERO) + (values.get("funds_foreign") or ZERO) * (
                values.get("exchange_rate") or ZERO)
            if total + this > project.contract_amount:
                findings.append(Finding(kind, sev,
                                        f"累计到位资金{(total + this).quantize(Decimal('0.01'))}万元超过合同引资{project.contract_amount}万元"))
        elif kind == RuleKind.SPIKE and investment > 0:
            usual = [v for v in others.filter(investment__gt=0).order_by("-year", "-month")
                     .values_list("investment", flat=True)[:12]]
            n = rule.threshold or Decimal("3")
            if len(usual) >= 3:
                median = Decimal(statistics.median(usual))
                if investment > median * n:
                    findings.append(Finding(kind, sev, f"本月完成投资{investment}万元超过常规月均{median}万元的{n}倍,请复核"))
    return findings
