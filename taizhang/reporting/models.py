"""The monthly cycle: reporting periods, check rules, evidence, revisions after locking, 督办."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from taizhang.accounts.choices import Role
from taizhang.core.history import history_user
from taizhang.core.models import TimeStampedModel
from taizhang.core.scope import (
    RECORD_ACTIONS,
    Action,
    RestrictedQuerySet,
    ancestor_paths,
    can,
    home_region,
    supervised_levels,
)
from taizhang.regions.choices import RegionLevel

from .choices import OrderLevel, OrderSource, OrderStatus, PeriodStatus, RuleKind, Severity

_user = {"to": settings.AUTH_USER_MODEL, "on_delete": models.SET_NULL, "null": True, "blank": True,
         "related_name": "+"}


# -------------------------------------------------------------- scoped querysets
# ``restrict(user, action)`` selects exactly the rows for which ``scope.may(user, action, row)``
# is true, so a page that forgets a filter still cannot show another unit's or district's rows.


def _settled(qs, user, action: Action):
    """The answer every non-督办 queryset shares before its own rule: nothing for a role that
    may not take the action, everything for a superuser, nothing for ANSWER (only a 督办单
    is answered); None when the queryset's own rule decides. The same order as ``may``."""
    if not can(user, action):
        return qs.none()
    if user.is_superuser:
        return qs
    return qs.none() if action == Action.ANSWER else None


class PeriodQuerySet(models.QuerySet):
    """A district's months: the district's users and those above see them; a 责任单位 sees
    the months of the district it is in."""

    def restrict(self, user, action: Action | str = Action.VIEW):
        action = Action(action)
        settled = _settled(self, user, action)
        if settled is not None:
            return settled
        if user.role == Role.UNIT_USER:
            own = home_region(user)
            if action != Action.VIEW or own is None:
                return self.none()
            return self.filter(region__path__in=ancestor_paths(own.path))
        if user.region_id is None:
            return self.none()
        qs = self.filter(region__path__startswith=user.region.path)
        return qs.filter(region__level=RegionLevel.DISTRICT) if action == Action.SET_RULES else qs


class ReportChildQuerySet(RestrictedQuerySet):
    """Rows that hang off a monthly report (attachments, corrections): scoped by its project."""

    scope_prefix = "report__project__"

    def restrict(self, user, action: Action | str = Action.VIEW):
        action = Action(action)
        settled = _settled(self, user, action)
        if settled is not None:
            return settled
        if user.role == Role.UNIT_USER and action not in RECORD_ACTIONS:
            return self.none()
        return super().restrict(user, action)


class OrderQuerySet(models.QuerySet):
    """督办单: a 责任单位 sees and answers those addressed to it, everyone else sees those of
    their region subtree; ``SUPERVISE`` narrows to the levels the user closes and escalates."""

    def restrict(self, user, action: Action | str = Action.VIEW):
        action = Action(action)
        if not can(user, Action.VIEW):  # anonymous or inactive
            return self.none()
        if user.is_superuser:
            return self
        if action == Action.ANSWER or (action == Action.VIEW and user.role == Role.UNIT_USER):
            if not can(user, action) or user.unit_id is None:
                return self.none()
            return self.filter(unit_id=user.unit_id)
        if action not in (Action.VIEW, Action.SUPERVISE) or user.region_id is None:
            return self.none()
        qs = self.filter(region__path__startswith=user.region.path)
        return qs.filter(level__in=supervised_levels(user)) if action == Action.SUPERVISE else qs


class ReportingSettings(TimeStampedModel):
    """A district's reporting deadline: the given day of the following month."""

    region = models.OneToOneField("regions.Region", verbose_name=_("区"), on_delete=models.CASCADE,
                                  related_name="reporting_settings")
    deadline_day = models.PositiveSmallIntegerField(
        _("截止日(次月几日)"), default=5, validators=[MinValueValidator(1), MaxValueValidator(28)])

    history = HistoricalRecords(get_user=history_user, excluded_fields=["updated"])

    class Meta:
        verbose_name = _("填报设置")
        verbose_name_plural = _("填报设置")
        ordering = ["region__path"]

    def __str__(self) -> str:
        return f"{self.region} " + gettext("次月%(day)s日") % {"day": self.deadline_day}


class ReportingPeriod(TimeStampedModel):
    """One district's month: open for reports, submitted by the district, locked by the city."""

    region = models.ForeignKey("regions.Region", verbose_name=_("区"), on_delete=models.PROTECT,
                               related_name="reporting_periods")
    year = models.PositiveSmallIntegerField(_("年度"))
    month = models.PositiveSmallIntegerField(_("月份"), validators=[MinValueValidator(1), MaxValueValidator(12)])
    deadline = models.DateField(_("填报截止日"))
    status = models.CharField(_("状态"), max_length=16, choices=PeriodStatus.choices, default=PeriodStatus.OPEN)
    revision = models.PositiveIntegerField(_("数据版本"), default=1,
                                           help_text=_("锁定后每次更正加一;报表注明所用版本"))
    submitted_by = models.ForeignKey(verbose_name=_("报送人"), **_user)
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    locked_by = models.ForeignKey(verbose_name=_("锁定人"), **_user)
    locked_at = models.DateTimeField(_("锁定时间"), null=True, blank=True)

    objects = PeriodQuerySet.as_manager()

    history = HistoricalRecords(get_user=history_user, excluded_fields=["updated"])

    class Meta:
        verbose_name = _("填报期")
        verbose_name_plural = _("填报期")
        ordering = ["-year", "-month", "region__path"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year", "month"], name="period_one_per_region_month",
                                    violation_error_message=_("该区该月已有填报期")),
        ]

    def __str__(self) -> str:
        return f"{self.region} " + gettext("%(year)s年%(month)s月") % {"year": self.year, "month": self.month}

    @property
    def label(self) -> str:
        return (gettext("%(year)s年%(month)s月") % {"year": self.year, "month": self.month} + " "
                + gettext("第%(number)s版") % {"number": self.revision})


class ValidationRule(TimeStampedModel):
    """A check run when a report is saved and again over the whole period."""

    region = models.ForeignKey("regions.Region", verbose_name=_("区"), on_delete=models.CASCADE,
                               related_name="validation_rules")
    kind = models.CharField(_("规则"), max_length=24, choices=RuleKind.choices)
    severity = models.CharField(_("处理方式"), max_length=8, choices=Severity.choices, default=Severity.HARD)
    threshold = models.DecimalField(_("阈值"), max_digits=8, decimal_places=2, null=True, blank=True,
                                    help_text=_("仅“超过月均N倍”规则使用:N"))
    active = models.BooleanField(_("启用"), default=True)

    history = HistoricalRecords(get_user=history_user, excluded_fields=["updated"])

    class Meta:
        verbose_name = _("校验规则")
        verbose_name_plural = _("校验规则")
        ordering = ["region__path", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["region", "kind"], name="rule_one_per_kind",
                                    violation_error_message=_("该区已有同类规则,请修改原规则")),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}({self.get_severity_display()})"


#: the rules a district has until its 区级管理员 changes them
DEFAULT_RULES = [
    (RuleKind.CUMULATIVE_FALLS, Severity.HARD, None),
    (RuleKind.NEGATIVE, Severity.HARD, None),
    (RuleKind.ABOVE_REMAINING, Severity.HARD, None),
    (RuleKind.NOT_STARTED, Severity.HARD, None),
    (RuleKind.FUNDS_OVER_CONTRACT, Severity.HARD, None),
    (RuleKind.SPIKE, Severity.SOFT, Decimal("3")),
]


def evidence_path(instance, filename: str) -> str:
    """Where an evidence file is kept: a random name (the original one is kept in the record),
    so a path cannot be guessed from what a user called the file."""
    import uuid
    from pathlib import PurePath

    suffix = PurePath(filename).suffix.lower()[:10]
    return f"evidence/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    """A photo or document kept with a monthly report (形象进度照片, 合同, 发票)."""

    report = models.ForeignKey("projects.MonthlyProgress", verbose_name=_("月度进展"), on_delete=models.CASCADE,
                               related_name="attachments")
    file = models.FileField(_("文件"), upload_to=evidence_path)
    original_name = models.CharField(_("原文件名"), max_length=200)
    kind = models.CharField(_("类型"), max_length=8)
    size = models.PositiveIntegerField(_("大小(字节)"))
    uploaded_by = models.ForeignKey(verbose_name=_("上传人"), **_user)
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    objects = ReportChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.kind in ("jpg", "png")


class Revision(models.Model):
    """A correction made after the month was locked: visible, with its reason."""

    report = models.ForeignKey("projects.MonthlyProgress", verbose_name=_("月度进展"), on_delete=models.CASCADE,
                               related_name="revisions")
    period = models.ForeignKey("reporting.ReportingPeriod", verbose_name=_("填报期"), on_delete=models.CASCADE,
                               related_name="revisions")
    number = models.PositiveIntegerField(_("版本"))
    old_investment = models.DecimalField(_("原值(万元)"), max_digits=16, decimal_places=2)
    new_investment = models.DecimalField(_("新值(万元)"), max_digits=16, decimal_places=2)
    reason = models.TextField(_("更正原因"))
    user = models.ForeignKey(verbose_name=_("更正人"), **_user)
    created = models.DateTimeField(_("更正时间"), auto_now_add=True)

    objects = ReportChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("锁定后更正")
        verbose_name_plural = _("锁定后更正")
        ordering = ["period", "number"]

    def __str__(self) -> str:
        return f"{self.report} " + gettext("第%(number)s版") % {"number": self.number}


class SupervisionOrder(TimeStampedModel):
    """督办单: issued to a responsible unit with a deadline, answered, closed or escalated."""

    source = models.CharField(_("来源"), max_length=16, choices=OrderSource.choices, default=OrderSource.OTHER)
    region = models.ForeignKey("regions.Region", verbose_name=_("区"), on_delete=models.PROTECT,
                               related_name="supervision_orders")
    project = models.ForeignKey("projects.Project", verbose_name=_("项目"), on_delete=models.PROTECT,
                                related_name="supervision_orders", null=True, blank=True)
    problem = models.ForeignKey("projects.Problem", verbose_name=_("问题"), on_delete=models.PROTECT,
                                related_name="supervision_orders", null=True, blank=True)
    unit = models.ForeignKey("regions.Unit", verbose_name=_("督办对象"), on_delete=models.PROTECT,
                             related_name="supervision_orders")
    content = models.TextField(_("督办事项"))
    deadline = models.DateField(_("办理时限"))
    status = models.CharField(_("状态"), max_length=16, choices=OrderStatus.choices, default=OrderStatus.ISSUED)
    level = models.CharField(_("督办层级"), max_length=16, choices=OrderLevel.choices, default=OrderLevel.DISTRICT)
    overdue = models.BooleanField(_("已逾期"), default=False)
    answer = models.TextField(_("办理情况"), blank=True)
    answered_by = models.ForeignKey(verbose_name=_("答复人"), **_user)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    issued_by = models.ForeignKey(verbose_name=_("下发人"), **_user)
    closed_by = models.ForeignKey(verbose_name=_("办结人"), **_user)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    objects = OrderQuerySet.as_manager()

    history = HistoricalRecords(get_user=history_user, excluded_fields=["updated"])

    class Meta:
        verbose_name = _("督办单")
        verbose_name_plural = _("督办单")
        ordering = ["status", "deadline", "id"]

    def __str__(self) -> str:
        return gettext("督办单%(number)s:%(content)s") % {"number": self.pk, "content": self.content[:20]}
