"""The ledger: projects, their stage moves, annual plans, monthly progress and problems."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from taizhang.core.history import history_user
from taizhang.core.models import TimeStampedModel
from taizhang.core.numbers import MAX_AMOUNT_WAN
from taizhang.core.scope import ProjectChildQuerySet, RestrictedQuerySet
from taizhang.core.text import clean_name
from taizhang.regions.choices import RegionLevel

from .choices import (
    Category,
    DataSource,
    ImportStatus,
    Level,
    Nature,
    Origin,
    ProblemCategory,
    ProblemStatus,
    ReportStatus,
    Stage,
)
from .validators import validate_credit_code, validate_project_code

#: 过亿元: a total investment of at least 1亿元 = 10,000万元
OVER_100M_WAN = Decimal("10000")

_money = {"max_digits": 16, "decimal_places": 2}
_non_negative = [MinValueValidator(Decimal("0"), message=_("不能为负数")),
                 MaxValueValidator(MAX_AMOUNT_WAN, message=_("数值过大:超过1万亿,请核对单位"))]


class ProjectQuerySet(RestrictedQuerySet):
    def over_100m(self):
        return self.filter(total_investment__gte=OVER_100M_WAN)

    def with_overdue_problems(self, today: dt.date | None = None):
        today = today or timezone.localdate()
        return self.filter(
            pk__in=Problem.objects.overdue(today).values("project_id")
        )

    def load_shared(self) -> list[Project]:
        """The projects as a list with their region, park, chain and responsible unit (with the
        unit's region) loaded once each and shared: select_related builds those objects anew
        for every project, most of the time a city's 10,000 projects take to load."""
        from taizhang.regions.models import IndustryChain, Region, Unit

        rows = list(self)
        for name, queryset in (("region", Region.objects.all()), ("park", Region.objects.all()),
                               ("responsible_unit", Unit.objects.select_related("region")),
                               ("chain", IndustryChain.objects.all())):
            fk = Project._meta.get_field(name)
            related = queryset.in_bulk({getattr(p, fk.attname) for p in rows} - {None})
            for p in rows:
                fk.set_cached_value(p, related.get(getattr(p, fk.attname)))
        return rows


class Project(TimeStampedModel):
    """One project, with one identity from 线索 to 投产.

    Money is in 万元 (foreign investment in 万美元), as exact decimals. ``stage`` and
    the actual dates change only through :func:`taizhang.projects.services.move_stage`,
    which keeps each move as a :class:`StageChange`.
    """

    code = models.CharField(
        _("项目代码"),
        max_length=24,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_project_code],
        help_text=_("投资项目在线审批监管平台的24位项目代码,如 2024-370212-65-03-000123"),
    )
    name = models.CharField(_("项目名称"), max_length=200)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("所属区"), on_delete=models.PROTECT, related_name="projects"
    )
    park = models.ForeignKey(
        "regions.Region",
        verbose_name=_("所在园区"),
        on_delete=models.PROTECT,
        related_name="park_projects",
        null=True,
        blank=True,
    )
    chain = models.ForeignKey(
        "regions.IndustryChain",
        verbose_name=_("产业链"),
        on_delete=models.PROTECT,
        related_name="projects",
        null=True,
        blank=True,
    )
    builder = models.CharField(_("建设单位/投资方"), max_length=200, blank=True)
    credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, blank=True, validators=[validate_credit_code]
    )
    origin = models.CharField(_("资金来源"), max_length=16, choices=Origin.choices, default=Origin.DOMESTIC)
    nature = models.CharField(_("建设性质"), max_length=16, choices=Nature.choices, default=Nature.NEW)
    level = models.CharField(_("项目级别"), max_length=16, choices=Level.choices, default=Level.DISTRICT)
    category = models.CharField(
        _("项目类别"), max_length=20, choices=Category.choices, default=Category.INDUSTRY
    )
    total_investment = models.DecimalField(_("总投资(万元)"), **_money, validators=_non_negative)
    foreign_investment = models.DecimalField(
        _("外资(万美元)"), **_money, null=True, blank=True, validators=_non_negative
    )
    contract_amount = models.DecimalField(
        _("合同引资(万元)"), **_money, null=True, blank=True, validators=_non_negative
    )
    content = models.TextField(_("建设内容"), blank=True)
    planned_start = models.DateField(_("计划开工"), null=True, blank=True)
    planned_completion = models.DateField(_("计划竣工"), null=True, blank=True)
    actual_start = models.DateField(_("实际开工"), null=True, blank=True, editable=False)
    actual_completion = models.DateField(_("实际竣工"), null=True, blank=True, editable=False)
    responsible_unit = models.ForeignKey(
        "regions.Unit",
        verbose_name=_("责任单位"),
        on_delete=models.PROTECT,
        related_name="projects",
        null=True,
        blank=True,
    )
    responsible_person = models.CharField(_("责任人"), max_length=32, blank=True)
    commissioner = models.CharField(_("服务专员"), max_length=32, blank=True)
    stage = models.CharField(
        _("阶段"), max_length=16, choices=Stage.choices, default=Stage.LEAD, editable=False
    )
    stage_date = models.DateField(_("进入本阶段日期"), null=True, blank=True, editable=False)
    source = models.CharField(
        _("数据来源"), max_length=16, choices=DataSource.choices, default=DataSource.ENTERED
    )
    source_doc = models.CharField(_("来源文件"), max_length=200, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    history = HistoricalRecords(get_user=history_user, excluded_fields=["updated"])
    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["region__path", "-total_investment", "id"]
        verbose_name = _("项目")
        verbose_name_plural = _("项目")
        indexes = [
            models.Index(fields=["region", "stage"], name="project_region_stage"),
            models.Index(fields=["total_investment"], name="project_total_investment"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(total_investment__gte=0),
                name="project_total_investment_non_negative",
                violation_error_message=_("总投资不能为负数"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("projects:project_detail", args=[self.pk])

    @property
    def is_over_100m(self) -> bool:
        return self.total_investment is not None and self.total_investment >= OVER_100M_WAN

    @property
    def is_real(self) -> bool:
        return self.source != DataSource.GENERATED

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.name is not None:
            self.name = clean_name(self.name)
            if not self.name:
                errors["name"] = _("项目名称不能只有空白或不可见字符")
        if self.planned_start and self.planned_completion and self.planned_completion < self.planned_start:
            errors["planned_completion"] = _("计划竣工日期不能早于计划开工日期")
        if self.region_id and self.region.level != RegionLevel.DISTRICT:
            errors["region"] = _("所属区应为区/县/县级市")
        if self.park_id and self.region_id and self.park.parent_id != self.region_id:
            errors["park"] = _("园区不属于所选的区")
        if self.chain_id and self.region_id and self.chain.region_id != self.region_id:
            errors["chain"] = _("产业链不属于所选的区")
        if (
            self.responsible_unit_id
            and self.region_id
            and not self.responsible_unit.region.path.startswith(self.region.path)
        ):
            errors["responsible_unit"] = _("责任单位不属于所选的区")
        if self.origin == Origin.DOMESTIC and self.foreign_investment:
            errors["foreign_investment"] = _("内资项目不填外资金额")
        if errors:
            raise ValidationError(errors)

    def year_to_date(self, year: int, month: int) -> Decimal:
        """Investment completed from January to ``month`` of ``year`` (derived, never typed)."""
        total = self.progress_reports.filter(year=year, month__lte=month).aggregate(s=Sum("investment"))["s"]
        return total or Decimal("0")


class DatePrecision(models.TextChoices):
    DAY = "day", _("日")
    MONTH = "month", _("月")
    YEAR = "year", _("年")


class StageChange(models.Model):
    """One entry of a project's stage history: the business event reports are computed from.

    Entries are ordered by the date they took effect (see :mod:`taizhang.projects.stages`);
    ``from_stage`` is the stage before it in that order and is kept up to date when an
    entry is recorded in its place. A date the sources do not give is stored as unknown
    (None), never invented; ``precision`` says whether a known date is a day, a month
    ("2023年12月") or a year ("2022年").
    """

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("项目"), on_delete=models.CASCADE, related_name="stage_changes"
    )
    from_stage = models.CharField(_("原阶段"), max_length=16, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("新阶段"), max_length=16, choices=Stage.choices)
    date = models.DateField(_("日期"), null=True, blank=True, help_text=_("不详时留空"))
    precision = models.CharField(_("日期精度"), max_length=8, choices=DatePrecision.choices,
                                 default=DatePrecision.DAY)
    reason = models.TextField(_("原因"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created = models.DateTimeField(_("记录时间"), auto_now_add=True)

    history = HistoricalRecords(get_user=history_user)
    objects = ProjectChildQuerySet.as_manager()

    class Meta:
        ordering = ["project", models.F("date").asc(nulls_first=True), "id"]
        verbose_name = _("阶段变更")
        verbose_name_plural = _("阶段变更")

    def __str__(self) -> str:
        return f"{self.project}: {self.get_from_stage_display() or '—'} → {self.get_to_stage_display()}"

    @property
    def date_display(self) -> str:
        return date_shown(self.date, self.precision)


def date_shown(date, precision: str, gettext=gettext) -> str:
    """A stage date as precisely as it is known: 2024-03-12, 2024年3月, 2024年, or 日期不详.
    (``gettext``: a caller wording many rows may pass one that remembers its lookups.)"""
    if date is None:
        return gettext("日期不详")
    if precision == DatePrecision.YEAR:
        return gettext("%(year)s年") % {"year": date.year}
    if precision == DatePrecision.MONTH:
        return gettext("%(year)s年%(month)s月") % {"year": date.year, "month": date.month}
    return date.isoformat()


class AnnualPlan(TimeStampedModel):
    """A project's plan for one year: planned investment and milestone months."""

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("项目"), on_delete=models.CASCADE, related_name="plans"
    )
    year = models.PositiveSmallIntegerField(
        _("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    planned_investment = models.DecimalField(_("年度计划投资(万元)"), **_money, validators=_non_negative)
    planned_start_month = models.PositiveSmallIntegerField(
        _("计划开工月份"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    planned_completion_month = models.PositiveSmallIntegerField(
        _("计划竣工月份"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    milestones = models.TextField(_("年度建设目标"), blank=True)

    history = HistoricalRecords(get_user=history_user, excluded_fields=["updated"])
    objects = ProjectChildQuerySet.as_manager()

    class Meta:
        ordering = ["project", "-year"]
        verbose_name = _("年度计划")
        verbose_name_plural = _("年度计划")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "year"],
                name="plan_one_per_project_year",
                violation_error_message=_("该项目该年度已有计划"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.project} " + gettext("%(year)s年计划") % {"year": self.year}

    def clean(self) -> None:
        if (
            self.planned_start_month
            and self.planned_completion_month
            and self.planned_completion_month < self.planned_start_month
        ):
            raise ValidationError({"planned_completion_month": _("计划竣工月份不能早于计划开工月份")})


class MonthlyProgress(TimeStampedModel):
    """What a project did in one month. Year-to-date figures are sums of these."""

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("项目"), on_delete=models.CASCADE, related_name="progress_reports"
    )
    year = models.PositiveSmallIntegerField(
        _("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    month = models.PositiveSmallIntegerField(
        _("月份"), validators=[MinValueValidator(1, _("月份应为1-12")), MaxValueValidator(12, _("月份应为1-12"))]
    )
    investment = models.DecimalField(_("本月完成投资(万元)"), **_money, validators=_non_negative)
    progress = models.TextField(_("形象进度"), blank=True)
    funds_domestic = models.DecimalField(
        _("本月到位内资(万元)"), **_money, default=Decimal("0"), validators=_non_negative
    )
    funds_foreign = models.DecimalField(
        _("本月到位外资(万美元)"), **_money, default=Decimal("0"), validators=_non_negative
    )
    exchange_rate = models.DecimalField(
        _("折算汇率(人民币/美元)"), max_digits=8, decimal_places=4, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0.0001"), message=_("汇率应大于0"))],
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("填报人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(_("审核状态"), max_length=16, default=ReportStatus.DRAFT, choices=ReportStatus.choices)
    explanation = models.TextField(_("情况说明"), blank=True, help_text=_("触发提示类校验规则时填写"))
    return_reason = models.TextField(_("退回原因"), blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("审核人"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    approved_version = models.PositiveIntegerField(_("审核的版本"), null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(
        _("版本"), default=1, editable=False, help_text=_("数字每改一次加一;审核针对某一版本,数字变了须重新审核"))

    history = HistoricalRecords(get_user=history_user, excluded_fields=["updated"])
    objects = ProjectChildQuerySet.as_manager()

    class Meta:
        ordering = ["project", "year", "month"]
        verbose_name = _("月度进展")
        verbose_name_plural = _("月度进展")
        # what waits for review (待办, 月度调度) is asked on every page's badge
        indexes = [models.Index(fields=["status", "year", "month"], name="progress_by_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "year", "month"],
                name="progress_one_per_project_month",
                violation_error_message=_("该项目该月已有进展报告,请修改原报告"),
            ),
            models.CheckConstraint(
                condition=Q(investment__gte=0),
                name="progress_investment_non_negative",
                violation_error_message=_("本月完成投资不能为负数"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} " + gettext("%(year)s年%(month)s月") % {"year": self.year, "month": self.month}

    def clean(self) -> None:
        if self.funds_foreign and not self.exchange_rate:
            raise ValidationError({"exchange_rate": _("填报到位外资时须填写折算汇率")})

    @property
    def funds_total_wan_yuan(self) -> Decimal:
        """到位资金 in 万元: 内资 plus 外资 converted at the rate reported with it."""
        foreign = (self.funds_foreign or 0) * (self.exchange_rate or 0)
        return (self.funds_domestic or Decimal("0")) + foreign


class ProblemQuerySet(ProjectChildQuerySet):
    def unsolved(self):
        return self.exclude(status=ProblemStatus.SOLVED)

    def overdue(self, today: dt.date | None = None):
        today = today or timezone.localdate()
        return self.unsolved().filter(deadline__lt=today)


class Problem(TimeStampedModel):
    """An entry of the 问题清单: what blocks a project, who solves it, by when."""

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("项目"), on_delete=models.CASCADE, related_name="problems"
    )
    category = models.CharField(_("问题类别"), max_length=16, choices=ProblemCategory.choices)
    description = models.TextField(_("问题描述"))
    raised_on = models.DateField(_("提出日期"), default=timezone.localdate)
    solving_unit = models.ForeignKey(
        "regions.Unit",
        verbose_name=_("解决责任单位"),
        on_delete=models.PROTECT,
        related_name="problems",
        null=True,
        blank=True,
    )
    deadline = models.DateField(_("办结时限"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=ProblemStatus.choices, default=ProblemStatus.OPEN
    )
    resolution = models.TextField(_("解决情况"), blank=True)
    resolved_on = models.DateField(_("解决日期"), null=True, blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提出人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords(get_user=history_user, excluded_fields=["updated"])
    objects = ProblemQuerySet.as_manager()

    class Meta:
        ordering = ["status", "deadline", "id"]
        verbose_name = _("问题")
        verbose_name_plural = _("问题清单")

    def __str__(self) -> str:
        return f"{self.project}: {self.get_category_display()}"

    def clean(self) -> None:
        errors = {}
        if self.deadline and self.raised_on and self.deadline < self.raised_on:
            errors["deadline"] = _("办结时限不能早于提出日期")
        if self.status == ProblemStatus.SOLVED:
            if not (self.resolution or "").strip():
                errors["resolution"] = _("标记为已解决时须填写解决情况")
            if self.resolved_on and self.raised_on and self.resolved_on < self.raised_on:
                errors["resolved_on"] = _("解决日期不能早于提出日期")
        if errors:
            raise ValidationError(errors)

    def is_overdue(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.status != ProblemStatus.SOLVED and self.deadline is not None and self.deadline < today


class ImportBatch(models.Model):
    """One uploaded sheet, from preview to its one confirmation. The status moves
    待确认 → 导入中 by one conditional update, so a double click or two tabs confirm it once."""

    token = models.CharField(max_length=32, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    filename = models.CharField(_("文件名"), max_length=200)
    options = models.JSONField(_("选项"), default=dict)  # year, month, sheet, mapping
    status = models.CharField(_("状态"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.PREVIEWED)
    rows = models.PositiveIntegerField(_("行数"), default=0)
    result = models.JSONField(_("结果"), default=dict)  # counts, or the messages of a refusal
    created = models.DateTimeField(_("上传时间"), auto_now_add=True)
    started = models.DateTimeField(_("开始导入时间"), null=True, blank=True)
    finished = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导入批次")
        verbose_name_plural = _("导入批次")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"


class ImportTemplate(models.Model):
    """A district's column mapping for a sheet layout, found again by its headers."""

    region = models.ForeignKey("regions.Region", on_delete=models.CASCADE, related_name="+", null=True, blank=True)
    name = models.CharField(_("模板名称"), max_length=100)
    signature = models.CharField(_("表头特征"), max_length=64)
    headers = models.JSONField(_("表头"), default=list)
    mapping = models.JSONField(_("列对应"), default=dict)  # column index (str) -> field or ""
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("导入模板")
        verbose_name_plural = _("导入模板")
        constraints = [models.UniqueConstraint(fields=["region", "signature"], name="import_template_layout")]

    def __str__(self) -> str:
        return self.name
