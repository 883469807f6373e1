"""The indicator system: a catalogue of indicators, their values by region and period with
where each came from, the year's targets, the reports read into facts, and the key tasks
(重点工作) with their monthly updates."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from taizhang.accounts.choices import Role
from taizhang.core.history import history_user
from taizhang.core.models import TimeStampedModel
from taizhang.core.scope import Action, can, region_scope_q

from .choices import (
    Aggregation,
    Direction,
    FactState,
    Kind,
    PeriodKind,
    Source,
    TaskOrigin,
    ValueStatus,
)

_user = {"to": settings.AUTH_USER_MODEL, "on_delete": models.SET_NULL, "null": True, "blank": True,
         "related_name": "+"}

#: the largest magnitude a value may have: beyond it a figure is a slip of unit or of typing
MAX_VALUE = Decimal("1e14")


def period_label(year: int, kind: str, number: int) -> str:
    """"2024年" / "2024年第3季度" / "2024年10月" / "2024年1-10月"."""
    if kind == PeriodKind.YEAR:
        return gettext("%(year)s年") % {"year": year}
    if kind == PeriodKind.QUARTER:
        return gettext("%(year)s年第%(q)s季度") % {"year": year, "q": number}
    if kind == PeriodKind.MONTH:
        return gettext("%(year)s年%(month)s月") % {"year": year, "month": number}
    return gettext("%(year)s年1-%(month)s月") % {"year": year, "month": number}


# -------------------------------------------------------------- scoped querysets


class RegionOwnedQuerySet(models.QuerySet):
    """Rows owned by a region: a user sees those of their region subtree, and public ones
    (figures read from published reports) wherever they are; writes stay in the subtree."""

    region_field = "region__"
    public_field: str | None = "public"

    def restrict(self, user, action: Action | str = Action.VIEW):
        action = Action(action)
        if not can(user, action):
            return self.none()
        q = region_scope_q(user, self.region_field)
        if q is None:
            return self
        if action == Action.VIEW and self.public_field:
            q |= Q(**{self.public_field: True})
        return self.filter(q)


class FactQuerySet(RegionOwnedQuerySet):
    region_field = "document__region__"
    public_field = "document__public"


class TaskQuerySet(models.QuerySet):
    """Key tasks: a 责任单位 sees the tasks it leads or helps with and updates those it leads;
    everyone else works in their region subtree."""

    def restrict(self, user, action: Action | str = Action.VIEW):
        action = Action(action)
        if not can(user, action):
            return self.none()
        if user.is_superuser:
            return self
        if user.role == Role.UNIT_USER:
            if user.unit_id is None:
                return self.none()
            if action == Action.VIEW:
                return self.filter(Q(responsible_unit_id=user.unit_id)
                                   | Q(cooperating_units__id=user.unit_id)).distinct()
            return self.filter(responsible_unit_id=user.unit_id)
        if user.region_id is None:
            return self.none()
        return self.filter(region__path__startswith=user.region.path)


class TaskChildQuerySet(models.QuerySet):
    def restrict(self, user, action: Action | str = Action.VIEW):
        return self.filter(task__in=KeyTask.objects.restrict(user, action).values("pk"))


# -------------------------------------------------------------- the catalogue


class IndicatorSystem(TimeStampedModel):
    """A named group of indicators: 新旧动能转换监测指标体系, 年度主要预期目标, a city's assessment list."""

    code = models.SlugField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    description = models.TextField(_("说明"), blank=True)

    history = HistoricalRecords(get_user=history_user, excluded_fields=["updated"])

    class Meta:
        ordering = ["code"]
        verbose_name = _("指标体系")
        verbose_name_plural = _("指标体系")

    def __str__(self) -> str:
        return self.name


class Indicator(TimeStampedModel):
    """One indicator of the catalogue. A derived indicator is ``numerator / denominator ×
    factor`` over two others (DHIS2's indicator formula); a ledger indicator names the
    monitoring figure it is computed from and is never typed."""

    code = models.SlugField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=64, unique=True)
    synonyms = models.TextField(_("同义名称"), blank=True, help_text=_("每行一个,如 规模以上工业增加值"))
    unit = models.CharField(_("单位"), max_length=16, blank=True)
    direction = models.CharField(_("方向"), max_length=8, choices=Direction.choices, default=Direction.HIGHER)
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices, default=Kind.LEVEL)
    aggregation = models.CharField(_("汇总方式"), max_length=8, choices=Aggregation.choices, default=Aggregation.NONE)
    allow_over_100 = models.BooleanField(_("比率可超过100%"), default=False,
                                         help_text=_("如完成率;比重类指标不勾选"))
    numerator = models.ForeignKey("self", verbose_name=_("分子指标"), on_delete=models.PROTECT, null=True,
                                  blank=True, related_name="as_numerator")
    denominator = models.ForeignKey("self", verbose_name=_("分母指标"), on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="as_denominator")
    factor = models.DecimalField(_("系数"), max_digits=12, decimal_places=4, default=Decimal("100"),
                                 help_text=_("派生值 = 分子 / 分母 × 系数"))
    part_of = models.ForeignKey("self", verbose_name=_("所属总量指标"), on_delete=models.PROTECT, null=True,
                                blank=True, related_name="parts")
    ledger_metric = models.CharField(_("台账指标"), max_length=32, blank=True,
                                     help_text=_("由重点项目台账计算的指标(驾驶舱的指标键)"))
    systems = models.ManyToManyField("indicators.IndicatorSystem", verbose_name=_("所属指标体系"), blank=True,
                                     related_name="indicators")
    description = models.TextField(_("说明"), blank=True)

    history = HistoricalRecords(get_user=history_user, excluded_fields=["updated"])

    class Meta:
        ordering = ["code"]
        verbose_name = _("指标")
        verbose_name_plural = _("指标")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from taizhang.monitoring.registry import BY_KEY

        errors = {}
        if (self.numerator_id is None) != (self.denominator_id is None):
            errors["denominator"] = _("派生指标须同时有分子和分母")
        if self.is_derived and self.aggregation == Aggregation.SUM:
            errors["aggregation"] = _("派生指标按公式计算,不能各区相加")
        if self.is_derived and self.ledger_metric:
            errors["ledger_metric"] = _("派生指标不能同时由台账计算")
        if self.ledger_metric and self.ledger_metric not in BY_KEY:
            errors["ledger_metric"] = _("没有这个台账指标")
        if self.pk and self.pk in (self.numerator_id, self.denominator_id, self.part_of_id):
            errors["numerator"] = _("指标不能引用自身")
        if errors:
            raise ValidationError(errors)

    @property
    def is_derived(self) -> bool:
        return self.numerator_id is not None and self.denominator_id is not None

    def synonym_list(self) -> list[str]:
        return [s.strip() for s in self.synonyms.replace(";", "\n").replace(";", "\n").splitlines() if s.strip()]


# -------------------------------------------------------------- values and targets


class IndicatorValue(TimeStampedModel):
    """A value of an indicator for a region and a period, with where it came from."""

    indicator = models.ForeignKey("indicators.Indicator", verbose_name=_("指标"), on_delete=models.PROTECT,
                                  related_name="values")
    region = models.ForeignKey("regions.Region", verbose_name=_("区域"), on_delete=models.PROTECT,
                               related_name="indicator_values")
    year = models.PositiveSmallIntegerField(_("年度"), validators=[MinValueValidator(1949), MaxValueValidator(2100)])
    period_kind = models.CharField(_("期别"), max_length=12, choices=PeriodKind.choices, default=PeriodKind.YEAR)
    period_no = models.PositiveSmallIntegerField(_("期数"), default=0, help_text=_("季度1-4;月份或累计截至月1-12;全年为0"),
                                                 validators=[MinValueValidator(0), MaxValueValidator(12)])
    value = models.DecimalField(_("数值"), max_digits=20, decimal_places=4)
    source = models.CharField(_("来源"), max_length=12, choices=Source.choices, default=Source.ENTERED)
    fact = models.OneToOneField("indicators.Fact", verbose_name=_("报告摘录"), on_delete=models.PROTECT, null=True,
                                blank=True, related_name="indicator_value")
    status = models.CharField(_("审核状态"), max_length=12, choices=ValueStatus.choices, default=ValueStatus.DRAFT)
    public = models.BooleanField(_("公开数据"), default=False, help_text=_("摘自公开发布的报告,各区可见"))
    note = models.TextField(_("说明"), blank=True)
    entered_by = models.ForeignKey(verbose_name=_("填报人"), **_user)

    objects = RegionOwnedQuerySet.as_manager()

    history = HistoricalRecords(get_user=history_user, excluded_fields=["updated"])

    class Meta:
        ordering = ["indicator__code", "region__path", "-year", "period_kind", "-period_no"]
        verbose_name = _("指标值")
        verbose_name_plural = _("指标值")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "region", "year", "period_kind", "period_no", "source"],
                                    name="indicator_value_one_per_period_source",
                                    violation_error_message=_("该区域该期已有同一来源的指标值")),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.indicator} {self.period_label}: {self.value}"

    @property
    def period_label(self) -> str:
        return period_label(self.year, self.period_kind, self.period_no)


class Target(TimeStampedModel):
    """A region's target for an indicator in a year (年度目标)."""

    indicator = models.ForeignKey("indicators.Indicator", verbose_name=_("指标"), on_delete=models.PROTECT,
                                  related_name="targets")
    region = models.ForeignKey("regions.Region", verbose_name=_("区域"), on_delete=models.PROTECT,
                               related_name="indicator_targets")
    year = models.PositiveSmallIntegerField(_("年度"), validators=[MinValueValidator(1949), MaxValueValidator(2100)])
    value = models.DecimalField(_("目标值"), max_digits=20, decimal_places=4)
    public = models.BooleanField(_("公开数据"), default=False)
    fact = models.ForeignKey("indicators.Fact", verbose_name=_("报告摘录"), on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="+")

    objects = RegionOwnedQuerySet.as_manager()

    history = HistoricalRecords(get_user=history_user, excluded_fields=["updated"])

    class Meta:
        ordering = ["indicator__code", "region__path", "-year"]
        verbose_name = _("年度目标")
        verbose_name_plural = _("年度目标")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "region", "year"], name="target_one_per_year",
                                    violation_error_message=_("该区域该年度已有此指标的目标")),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.indicator} {self.year}: {self.value}"


# -------------------------------------------------------------- reports read into facts


class Document(TimeStampedModel):
    """A report or news item read by the reader; its text is kept so each fact can be shown in place."""

    title = models.CharField(_("标题"), max_length=200)
    filename = models.CharField(_("文件名"), max_length=200)
    sha256 = models.CharField(_("内容摘要"), max_length=64, unique=True, editable=False)
    text = models.TextField(_("全文"))
    region = models.ForeignKey("regions.Region", verbose_name=_("所述区域"), on_delete=models.PROTECT, null=True,
                               blank=True, related_name="documents")
    public = models.BooleanField(_("公开发布"), default=True, help_text=_("公开发布的报告各区可见"))
    uploaded_by = models.ForeignKey(verbose_name=_("上传人"), **_user)

    objects = RegionOwnedQuerySet.as_manager()

    history = HistoricalRecords(get_user=history_user, excluded_fields=["updated", "text"])

    class Meta:
        ordering = ["-created", "id"]
        verbose_name = _("报告文档")
        verbose_name_plural = _("报告文档")

    def __str__(self) -> str:
        return self.title


class Fact(TimeStampedModel):
    """One number the reader found in a document, where it stands, and which indicator it is."""

    document = models.ForeignKey("indicators.Document", verbose_name=_("文档"), on_delete=models.CASCADE,
                                 related_name="facts")
    start = models.PositiveIntegerField(_("起始位置"))
    end = models.PositiveIntegerField(_("结束位置"))
    quote = models.TextField(_("原文"))
    region_name = models.CharField(_("原文地区"), max_length=64, blank=True)
    region = models.ForeignKey("regions.Region", verbose_name=_("区域"), on_delete=models.PROTECT, null=True,
                               blank=True, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    subperiod = models.CharField(_("期间"), max_length=12, blank=True)
    indicator_name = models.CharField(_("原文指标"), max_length=200)
    kind = models.CharField(_("类型"), max_length=8)
    value = models.DecimalField(_("数值"), max_digits=20, decimal_places=4)
    unit = models.CharField(_("单位"), max_length=16, blank=True)
    status = models.CharField(_("性质"), max_length=12)
    state = models.CharField(_("处理状态"), max_length=12, choices=FactState.choices, default=FactState.UNMAPPED)
    indicator = models.ForeignKey("indicators.Indicator", verbose_name=_("对应指标"), on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="facts")
    candidates = models.JSONField(_("候选指标"), default=list, blank=True)

    objects = FactQuerySet.as_manager()

    history = HistoricalRecords(get_user=history_user, excluded_fields=["updated"])

    class Meta:
        ordering = ["document", "start", "id"]
        verbose_name = _("报告事实")
        verbose_name_plural = _("报告事实")

    def __str__(self) -> str:
        return self.quote[:40]

    @property
    def anchor(self) -> str:
        return f"fact-{self.pk}"


# -------------------------------------------------------------- key tasks (重点工作)


class KeyTask(TimeStampedModel):
    """One of the year's key tasks (重点工作) of a region, led by a unit with others helping."""

    region = models.ForeignKey("regions.Region", verbose_name=_("区"), on_delete=models.PROTECT,
                               related_name="key_tasks")
    year = models.PositiveSmallIntegerField(_("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    number = models.PositiveIntegerField(_("序号"))
    title = models.CharField(_("工作任务"), max_length=300)
    responsible_unit = models.ForeignKey("regions.Unit", verbose_name=_("牵头单位"), on_delete=models.PROTECT,
                                         related_name="key_tasks")
    cooperating_units = models.ManyToManyField("regions.Unit", verbose_name=_("配合单位"), blank=True,
                                               related_name="cooperating_tasks")
    deadline = models.DateField(_("完成时限"))
    milestones = models.TextField(_("节点目标"), blank=True, help_text=_("每行一个,如 6月底前完成主体施工"))
    indicators = models.ManyToManyField("indicators.Indicator", verbose_name=_("关联指标"), blank=True,
                                        related_name="key_tasks")
    projects = models.ManyToManyField("projects.Project", verbose_name=_("关联项目"), blank=True,
                                      related_name="key_tasks")
    orders = models.ManyToManyField("reporting.SupervisionOrder", verbose_name=_("督办单"), blank=True,
                                    related_name="key_tasks")
    completed_on = models.DateField(_("完成日期"), null=True, blank=True)
    origin = models.CharField(_("数据来源"), max_length=12, choices=TaskOrigin.choices, default=TaskOrigin.REAL)

    objects = TaskQuerySet.as_manager()

    history = HistoricalRecords(get_user=history_user, excluded_fields=["updated"])

    class Meta:
        ordering = ["region__path", "-year", "number"]
        verbose_name = _("重点工作")
        verbose_name_plural = _("重点工作")
        constraints = [
            models.UniqueConstraint(fields=["region", "year", "number"], name="key_task_unique_number",
                                    violation_error_message=_("该区该年度已有此序号的重点工作")),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    def milestone_list(self) -> list[str]:
        return [m.strip() for m in self.milestones.splitlines() if m.strip()]


def task_evidence_path(instance, filename: str) -> str:
    """A random stored name, as for the reports' evidence: a path cannot be guessed."""
    import uuid
    from pathlib import PurePath

    from django.utils import timezone

    suffix = PurePath(filename).suffix.lower()[:10]
    return f"evidence/tasks/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class TaskUpdate(TimeStampedModel):
    """The responsible unit's monthly update on a key task, with its evidence."""

    task = models.ForeignKey("indicators.KeyTask", verbose_name=_("重点工作"), on_delete=models.CASCADE,
                             related_name="updates")
    year = models.PositiveSmallIntegerField(_("年度"))
    month = models.PositiveSmallIntegerField(_("月份"), validators=[MinValueValidator(1), MaxValueValidator(12)])
    progress = models.TextField(_("进展情况"))
    percent = models.PositiveSmallIntegerField(_("完成进度(%)"), default=0,
                                               validators=[MinValueValidator(0), MaxValueValidator(100)])
    evidence = models.TextField(_("佐证材料"), help_text=_("文件名、文号或可核查的说明"))
    evidence_file = models.FileField(_("佐证文件"), upload_to=task_evidence_path, blank=True)
    submitted_by = models.ForeignKey(verbose_name=_("填报人"), **_user)
    submitted_at = models.DateTimeField(_("填报时间"))

    objects = TaskChildQuerySet.as_manager()

    history = HistoricalRecords(get_user=history_user, excluded_fields=["updated"])

    class Meta:
        ordering = ["task", "-year", "-month"]
        verbose_name = _("重点工作月度进展")
        verbose_name_plural = _("重点工作月度进展")
        constraints = [
            models.UniqueConstraint(fields=["task", "year", "month"], name="task_update_one_per_month",
                                    violation_error_message=_("该工作本月已有进展,请修改原进展")),
        ]

    def __str__(self) -> str:
        return f"{self.task} " + gettext("%(year)s年%(month)s月") % {"year": self.year, "month": self.month}
