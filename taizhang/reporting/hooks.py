"""What the ledger asks of the monthly cycle when progress is saved (imported lazily by
``projects.services`` so the ledger does not depend on this app at import time)."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from .choices import PeriodStatus
from .models import ReportingPeriod
from .rules import check


def is_locked(region, year: int, month: int) -> bool:
    return ReportingPeriod.objects.filter(region=region, year=year, month=month,
                                          status=PeriodStatus.LOCKED).exists()


def before_progress_save(project, year: int, month: int, values: dict, existing, explanation: str) -> None:
    """Refuse a save into a locked month; run the district's rules (hard: refuse, soft: need a reason)."""
    from taizhang.projects.models import Project

    project = Project.objects.select_related("region").get(pk=project.pk)  # its current stage and contract
    if is_locked(project.region, year, month):
        raise ValidationError({"month": [f"{year}年{month}月已锁定,不能修改;如需更正请走“锁定后更正”并说明原因"]})
    findings = check(project, year, month, values, existing)
    hard = [f.message for f in findings if f.hard]
    if hard:
        raise ValidationError({"investment": hard})
    soft = [f.message for f in findings if not f.hard]
    if soft and not (explanation or "").strip():
        raise ValidationError({"explanation": [m + ";请填写情况说明后保存" for m in soft]})
