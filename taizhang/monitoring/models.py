"""A district's own warning rules and health checks (项目体检), set by its 区级管理员."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from taizhang.core.history import history_user
from taizhang.core.models import TimeStampedModel


class LagMode(models.TextChoices):
    ABSOLUTE = "absolute", _("按落后时序的百分点")
    RELATIVE = "relative", _("按完成率占时序的比例")


_pct = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1000"))]


class MonitoringRules(TimeStampedModel):
    """Thresholds for one district. A district without its own row uses the defaults here."""

    region = models.OneToOneField("regions.Region", verbose_name=_("区"), on_delete=models.CASCADE,
                                  related_name="monitoring_rules")
    lag_mode = models.CharField(_("进度预警方式"), max_length=16, choices=LagMode.choices, default=LagMode.ABSOLUTE)
    lag_yellow = models.DecimalField(_("黄色预警:落后时序(百分点)"), max_digits=6, decimal_places=2,
                                     default=Decimal("10"), validators=_pct)
    lag_red = models.DecimalField(_("红色预警:落后时序(百分点)"), max_digits=6, decimal_places=2,
                                  default=Decimal("30"), validators=_pct)
    relative_yellow = models.DecimalField(_("黄色预警:完成率低于时序的比例"), max_digits=4, decimal_places=2,
                                          default=Decimal("1.00"),
                                          validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))])
    relative_red = models.DecimalField(_("红色预警:完成率低于时序的比例"), max_digits=4, decimal_places=2,
                                       default=Decimal("0.50"),
                                       validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))])
    start_red_months = models.PositiveSmallIntegerField(_("开工红色预警:晚于计划月数"), default=3,
                                                        validators=[MinValueValidator(1), MaxValueValidator(24)])
    check_signed_not_started = models.BooleanField(_("体检:签约超期未开工"), default=True)
    signed_not_started_days = models.PositiveIntegerField(_("签约后未开工天数"), default=365)
    check_no_funds = models.BooleanField(_("体检:连续无资金到位"), default=True)
    no_funds_months = models.PositiveSmallIntegerField(_("无资金到位月数"), default=3)
    check_low_funds = models.BooleanField(_("体检:资金到位率过低"), default=True)
    low_funds_months = models.PositiveSmallIntegerField(_("签约后月数"), default=6)
    low_funds_ratio = models.DecimalField(_("到位资金占合同引资低于(%)"), max_digits=5, decimal_places=2,
                                          default=Decimal("15"), validators=_pct)
    check_cumulative_falls = models.BooleanField(_("体检:累计投资下降"), default=True)

    history = HistoricalRecords(get_user=history_user, excluded_fields=["updated"])

    class Meta:
        verbose_name = _("预警与体检规则")
        verbose_name_plural = _("预警与体检规则")
        ordering = ["region__path"]

    def __str__(self) -> str:
        return f"{self.region} " + str(_("预警规则"))

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.lag_mode == LagMode.ABSOLUTE and self.lag_red < self.lag_yellow:
            raise ValidationError({"lag_red": _("红色预警的百分点应不小于黄色预警")})
        if self.lag_mode == LagMode.RELATIVE and self.relative_red > self.relative_yellow:
            raise ValidationError({"relative_red": _("红色预警的比例应不大于黄色预警")})


def rules_for(region) -> MonitoringRules:
    """The district's rules, or unsaved defaults."""
    found = MonitoringRules.objects.filter(region=region).first() if region is not None else None
    return found or MonitoringRules(region=region)


class LedgerStamp(models.Model):
    """How often the ledger has changed: one row, counted up by database triggers on every
    table the figures are read from (see ``monitoring.stamp``). ``epoch`` is drawn anew
    whenever the row is made, so a count is never mistaken for one before a flush."""

    epoch = models.BigIntegerField()
    n = models.BigIntegerField(default=0)
    #: the touches (``LedgerTouch``) are complete from this mark on: older ones were dropped
    touched_from = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("台账版本")
        verbose_name_plural = _("台账版本")

    def __str__(self) -> str:
        return f"{self.epoch}:{self.n}"


class LedgerChange(models.Model):
    """On PostgreSQL each writing statement adds a row here (no lock is taken, so writers
    never wait on one another); the count is folded into ``LedgerStamp.n`` from time to time."""

    id = models.BigAutoField(primary_key=True)

    class Meta:
        verbose_name = _("台账变更")
        verbose_name_plural = _("台账变更")

    def __str__(self) -> str:
        return str(self.pk)


class LedgerTouch(models.Model):
    """Which project each write touched, kept by the stamp's triggers beside the count, so
    that figures kept under an older stamp can be brought up to date project by project
    (``monitoring.kept``) instead of computed again whole.

    ``mark`` orders the touches against a kept figure: on SQLite (one writer at a time) the
    stamp's count after the write; on PostgreSQL the writing transaction's id, compared with
    the snapshot the figure's stamp was read in. ``project_id`` is None for a write that is
    not one project's (a unit, a region, rules, a reporting period…): then everything is
    computed again."""

    id = models.BigAutoField(primary_key=True)
    mark = models.BigIntegerField(db_index=True)
    project_id = models.BigIntegerField(null=True)

    class Meta:
        verbose_name = _("台账变更的项目")
        verbose_name_plural = _("台账变更的项目")

    def __str__(self) -> str:
        return f"{self.mark}:{self.project_id}"
