"""项目体检: the health checks a district switches on (签约超期未开工, 连续无资金到位, 资金到位率过低,
累计投资下降), run over one :class:`~taizhang.monitoring.metrics.Snapshot`.

A check that needs a date the ledger does not know (a signing date from a public report
that gives none) is not made: the snapshot lists those projects (``unknown_signing``) and
the dashboard says how many.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from taizhang.core.numbers import ZERO, pct
from taizhang.core.periods import months_between
from taizhang.projects.choices import Stage
from taizhang.projects.models import MonthlyProgress

HEALTH_LABELS = {
    "signed_not_started": _l("签约超期未开工"),
    "no_funds": _l("连续无资金到位"),
    "low_funds": _l("资金到位率过低"),
    "cumulative_falls": _l("累计投资下降"),
}


def health_checks(snap) -> list[tuple[str, object, str]]:
    """(rule, project, finding) for each project a switched-on check flags."""
    snap._load_funds()
    missing = snap._missing("health")  # figures brought up to date ask only of the changed projects
    history_falls = cumulative_falls(snap, missing) if missing else {}
    # each finding's wording looked up once, not once a project
    signed_days, no_funds = _("签约%(days)s天未开工"), _("连续%(months)s个月无资金到位")
    low_funds = _("签约%(months)s个月以上,到位资金仅占合同引资%(ratio)s%%")

    def check(line) -> tuple[tuple[tuple[str, str], ...], bool]:
        """A project's findings, and whether it was signed on a date nobody knows (then the
        date checks cannot be made)."""
        found = []
        p = line.project
        rules = snap.rules(p)
        signed = snap.first_date(p.id, Stage.SIGNED)
        reached_signed = snap.reached(p.id, Stage.SIGNED)
        unknown = signed is None and reached_signed and snap.histories[p.id].first_reached_unknown(Stage.SIGNED)
        started = snap.reached(p.id, Stage.STARTED)
        if rules.check_signed_not_started and signed and not started and reached_signed:
            days = (snap.end - signed).days
            if days > rules.signed_not_started_days:
                found.append(("signed_not_started", signed_days % {"days": days}))
        if rules.check_no_funds and signed and reached_signed and \
                months_between(signed, snap.year, snap.month) >= rules.no_funds_months:
            # none of the last N months (this one included) had funds in place
            funded = snap.last_funded.get(p.id)
            if funded is None or funded <= snap.year * 12 + snap.month - rules.no_funds_months:
                found.append(("no_funds", no_funds % {"months": rules.no_funds_months}))
        if rules.check_low_funds and p.contract_amount and signed and \
                months_between(signed, snap.year, snap.month) >= rules.low_funds_months:
            ratio = pct(line.funds, p.contract_amount) or ZERO
            if ratio < rules.low_funds_ratio:
                found.append(("low_funds", low_funds % {"months": rules.low_funds_months, "ratio": ratio}))
        if rules.check_cumulative_falls and p.id in history_falls:
            found.append(("cumulative_falls", history_falls[p.id]))
        return tuple(found), bool(unknown)

    checked = snap._each("health", check)
    found, unknown_signing = [], []
    for line in snap.lines:
        findings, unknown = checked[line.project.id]
        if unknown:
            unknown_signing.append(line.project.id)
        found.extend((rule, line.project, finding) for rule, finding in findings)
    snap.unknown_signing = unknown_signing  # whole, at once: a kept snapshot is read by other requests
    return found

def cumulative_falls(snap, ids: list[int] | None = None) -> dict[int, str]:
    """Projects whose reported investment for a month was corrected downwards this year (of
    ``ids``, or of the whole scope)."""
    out: dict[int, str] = {}
    projects = snap._scope.values("pk") if ids is None or len(ids) == len(snap.ids) else ids
    # Only reports that were ever corrected: their whole history, oldest first.
    corrected = MonthlyProgress.history.filter(
        project_id__in=projects, year=snap.year, month__lte=snap.month, history_type="~"
    ).values("id")
    records = MonthlyProgress.history.filter(id__in=corrected) \
        .order_by("id", "history_date").values_list("id", "project_id", "month", "investment", "history_type")
    previous: dict[int, Decimal] = {}
    for rid, pid, month, investment, kind in records:
        if kind == "~" and rid in previous and investment < previous[rid]:
            out[pid] = _("%(month)s月完成投资由%(old)s万元更正为%(new)s万元,累计投资下降") % {
                "month": month, "old": previous[rid], "new": investment}
        previous[rid] = investment
    return out
