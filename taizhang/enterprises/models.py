"""The enterprise registry: one record per firm (by 统一社会信用代码), the tiers it is recognised
in with their history, its annual figures, the rule sets of the tiers, and its service record
(commissioner, visits, 诉求)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from taizhang.core.history import history_user
from taizhang.core.models import TimeStampedModel
from taizhang.core.scope import Action, can, region_scope_q
from taizhang.core.text import clean_name, name_key
from taizhang.projects.validators import validate_credit_code
from taizhang.regions.choices import RegionLevel

from .choices import (  # noqa: F401  (DemandStatus is imported from here by the 待办 list)
    DemandCategory,
    DemandStatus,
    EndReason,
    MeasureStatus,
    Metric,
    Op,
    Scale,
    Size,
    Source,
    TierKind,
    TierLevel,
)

#: the largest figure a firm's annual return may hold (营业收入 of China's largest firms is some
#: 万亿元 = 1e8 万元; a value beyond this is a slip of unit)
MAX_FIGURE = Decimal("1000000000")
_figure_bounds = [MinValueValidator(Decimal("-" + str(MAX_FIGURE)), message=_("数值过小,请核对")),
                  MaxValueValidator(MAX_FIGURE, message=_("数值过大:超过10万亿,请核对单位"))]
_user = {"to": settings.AUTH_USER_MODEL, "on_delete": models.SET_NULL, "null": True, "blank": True,
         "related_name": "+"}


class EnterpriseQuerySet(models.QuerySet):
    """Firms are the district's: seen by everyone working in the district (a 责任单位's staff
    too: they answer the firms' 诉求), changed by those who change the ledger."""

    region_field = "region__"

    def restrict(self, user, action: Action | str = Action.VIEW):
        if not can(user, action):
            return self.none()
        q = region_scope_q(user)
        if q is None:
            return self
        # by the region's id, not a join on its path: the firm's (region, name) index then serves
        # the registry's order and its counts
        from taizhang.regions.models import Region

        return self.filter(**{f"{self.region_field}id__in": Region.objects.filter(q).values("pk")})


class EnterpriseChildQuerySet(EnterpriseQuerySet):
    region_field = "enterprise__region__"


class Enterprise(TimeStampedModel):
    """One firm, whatever list it is on. The credit code identifies it; a firm a list names
    without its code is kept by name until the code is known (two firms never share a code,
    nor, in one district, a name)."""

    is_enterprise_record = True  # the permission policy's mark (core.scope.may)

    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True,
                                   validators=[validate_credit_code])
    name = models.CharField(_("企业名称"), max_length=200)
    name_key = models.CharField(_("名称索引"), max_length=200, editable=False, db_index=True)
    region = models.ForeignKey("regions.Region", verbose_name=_("所属区"), on_delete=models.PROTECT,
                               related_name="enterprises")
    park = models.ForeignKey("regions.Region", verbose_name=_("所在园区"), on_delete=models.PROTECT,
                             related_name="park_enterprises", null=True, blank=True)
    chain = models.ForeignKey("regions.IndustryChain", verbose_name=_("产业链"), on_delete=models.PROTECT,
                              related_name="enterprises", null=True, blank=True)
    industry = models.CharField(_("所属行业"), max_length=64, blank=True)
    scale = models.CharField(_("规模以上"), max_length=8, choices=Scale.choices, blank=True, default=Scale.UNKNOWN)
    size = models.CharField(_("企业规模"), max_length=8, choices=Size.choices, blank=True, default=Size.UNKNOWN)
    established = models.DateField(_("成立日期"), null=True, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    contact_person = models.CharField(_("联系人"), max_length=32, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    commissioner = models.ForeignKey(verbose_name=_("服务专员"), **_user)
    source = models.CharField(_("数据来源"), max_length=16, choices=Source.choices, default=Source.ENTERED)
    source_doc = models.CharField(_("来源文件"), max_length=200, blank=True)

    history = HistoricalRecords(get_user=history_user, excluded_fields=["updated"])
    objects = EnterpriseQuerySet.as_manager()

    class Meta:
        ordering = ["region__path", "name_key", "id"]
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        constraints = [
            models.UniqueConstraint(fields=["credit_code"], condition=~Q(credit_code=""),
                                    name="enterprise_unique_credit_code",
                                    violation_error_message=_("已有企业使用该统一社会信用代码")),
            models.UniqueConstraint(fields=["region", "name_key"], name="enterprise_unique_name_per_region",
                                    violation_error_message=_("该区已有同名企业")),
        ]
        indexes = [models.Index(fields=["region", "chain"], name="enterprise_region_chain")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("enterprises:enterprise_detail", args=[self.pk])

    @property
    def is_real(self) -> bool:
        return self.source != Source.GENERATED

    def clean(self) -> None:
        errors: dict[str, str] = {}
        self.name = clean_name(self.name or "")
        self.credit_code = (self.credit_code or "").strip().upper()
        if not self.name:
            errors["name"] = _("企业名称不能为空")
        if self.region_id and self.region.level != RegionLevel.DISTRICT:
            errors["region"] = _("所属区应为区/县/县级市")
        if self.park_id and self.region_id and self.park.parent_id != self.region_id:
            errors["park"] = _("园区不属于所选的区")
        if self.chain_id and self.region_id and self.chain.region_id != self.region_id:
            errors["chain"] = _("产业链不属于所选的区")
        if self.established and self.established > dt.date.today():
            errors["established"] = _("成立日期不能晚于今天")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs) -> None:
        self.name = clean_name(self.name)
        self.name_key = firm_key(self.name)
        super().save(*args, **kwargs)


def tier_name(level: str, kind: str) -> str:
    """A tier with its level, as lists name it: 国家级高新技术企业 (a space between them in English);
    the tier alone when the source does not say the level."""
    if level == TierLevel.UNKNOWN:
        return str(TierKind(kind).label)
    return gettext("%(level)s%(kind)s") % {"level": TierLevel(level).label, "kind": TierKind(kind).label}


def firm_key(name: str) -> str:
    """What two spellings of one firm's name share: NFKC (full-width brackets and letters become
    half-width), no spaces or invisible characters."""
    return name_key(name)


class FormerName(models.Model):
    """A name the firm was registered under before (lists published years ago use it)."""

    is_enterprise_record = True  # the permission policy's mark (core.scope.may)

    enterprise = models.ForeignKey(Enterprise, verbose_name=_("企业"), on_delete=models.CASCADE,
                                   related_name="former_names")
    name = models.CharField(_("曾用名"), max_length=200)
    name_key = models.CharField(_("名称索引"), max_length=200, editable=False, db_index=True)
    until = models.DateField(_("使用至"), null=True, blank=True)

    history = HistoricalRecords(get_user=history_user)
    objects = EnterpriseChildQuerySet.as_manager()

    class Meta:
        ordering = ["enterprise", "until", "id"]
        verbose_name = _("曾用名")
        verbose_name_plural = _("曾用名")
        constraints = [models.UniqueConstraint(fields=["enterprise", "name_key"], name="former_name_unique",
                                               violation_error_message=_("该曾用名已登记"))]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.name = clean_name(self.name)
        self.name_key = firm_key(self.name)
        super().save(*args, **kwargs)


class Recognition(TimeStampedModel):
    """A firm's place on one tier's list: recognised in a year (a batch), effective from a day
    the list gives (or only the year, when the source gives no day), until an expiry (a
    certificate's term) or an end (revoked, lapsed, moved away). Never deleted to end it: the
    history of a firm's tiers is what the counts are computed from."""

    is_enterprise_record = True  # the permission policy's mark (core.scope.may)

    enterprise = models.ForeignKey(Enterprise, verbose_name=_("企业"), on_delete=models.CASCADE,
                                   related_name="recognitions")
    kind = models.CharField(_("梯度"), max_length=16, choices=TierKind.choices)
    level = models.CharField(_("级别"), max_length=16, choices=TierLevel.choices)
    year = models.PositiveSmallIntegerField(
        _("认定年度"), validators=[MinValueValidator(1980), MaxValueValidator(2100)])
    effective = models.DateField(_("生效日期"), null=True, blank=True, help_text=_("来源只给年度时留空"))
    #: the first day it surely holds (:attr:`start`), kept for the counts' queries
    starts = models.DateField(_("起算日期"), editable=False, db_index=True)
    expiry = models.DateField(_("有效期至"), null=True, blank=True)
    batch = models.CharField(_("批次"), max_length=64, blank=True)
    certificate_no = models.CharField(_("证书编号"), max_length=64, blank=True)
    body = models.CharField(_("认定机构"), max_length=100, blank=True)
    renewal = models.BooleanField(_("重新认定"), default=False,
                                  help_text=_("复审/重新认定,不计入“新认定”"))
    ended = models.DateField(_("终止日期"), null=True, blank=True)
    end_reason = models.CharField(_("终止原因"), max_length=16, choices=EndReason.choices, blank=True)
    board = models.CharField(_("上市板块"), max_length=32, blank=True)
    stock_code = models.CharField(_("证券代码"), max_length=16, blank=True)
    source = models.CharField(_("数据来源"), max_length=16, choices=Source.choices, default=Source.ENTERED)
    source_doc = models.CharField(_("来源文件"), max_length=200, blank=True)

    history = HistoricalRecords(get_user=history_user, excluded_fields=["updated"])
    objects = EnterpriseChildQuerySet.as_manager()

    class Meta:
        ordering = ["enterprise", "year", "kind", "id"]
        verbose_name = _("梯度认定")
        verbose_name_plural = _("梯度认定")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "kind", "level", "year"], name="recognition_unique_year",
                                    violation_error_message=_("该企业本年度已有同一梯度、同一级别的认定")),
            models.CheckConstraint(condition=Q(expiry__isnull=True) | Q(effective__isnull=True)
                                   | Q(expiry__gte=models.F("effective")),
                                   name="recognition_expiry_after_effective",
                                   violation_error_message=_("有效期至不能早于生效日期")),
        ]
        indexes = [models.Index(fields=["kind", "year"], name="recognition_kind_year"),
                   models.Index(fields=["enterprise", "kind", "starts"], name="recognition_firm_kind_starts"),
                   # who holds a tier on a day, read from the index alone (the registry's tier filter,
                   # :func:`tiers.holders`): those without an expiry, and those expiring from the day on,
                   # each a range of it, not every recognition of the tier ever made
                   models.Index(fields=["kind", "expiry", "starts", "ended", "enterprise"],
                                name="recognition_kind_expiry"),
                   # the few recognitions a source dates by the year only: the counts ask for them apart
                   models.Index(fields=["year"], condition=Q(effective__isnull=True), name="recognition_undated_year"),
                   models.Index(fields=["effective"], name="recognition_effective"),
                   # certificates still running, by the day they end (expiry warnings)
                   models.Index(fields=["expiry"], condition=Q(ended__isnull=True), name="recognition_running_expiry")]

    def __str__(self) -> str:
        return gettext("%(firm)s %(year)s年%(level)s%(kind)s") % {
            "firm": self.enterprise, "year": self.year, "level": self.get_level_display(),
            "kind": self.get_kind_display()}

    @property
    def tier_name(self) -> str:
        return tier_name(self.level, self.kind)

    @property
    def start(self) -> dt.date:
        """The first day the recognition surely holds: its day, or the year's last day when only
        the year is known (counting it earlier would claim what the source does not say)."""
        return self.effective or dt.date(self.year, 12, 31)

    @property
    def end(self) -> dt.date | None:
        """The last day it holds: the day before it ended, or its expiry."""
        ends = [d for d in (self.expiry, self.ended and self.ended - dt.timedelta(days=1)) if d]
        return min(ends) if ends else None

    def holds_on(self, day: dt.date) -> bool:
        end = self.end
        return self.start <= day and (end is None or day <= end)

    def save(self, *args, **kwargs) -> None:
        self.starts = self.start
        super().save(*args, **kwargs)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.effective and self.year and self.effective.year != self.year:
            errors["effective"] = _("生效日期不在认定年度内")
        if self.expiry and self.effective and self.expiry < self.effective:
            errors["expiry"] = _("有效期至不能早于生效日期")
        if self.ended and self.ended < self.start.replace(month=1, day=1):
            errors["ended"] = _("终止日期不能早于认定")
        if self.ended and not self.end_reason:
            errors["end_reason"] = _("请填写终止原因")
        if self.kind == TierKind.LISTED and not self.board:
            errors["board"] = _("上市/挂牌请填写板块")
        if errors:
            raise ValidationError(errors)


class AnnualFigure(TimeStampedModel):
    """One figure of a firm's year (营业收入, 研发费用 …) as a department reported it."""

    is_enterprise_record = True  # the permission policy's mark (core.scope.may)

    enterprise = models.ForeignKey(Enterprise, verbose_name=_("企业"), on_delete=models.CASCADE,
                                   related_name="figures")
    year = models.PositiveSmallIntegerField(_("年度"), validators=[MinValueValidator(1980), MaxValueValidator(2100)])
    metric = models.CharField(_("指标"), max_length=24, choices=Metric.choices)
    value = models.DecimalField(_("数值"), max_digits=20, decimal_places=4, validators=_figure_bounds)
    department = models.CharField(_("报送部门"), max_length=64, blank=True)
    source_doc = models.CharField(_("来源文件"), max_length=200, blank=True)

    history = HistoricalRecords(get_user=history_user, excluded_fields=["updated"])
    objects = EnterpriseChildQuerySet.as_manager()

    class Meta:
        ordering = ["enterprise", "-year", "metric"]
        verbose_name = _("年度数据")
        verbose_name_plural = _("年度数据")
        constraints = [models.UniqueConstraint(fields=["enterprise", "year", "metric"], name="figure_unique",
                                               violation_error_message=_("该企业本年度已有该指标"))]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.year} {self.get_metric_display()} {self.value}"


class RuleSet(TimeStampedModel):
    """The published thresholds of one tier, for the years they apply to, as data. A new
    method is a new version; the old one stays for the years it governed."""

    kind = models.CharField(_("梯度"), max_length=16, choices=TierKind.choices)
    level = models.CharField(_("级别"), max_length=16, choices=TierLevel.choices)
    name = models.CharField(_("名称"), max_length=120)
    first_year = models.PositiveSmallIntegerField(_("适用起始年度"))
    last_year = models.PositiveSmallIntegerField(_("适用截止年度"), null=True, blank=True)
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    source_doc = models.CharField(_("依据文件"), max_length=200, blank=True)
    note = models.TextField(_("说明"), blank=True)

    history = HistoricalRecords(get_user=history_user, excluded_fields=["updated"])

    class Meta:
        ordering = ["kind", "level", "-first_year", "-version"]
        verbose_name = _("认定条件")
        verbose_name_plural = _("认定条件")
        constraints = [models.UniqueConstraint(fields=["kind", "level", "first_year", "version"],
                                               name="ruleset_unique_version",
                                               violation_error_message=_("该梯度该年度已有同一版本的认定条件"))]

    def __str__(self) -> str:
        return self.name

    def applies_to(self, year: int) -> bool:
        return self.first_year <= year and (self.last_year is None or year <= self.last_year)


class Criterion(models.Model):
    """One threshold of a rule set. Criteria sharing a non-empty ``group`` are alternatives:
    meeting one of them meets the group (专精特新's "营业收入≥1000万元 或 近2年新增股权融资≥2000万元")."""

    ruleset = models.ForeignKey(RuleSet, verbose_name=_("认定条件"), on_delete=models.CASCADE,
                                related_name="criteria")
    metric = models.CharField(_("指标"), max_length=24, choices=Metric.choices)
    op = models.CharField(_("比较"), max_length=4, choices=Op.choices, default=Op.GTE)
    threshold = models.DecimalField(_("门槛"), max_digits=20, decimal_places=4, validators=_figure_bounds)
    group = models.CharField(_("可替代组"), max_length=16, blank=True)

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        ordering = ["ruleset", "group", "id"]
        verbose_name = _("认定门槛")
        verbose_name_plural = _("认定门槛")

    def __str__(self) -> str:
        return f"{self.get_metric_display()} {self.get_op_display()} {self.threshold.normalize():f}"

    def met_by(self, value: Decimal) -> bool:
        return value >= self.threshold if self.op == Op.GTE else value <= self.threshold


class Visit(TimeStampedModel):
    """A visit to a firm, planned or made: who, when, what the firm asked. Visits several
    departments plan to one firm in the same days are merged into one (``merged_into``)."""

    is_enterprise_record = True  # the permission policy's mark (core.scope.may)

    enterprise = models.ForeignKey(Enterprise, verbose_name=_("企业"), on_delete=models.CASCADE,
                                   related_name="visits")
    date = models.DateField(_("走访日期"))
    done = models.BooleanField(_("已走访"), default=False)
    visitor = models.ForeignKey(verbose_name=_("走访人"), **_user)
    unit = models.ForeignKey("regions.Unit", verbose_name=_("走访单位"), on_delete=models.PROTECT,
                             related_name="visits", null=True, blank=True)
    purpose = models.CharField(_("走访事由"), max_length=200)
    notes = models.TextField(_("走访情况"), blank=True)
    merged_into = models.ForeignKey("self", verbose_name=_("并入"), on_delete=models.SET_NULL, null=True,
                                    blank=True, related_name="merged")

    history = HistoricalRecords(get_user=history_user, excluded_fields=["updated"])
    objects = EnterpriseChildQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("走访")
        verbose_name_plural = _("走访")

    def __str__(self) -> str:
        return f"{self.enterprise} {self.date}"


class ServiceLevel(TimeStampedModel):
    """How fast a class of 诉求 is handled in a district: acknowledged within hours, answered
    and resolved within days (the district sets them; 企呼我应 uses 2 h / 3 d / 15 d)."""

    region = models.ForeignKey("regions.Region", verbose_name=_("区"), on_delete=models.PROTECT,
                               related_name="service_levels")
    name = models.CharField(_("名称"), max_length=32)
    acknowledge_hours = models.PositiveSmallIntegerField(_("响应时限(小时)"),
                                                         validators=[MinValueValidator(1), MaxValueValidator(720)])
    answer_days = models.PositiveSmallIntegerField(_("答复时限(天)"),
                                                   validators=[MinValueValidator(1), MaxValueValidator(365)])
    resolve_days = models.PositiveSmallIntegerField(_("办结时限(天)"),
                                                    validators=[MinValueValidator(1), MaxValueValidator(365)])

    history = HistoricalRecords(get_user=history_user, excluded_fields=["updated"])

    class Meta:
        ordering = ["region__path", "resolve_days", "name"]
        verbose_name = _("办理时限")
        verbose_name_plural = _("办理时限")
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="service_level_unique_name",
                                               violation_error_message=_("该区已有同名办理时限"))]

    def __str__(self) -> str:  # the name the system gives its default level is kept in Chinese
        return gettext("%(name)s(%(h)s小时响应、%(a)s天答复、%(r)s天办结)") % {
            "name": gettext(self.name), "h": self.acknowledge_hours, "a": self.answer_days, "r": self.resolve_days}


class DemandQuerySet(models.QuerySet):
    def restrict(self, user, action: Action | str = Action.VIEW):
        from taizhang.core.scope import demand_scope_q

        q = demand_scope_q(user, Action(action))
        return self if q is None else self.filter(q)

    def open(self):
        return self.exclude(status=DemandStatus.RESOLVED)


class Demand(TimeStampedModel):
    """A firm's 诉求: what it asks, the unit that must handle it, and the clock it runs on."""

    enterprise = models.ForeignKey(Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT,
                                   related_name="demands")
    region = models.ForeignKey("regions.Region", verbose_name=_("区"), on_delete=models.PROTECT,
                               related_name="demands", editable=False)
    category = models.CharField(_("类别"), max_length=16, choices=DemandCategory.choices)
    content = models.TextField(_("诉求内容"))
    channel = models.CharField(_("来源渠道"), max_length=32, blank=True)
    visit = models.ForeignKey(Visit, verbose_name=_("走访"), on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="demands")
    unit = models.ForeignKey("regions.Unit", verbose_name=_("承办单位"), on_delete=models.PROTECT,
                             related_name="demands")
    service_level = models.ForeignKey(ServiceLevel, verbose_name=_("办理时限"), on_delete=models.PROTECT,
                                      related_name="demands")
    received_at = models.DateTimeField(_("受理时间"))
    acknowledge_due = models.DateTimeField(_("响应截止"), editable=False)
    answer_due = models.DateTimeField(_("答复截止"), editable=False)
    resolve_due = models.DateTimeField(_("办结截止"), editable=False)
    status = models.CharField(_("状态"), max_length=16, choices=DemandStatus.choices, default=DemandStatus.RECEIVED)
    acknowledged_at = models.DateTimeField(_("响应时间"), null=True, blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answer = models.TextField(_("答复内容"), blank=True)
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("企业评价"), null=True, blank=True,
                                              validators=[MinValueValidator(1), MaxValueValidator(5)])
    rating_note = models.CharField(_("评价说明"), max_length=200, blank=True)
    raised_by = models.ForeignKey(verbose_name=_("登记人"), **_user)
    order = models.ForeignKey("reporting.SupervisionOrder", verbose_name=_("督办单"), on_delete=models.SET_NULL,
                              null=True, blank=True, related_name="demands")

    history = HistoricalRecords(get_user=history_user, excluded_fields=["updated"])
    objects = DemandQuerySet.as_manager()

    class Meta:
        ordering = ["status", "resolve_due", "id"]
        verbose_name = _("企业诉求")
        verbose_name_plural = _("企业诉求")
        indexes = [models.Index(fields=["region", "status"], name="demand_region_status")]

    def __str__(self) -> str:
        return gettext("诉求%(number)s:%(content)s") % {"number": self.pk, "content": self.content[:20]}


class ListImport(models.Model):
    """One upload of a published 认定名单: its rows read and matched to the registry, waiting for
    the user to settle the near-matches and confirm; confirmed once, all rows or none."""

    token = models.CharField(_("批次号"), max_length=32, unique=True)
    user = models.ForeignKey(verbose_name=_("上传人"), **_user)
    region = models.ForeignKey("regions.Region", verbose_name=_("区"), on_delete=models.PROTECT,
                               related_name="list_imports")
    filename = models.CharField(_("文件名"), max_length=200)
    kind = models.CharField(_("梯度"), max_length=16, choices=TierKind.choices)
    level = models.CharField(_("级别"), max_length=16, choices=TierLevel.choices)
    year = models.PositiveSmallIntegerField(_("认定年度"))
    batch = models.CharField(_("批次"), max_length=64, blank=True)
    body = models.CharField(_("认定机构"), max_length=100, blank=True)
    effective = models.DateField(_("生效日期"), null=True, blank=True)
    rows = models.JSONField(_("名单"), default=list)
    #: the rows the reading set aside and what it said (``Table.reading()``), shown in the preview
    reading = models.JSONField(_("读表结果"), default=dict, blank=True)
    applied = models.DateTimeField(_("确认时间"), null=True, blank=True)
    created = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("认定名单导入")
        verbose_name_plural = _("认定名单导入")

    def __str__(self) -> str:
        return self.filename

    @property
    def tier_name(self) -> str:
        return tier_name(self.level, self.kind)


class FigureImport(models.Model):
    """One upload of a department's sheet of firms' annual figures: its rows read and matched to
    the registry, waiting for the user to settle the near-matches and confirm; confirmed once,
    all rows or none."""

    token = models.CharField(_("批次号"), max_length=32, unique=True)
    user = models.ForeignKey(verbose_name=_("上传人"), **_user)
    region = models.ForeignKey("regions.Region", verbose_name=_("区"), on_delete=models.PROTECT,
                               related_name="figure_imports")
    filename = models.CharField(_("文件名"), max_length=200)
    year = models.PositiveSmallIntegerField(_("数据年度"), validators=[MinValueValidator(1980),
                                                                     MaxValueValidator(2100)])
    department = models.CharField(_("报送部门"), max_length=64)
    #: the sheet's figure columns: [{"metric", "title", "unit"}], in the sheet's order
    columns = models.JSONField(_("数据列"), default=list)
    rows = models.JSONField(_("数据行"), default=list)
    #: the rows the reading set aside and what it said (``Table.reading()``), shown in the preview
    reading = models.JSONField(_("读表结果"), default=dict, blank=True)
    applied = models.DateTimeField(_("确认时间"), null=True, blank=True)
    created = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("年度数据导入")
        verbose_name_plural = _("年度数据导入")

    def __str__(self) -> str:
        return self.filename


class StrategyQuerySet(models.QuerySet):
    """一企一策 as :func:`taizhang.core.scope.may` allows: the district's staff see and edit every
    firm's; a firm's 服务专员 edits its; a 责任单位 sees the measures it is responsible for."""

    plan_prefix = ""

    def restrict(self, user, action: Action | str = Action.VIEW):
        from taizhang.core.scope import strategy_scope_q

        q = strategy_scope_q(user, Action(action), self.plan_prefix)
        return self if q is None else self.filter(q)


class MeasureQuerySet(StrategyQuerySet):
    plan_prefix = "strategy__"


class Strategy(TimeStampedModel):
    """一企一策: a firm's plan of support for a year (what it is to reach, and the measures, each
    with its responsible unit and deadline), as 李沧区 and 崂山区 write them."""

    is_strategy_record = True  # the permission policy's mark (core.scope.may)

    enterprise = models.ForeignKey(Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT,
                                   related_name="strategies")
    year = models.PositiveSmallIntegerField(_("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    goal = models.TextField(_("培育目标"), blank=True, help_text=_("如:年内申报高新技术企业、营业收入过亿"))

    history = HistoricalRecords(get_user=history_user, excluded_fields=["updated"])
    objects = StrategyQuerySet.as_manager()

    class Meta:
        ordering = ["enterprise", "-year"]
        verbose_name = _("一企一策")
        verbose_name_plural = _("一企一策")
        constraints = [models.UniqueConstraint(fields=["enterprise", "year"], name="strategy_unique_year",
                                               violation_error_message=_("该企业本年度已有一企一策"))]

    def __str__(self) -> str:
        return gettext("%(firm)s %(year)s年一企一策") % {"firm": self.enterprise, "year": self.year}


class Measure(TimeStampedModel):
    """One measure of a firm's 一企一策: what is done, by which unit, by when, how far it is, and
    the firm's 诉求 it answers."""

    is_strategy_record = True  # the permission policy's mark (core.scope.may)

    strategy = models.ForeignKey(Strategy, verbose_name=_("一企一策"), on_delete=models.CASCADE,
                                 related_name="measures")
    content = models.CharField(_("措施"), max_length=300)
    unit = models.ForeignKey("regions.Unit", verbose_name=_("责任单位"), on_delete=models.PROTECT,
                             related_name="measures")
    deadline = models.DateField(_("完成时限"))
    status = models.CharField(_("状态"), max_length=16, choices=MeasureStatus.choices, default=MeasureStatus.PLANNED)
    progress = models.TextField(_("进展情况"), blank=True)
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    demands = models.ManyToManyField(Demand, verbose_name=_("关联诉求"), blank=True, related_name="measures")

    history = HistoricalRecords(get_user=history_user, excluded_fields=["updated"], m2m_fields=[demands])
    objects = MeasureQuerySet.as_manager()

    class Meta:
        ordering = ["strategy", "deadline", "id"]
        verbose_name = _("措施")
        verbose_name_plural = _("措施")
        indexes = [models.Index(fields=["unit", "status"], name="measure_unit_status")]

    def __str__(self) -> str:
        return self.content

    @property
    def enterprise(self) -> Enterprise:
        return self.strategy.enterprise
