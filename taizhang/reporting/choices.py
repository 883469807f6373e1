from django.db import models
from django.utils.translation import gettext_lazy as _

from taizhang.projects.choices import ReportStatus  # noqa: F401  (the reports' own states)


class PeriodStatus(models.TextChoices):
    OPEN = "open", _("填报中")
    SUBMITTED = "submitted", _("区已报送")
    LOCKED = "locked", _("市已锁定")


class RuleKind(models.TextChoices):
    CUMULATIVE_FALLS = "cumulative_falls", _("累计投资不得下降")
    NEGATIVE = "negative", _("本月投资不得为负")
    ABOVE_REMAINING = "above_remaining", _("本月投资不得超过剩余总投资")
    NOT_STARTED = "not_started", _("未开工项目不得填报建设投资")
    FUNDS_OVER_CONTRACT = "funds_over_contract", _("到位资金不得超过合同引资")
    SPIKE = "spike", _("本月投资超过常规月均的N倍")


class Severity(models.TextChoices):
    HARD = "hard", _("强制(阻止保存)")
    SOFT = "soft", _("提示(须说明原因)")


class OrderSource(models.TextChoices):
    WARNING = "warning", _("进度预警")
    PROBLEM = "problem", _("逾期问题")
    LATE_REPORT = "late_report", _("逾期未报")
    DEMAND = "demand", _("企业诉求超时")
    OTHER = "other", _("其他")


class OrderStatus(models.TextChoices):
    ISSUED = "issued", _("已下发")
    ANSWERED = "answered", _("已答复")
    CLOSED = "closed", _("已办结")


class OrderLevel(models.TextChoices):
    DISTRICT = "district", _("区级督办")
    LEADER = "leader", _("区领导督办")
    CITY = "city", _("市级督办")
