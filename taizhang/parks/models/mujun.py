"""The 亩均效益评价: firms' annual figures as the departments reported them, the evaluation
schemes as versioned data, each year's run with its per-firm breakdown, its publications
(公示 and the lists republished after corrections) and the objections firms raise."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from taizhang.core.history import history_user
from taizhang.core.models import TimeStampedModel

from ..choices import (
    BatchStatus,
    Benchmark,
    ClassifyBy,
    Department,
    Direction,
    EvaluationStatus,
    ExemptionKind,
    Klass,
    Metric,
    Missing,
    ObjectionStatus,
    Pool,
)
from ..indicators import INDICATORS
from .base import MAX_QUANTITY, ScopedQuerySet

_user = {"to": settings.AUTH_USER_MODEL, "on_delete": models.SET_NULL, "null": True, "blank": True,
         "related_name": "+"}
_year = [MinValueValidator(2000), MaxValueValidator(2100)]
_share = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]
_score = [MinValueValidator(Decimal("-100000")), MaxValueValidator(Decimal("100000"))]
#: a figure may be negative (tax refunds exceed tax paid) but never beyond any real firm's
_figure_bounds = [MinValueValidator(-MAX_QUANTITY, message=_("数值过小,请核对")),
                  MaxValueValidator(MAX_QUANTITY, message=_("数值过大,请核对单位"))]


class DataBatch(TimeStampedModel):
    """One department's sheet of firms' annual figures for a district and year. Its figures
    count in an evaluation once the batch is reviewed; a returned batch's figures do not."""

    region = models.ForeignKey("regions.Region", verbose_name=_("所属区"), on_delete=models.PROTECT,
                               related_name="mujun_batches")
    year = models.PositiveSmallIntegerField(_("数据年度"), validators=_year)
    department = models.CharField(_("报送部门"), max_length=16, choices=Department.choices)
    filename = models.CharField(_("文件名"), max_length=200, blank=True)
    rows = models.PositiveIntegerField(_("企业数"), default=0)
    figures = models.PositiveIntegerField(_("数据项数"), default=0)
    status = models.CharField(_("审核状态"), max_length=16, choices=BatchStatus.choices,
                              default=BatchStatus.SUBMITTED)
    submitted_by = models.ForeignKey(verbose_name=_("报送人"), **_user)
    reviewed_by = models.ForeignKey(verbose_name=_("审核人"), **_user)
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_note = models.CharField(_("审核意见"), max_length=200, blank=True)
    #: the sheet's rows the reading set aside and what it said (``Table.reading()``), shown with
    #: the import's result; what the sheet was, not a change to keep the history of
    reading = models.JSONField(_("读表结果"), default=dict, blank=True)

    history = HistoricalRecords(get_user=history_user, excluded_fields=["updated", "reading"])
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["region__path", "-year", "-created"]
        verbose_name = _("亩均数据批次")
        verbose_name_plural = _("亩均数据批次")

    def __str__(self) -> str:
        return gettext("%(year)s年%(dept)s数据(%(file)s)") % {
            "year": self.year, "dept": self.get_department_display(), "file": self.filename}


class FigureQuerySet(ScopedQuerySet):
    region_field = "enterprise__region__"


class MujunFigure(TimeStampedModel):
    """One annual figure of a firm (its land, tax, added value …) from one department's batch.
    A later batch's figure replaces it; the history keeps the old value and its batch."""

    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.CASCADE,
                                   related_name="mujun_figures")
    year = models.PositiveSmallIntegerField(_("数据年度"), validators=_year)
    metric = models.CharField(_("指标"), max_length=24, choices=Metric.choices)
    value = models.DecimalField(_("数值"), max_digits=20, decimal_places=4, validators=_figure_bounds)
    batch = models.ForeignKey(DataBatch, verbose_name=_("数据批次"), on_delete=models.PROTECT,
                              related_name="mujun_figures")

    history = HistoricalRecords(get_user=history_user, excluded_fields=["updated"])
    objects = FigureQuerySet.as_manager()

    class Meta:
        ordering = ["enterprise", "-year", "metric"]
        verbose_name = _("亩均数据")
        verbose_name_plural = _("亩均数据")
        constraints = [models.UniqueConstraint(fields=["enterprise", "year", "metric"], name="mujun_figure_unique",
                                               violation_error_message=_("该企业本年度已有该项数据"))]
        indexes = [models.Index(fields=["year", "metric"], name="mujun_figure_year_metric")]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.year} {self.get_metric_display()} {self.value}"

    @property
    def region(self):
        return self.enterprise.region


class Scheme(TimeStampedModel):
    """A district's evaluation method as data: its pools, their indicators and classes. A
    changed method is a new version; a version an evaluation was published with is frozen."""

    region = models.ForeignKey("regions.Region", verbose_name=_("所属区"), on_delete=models.PROTECT,
                               related_name="mujun_schemes")
    name = models.CharField(_("办法名称"), max_length=120)
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    source_doc = models.CharField(_("依据文件"), max_length=200, blank=True)
    source_url = models.URLField(_("依据文件网址"), blank=True)
    classify_by = models.CharField(_("分类方式"), max_length=16, choices=ClassifyBy.choices,
                                   default=ClassifyBy.SHARES)
    small_land_mu = models.DecimalField(_("规下企业大小用地分界(亩)"), max_digits=8, decimal_places=2,
                                        default=Decimal("3"), validators=[MinValueValidator(0)])
    transition_years = models.PositiveSmallIntegerField(
        _("过渡期(年)"), default=0, validators=[MaxValueValidator(10)],
        help_text=_("成立未满该年数的企业列为T类,暂不评价;0表示不设过渡期"))
    min_pool_for_d = models.PositiveSmallIntegerField(
        _("按比例划D类的最少企业数"), default=10,
        help_text=_("评价组企业数少于此数时不按比例划D类(比例在小组内没有意义)"))
    d_surcharge_1 = models.DecimalField(_("D类第1年加价(元/千瓦时)"), max_digits=6, decimal_places=3,
                                        default=Decimal("0.05"), validators=[MinValueValidator(0),
                                                                             MaxValueValidator(10)])
    d_surcharge_2 = models.DecimalField(_("连续2年D类加价(元/千瓦时)"), max_digits=6, decimal_places=3,
                                        default=Decimal("0.10"), validators=[MinValueValidator(0),
                                                                             MaxValueValidator(10)])
    d_surcharge_3 = models.DecimalField(_("连续3年及以上D类加价(元/千瓦时)"), max_digits=6, decimal_places=3,
                                        default=Decimal("0.15"), validators=[MinValueValidator(0),
                                                                             MaxValueValidator(10)])
    frozen = models.BooleanField(_("已用于公示(不可修改)"), default=False)
    note = models.TextField(_("说明"), blank=True)

    history = HistoricalRecords(get_user=history_user, excluded_fields=["updated"])
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["region__path", "name", "-version"]
        verbose_name = _("评价办法")
        verbose_name_plural = _("评价办法")
        constraints = [models.UniqueConstraint(fields=["region", "name", "version"], name="scheme_unique_version",
                                               violation_error_message=_("该办法已有同一版本"))]

    def __str__(self) -> str:
        return gettext("%(name)s(第%(version)s版)") % {"name": self.name, "version": self.version}

    def surcharge(self, years_in_d: int) -> Decimal:
        """The 差别化电价 surcharge for a firm in D for ``years_in_d`` consecutive years."""
        if years_in_d <= 0:
            return Decimal("0")
        return (self.d_surcharge_1, self.d_surcharge_2, self.d_surcharge_3)[min(years_in_d, 3) - 1]


class PoolQuerySet(ScopedQuerySet):
    region_field = "scheme__region__"


class SchemePool(TimeStampedModel):
    """One group of a scheme (规上, 规下 ≥ 3 亩 …), with its classes: score thresholds, or
    shares (A at most ``a_share`` % of the group, A+B at most ``ab_share`` %, D at least
    ``d_share`` %)."""

    scheme = models.ForeignKey(Scheme, verbose_name=_("评价办法"), on_delete=models.CASCADE, related_name="pools")
    pool = models.CharField(_("评价组"), max_length=16, choices=Pool.choices)
    a_min = models.DecimalField(_("A类最低分"), max_digits=8, decimal_places=2, null=True, blank=True,
                                validators=_score)
    b_min = models.DecimalField(_("B类最低分"), max_digits=8, decimal_places=2, null=True, blank=True,
                                validators=_score)
    c_min = models.DecimalField(_("C类最低分"), max_digits=8, decimal_places=2, null=True, blank=True,
                                validators=_score)
    a_share = models.DecimalField(_("A类比例上限(%)"), max_digits=5, decimal_places=2, null=True, blank=True,
                                  validators=_share)
    ab_share = models.DecimalField(_("A、B类合计比例上限(%)"), max_digits=5, decimal_places=2, null=True,
                                   blank=True, validators=_share)
    d_share = models.DecimalField(_("D类比例下限(%)"), max_digits=5, decimal_places=2, null=True, blank=True,
                                  validators=_share)

    history = HistoricalRecords(get_user=history_user, excluded_fields=["updated"])
    objects = PoolQuerySet.as_manager()

    class Meta:
        ordering = ["scheme", "pool"]
        verbose_name = _("评价组")
        verbose_name_plural = _("评价组")
        constraints = [models.UniqueConstraint(fields=["scheme", "pool"], name="scheme_pool_unique",
                                               violation_error_message=_("该办法已有该评价组"))]

    def __str__(self) -> str:
        return f"{self.scheme} {self.get_pool_display()}"

    @property
    def region(self):
        return self.scheme.region

    def clean(self) -> None:
        by = self.scheme.classify_by if self.scheme_id else None
        if by == ClassifyBy.THRESHOLDS:
            if None in (self.a_min, self.b_min, self.c_min):
                raise ValidationError(_("按得分线分类须填写A、B、C类最低分"))
            if not self.a_min >= self.b_min >= self.c_min:
                raise ValidationError(_("得分线应为A类≥B类≥C类"))
        if by == ClassifyBy.SHARES:
            if None in (self.a_share, self.ab_share, self.d_share):
                raise ValidationError(_("按比例分类须填写A类、A与B类合计、D类的比例"))
            if self.a_share > self.ab_share or self.ab_share + self.d_share > 100:
                raise ValidationError(_("比例应为A类≤A、B类合计,且A、B类合计加D类不超过100%"))


class IndicatorQuerySet(ScopedQuerySet):
    region_field = "pool__scheme__region__"


class Indicator(TimeStampedModel):
    """One indicator of a pool: its weight, direction, benchmark rule, cap and the rule for a
    firm without the data. Score = weight × value ÷ benchmark (越大越好) or weight ×
    benchmark ÷ value (越小越好), at most ``cap``, rounded to 0.01."""

    pool = models.ForeignKey(SchemePool, verbose_name=_("评价组"), on_delete=models.CASCADE,
                             related_name="indicators")
    key = models.CharField(_("指标"), max_length=24, choices=[(k, v.label) for k, v in INDICATORS.items()])
    weight = models.DecimalField(_("权重(分)"), max_digits=6, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(1000)])
    direction = models.CharField(_("方向"), max_length=8, choices=Direction.choices, default=Direction.HIGHER)
    benchmark = models.CharField(_("基准值规则"), max_length=16, choices=Benchmark.choices, default=Benchmark.FIXED)
    factor = models.DecimalField(_("平均值系数"), max_digits=8, decimal_places=4, default=Decimal("1"),
                                 validators=[MinValueValidator(Decimal("0.0001")), MaxValueValidator(1000)])
    fixed_value = models.DecimalField(_("固定基准值"), max_digits=20, decimal_places=6, null=True, blank=True,
                                      validators=[MinValueValidator(Decimal("0.000001")),
                                                  MaxValueValidator(MAX_QUANTITY)])
    cap = models.DecimalField(_("单项最高分"), max_digits=8, decimal_places=2, null=True, blank=True,
                              validators=[MinValueValidator(0), MaxValueValidator(100000)],
                              help_text=_("留空表示不封顶"))
    missing = models.CharField(_("缺数据规则"), max_length=16, choices=Missing.choices, default=Missing.ZERO)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    history = HistoricalRecords(get_user=history_user, excluded_fields=["updated"])
    objects = IndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["pool", "order", "id"]
        verbose_name = _("评价指标")
        verbose_name_plural = _("评价指标")
        constraints = [models.UniqueConstraint(fields=["pool", "key"], name="indicator_unique_key",
                                               violation_error_message=_("该评价组已有该指标"))]

    def __str__(self) -> str:
        return f"{self.get_key_display()} {self.weight}"

    @property
    def region(self):
        return self.pool.scheme.region

    def clean(self) -> None:
        if self.benchmark == Benchmark.FIXED and self.fixed_value is None:
            raise ValidationError({"fixed_value": _("固定基准值规则须填写基准值")})


class Evaluation(TimeStampedModel):
    """One year's evaluation of a district's firms under one scheme version: computed (试算),
    published for objections (公示), corrected and republished, then final (公布)."""

    region = models.ForeignKey("regions.Region", verbose_name=_("所属区"), on_delete=models.PROTECT,
                               related_name="mujun_evaluations")
    year = models.PositiveSmallIntegerField(_("评价年度"), validators=_year,
                                            help_text=_("所用数据的年度"))
    scheme = models.ForeignKey(Scheme, verbose_name=_("评价办法"), on_delete=models.PROTECT,
                               related_name="evaluations")
    status = models.CharField(_("状态"), max_length=16, choices=EvaluationStatus.choices,
                              default=EvaluationStatus.DRAFT)
    computed_at = models.DateTimeField(_("计算时间"), null=True, blank=True)
    runs = models.PositiveIntegerField(_("计算次数"), default=0)
    note = models.TextField(_("说明"), blank=True)

    history = HistoricalRecords(get_user=history_user, excluded_fields=["updated"])
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["region__path", "-year"]
        verbose_name = _("亩均效益评价")
        verbose_name_plural = _("亩均效益评价")
        constraints = [models.UniqueConstraint(fields=["region", "year"], name="evaluation_unique_year",
                                               violation_error_message=_("该区该年度已有评价"))]

    def __str__(self) -> str:
        return gettext("%(region)s%(year)s年度亩均效益评价") % {"region": self.region, "year": self.year}


class Exemption(TimeStampedModel):
    """A firm the district exempts from this year's classes (免评), with the reason; it is
    listed as T."""

    evaluation = models.ForeignKey(Evaluation, verbose_name=_("评价"), on_delete=models.CASCADE,
                                   related_name="exemptions")
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT,
                                   related_name="mujun_exemptions")
    kind = models.CharField(_("类型"), max_length=16, choices=ExemptionKind.choices, default=ExemptionKind.EXEMPT)
    reason = models.CharField(_("原因"), max_length=200)

    history = HistoricalRecords(get_user=history_user, excluded_fields=["updated"])

    class Meta:
        ordering = ["evaluation", "enterprise"]
        verbose_name = _("免评企业")
        verbose_name_plural = _("免评企业")
        constraints = [models.UniqueConstraint(fields=["evaluation", "enterprise"], name="exemption_unique",
                                               violation_error_message=_("该企业已列为免评"))]

    def __str__(self) -> str:
        return f"{self.enterprise}: {self.reason}"

    @property
    def region(self):
        return self.evaluation.region


class ResultQuerySet(ScopedQuerySet):
    region_field = "evaluation__region__"


class Result(models.Model):
    """A firm's place in the latest computation of an evaluation: its pool, land, score, class
    and rank, or T with the reason. Computed, never typed: each run replaces the rows, and what
    was shown to the public is kept in :class:`PublishedEntry`."""

    evaluation = models.ForeignKey(Evaluation, verbose_name=_("评价"), on_delete=models.CASCADE,
                                   related_name="results")
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT,
                                   related_name="mujun_results")
    pool = models.CharField(_("评价组"), max_length=16, choices=Pool.choices, blank=True)
    land_mu = models.DecimalField(_("用地面积(亩)"), max_digits=14, decimal_places=4, null=True, blank=True)
    score = models.DecimalField(_("综合得分"), max_digits=12, decimal_places=2, null=True, blank=True)
    klass = models.CharField(_("类别"), max_length=1, choices=Klass.choices)
    rank = models.PositiveIntegerField(_("组内排名"), null=True, blank=True)
    reason = models.CharField(_("说明"), max_length=200, blank=True)

    objects = ResultQuerySet.as_manager()

    class Meta:
        ordering = ["evaluation", "pool", "rank", "enterprise_id"]
        verbose_name = _("评价结果")
        verbose_name_plural = _("评价结果")
        constraints = [models.UniqueConstraint(fields=["evaluation", "enterprise"], name="result_unique_firm",
                                               violation_error_message=_("该企业已有评价结果"))]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.klass} {self.score}"

    @property
    def region(self):
        return self.evaluation.region


class IndicatorScore(models.Model):
    """One line of a firm's breakdown: the indicator's value, the benchmark it was divided by,
    the score, and whether the score came from the missing-data rule. Computed with its result."""

    result = models.ForeignKey(Result, verbose_name=_("评价结果"), on_delete=models.CASCADE, related_name="scores")
    indicator = models.ForeignKey(Indicator, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(_("指标值"), max_digits=24, decimal_places=6, null=True, blank=True)
    benchmark = models.DecimalField(_("基准值"), max_digits=24, decimal_places=6, null=True, blank=True)
    score = models.DecimalField(_("得分"), max_digits=12, decimal_places=2)
    by_rule = models.BooleanField(_("按缺数据规则赋分"), default=False)

    class Meta:
        ordering = ["result", "indicator__order", "indicator_id"]
        verbose_name = _("指标得分")
        verbose_name_plural = _("指标得分")

    def __str__(self) -> str:
        return f"{self.indicator}: {self.score}"


class PublicationQuerySet(ScopedQuerySet):
    region_field = "evaluation__region__"


class Publication(TimeStampedModel):
    """A list shown to the public: the first 公示, each list republished after corrections, and
    the final one. Its entries are the list as it was shown."""

    evaluation = models.ForeignKey(Evaluation, verbose_name=_("评价"), on_delete=models.CASCADE,
                                   related_name="publications")
    number = models.PositiveSmallIntegerField(_("序号"))
    final = models.BooleanField(_("最终名单"), default=False)
    published_on = models.DateField(_("发布日期"))
    objections_until = models.DateField(_("异议截止日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    published_by = models.ForeignKey(verbose_name=_("发布人"), **_user)

    history = HistoricalRecords(get_user=history_user, excluded_fields=["updated"])
    objects = PublicationQuerySet.as_manager()

    class Meta:
        ordering = ["evaluation", "number"]
        verbose_name = _("评价公示")
        verbose_name_plural = _("评价公示")
        constraints = [models.UniqueConstraint(fields=["evaluation", "number"], name="publication_unique_number",
                                               violation_error_message=_("该评价已有同一序号的公示"))]

    def __str__(self) -> str:
        kind = gettext("最终名单") if self.final else gettext("第%(n)s次公示") % {"n": self.number}
        return f"{self.evaluation} {kind}"

    @property
    def region(self):
        return self.evaluation.region


class PublishedEntry(models.Model):
    """One firm's line of a published list, as shown (never changed afterwards)."""

    publication = models.ForeignKey(Publication, verbose_name=_("公示"), on_delete=models.CASCADE,
                                    related_name="entries")
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT,
                                   related_name="+")
    pool = models.CharField(_("评价组"), max_length=16, choices=Pool.choices, blank=True)
    score = models.DecimalField(_("综合得分"), max_digits=12, decimal_places=2, null=True, blank=True)
    klass = models.CharField(_("类别"), max_length=1, choices=Klass.choices)
    rank = models.PositiveIntegerField(_("组内排名"), null=True, blank=True)
    reason = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["publication", "pool", "rank", "enterprise_id"]
        verbose_name = _("公示名单条目")
        verbose_name_plural = _("公示名单条目")

    def __str__(self) -> str:
        return f"{self.enterprise} {self.klass}"


class ObjectionQuerySet(ScopedQuerySet):
    region_field = "evaluation__region__"


class Objection(TimeStampedModel):
    """A firm's objection to a published result, lodged online during the 公示 (the figure it
    disputes and the value it claims), reviewed by the district: accepted objections correct
    the figure, and the list is recomputed and republished."""

    evaluation = models.ForeignKey(Evaluation, verbose_name=_("评价"), on_delete=models.CASCADE,
                                   related_name="objections")
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT,
                                   related_name="mujun_objections")
    metric = models.CharField(_("异议数据项"), max_length=24, choices=Metric.choices, blank=True)
    claimed_value = models.DecimalField(_("企业主张的数值"), max_digits=20, decimal_places=4, null=True, blank=True,
                                        validators=_figure_bounds)
    content = models.TextField(_("异议内容"))
    contact = models.CharField(_("联系人及电话"), max_length=64, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=ObjectionStatus.choices,
                              default=ObjectionStatus.OPEN)
    submitted_by = models.ForeignKey(verbose_name=_("登记人"), **_user)
    reviewed_by = models.ForeignKey(verbose_name=_("审核人"), **_user)
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_note = models.TextField(_("审核意见"), blank=True)
    corrected_value = models.DecimalField(_("核定数值"), max_digits=20, decimal_places=4, null=True, blank=True,
                                          validators=_figure_bounds)

    history = HistoricalRecords(get_user=history_user, excluded_fields=["updated"])
    objects = ObjectionQuerySet.as_manager()

    class Meta:
        ordering = ["evaluation", "-created"]
        verbose_name = _("评价异议")
        verbose_name_plural = _("评价异议")

    def __str__(self) -> str:
        return gettext("%(firm)s的异议") % {"firm": self.enterprise}

    @property
    def region(self):
        return self.evaluation.region

    def clean(self) -> None:
        if self.claimed_value is not None and not self.metric:
            raise ValidationError({"metric": _("请选择有异议的数据项")})
