"""The indicator system's choices: what an indicator measures and where a value came from."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Direction(models.TextChoices):
    HIGHER = "higher", _("越高越好")
    LOWER = "lower", _("越低越好")


class Kind(models.TextChoices):
    LEVEL = "level", _("总量")
    GROWTH = "growth", _("增速")
    SHARE = "share", _("比重/比率")


class Aggregation(models.TextChoices):
    SUM = "sum", _("各区相加")
    NONE = "none", _("不可相加")


class PeriodKind(models.TextChoices):
    YEAR = "year", _("全年")
    QUARTER = "quarter", _("季度")
    MONTH = "month", _("当月")
    CUMULATIVE = "cumulative", _("1-N月累计")


class Source(models.TextChoices):
    ENTERED = "entered", _("填报")
    LEDGER = "ledger", _("台账计算")
    IMPORTED = "imported", _("表格导入")
    REPORT = "report", _("报告摘录")


#: which source a page shows when one period has values from several (the district's own
#: figures before what a report said of it)
SOURCE_PRECEDENCE = [Source.ENTERED, Source.IMPORTED, Source.LEDGER, Source.REPORT]


class ValueStatus(models.TextChoices):
    DRAFT = "draft", _("待审核")
    APPROVED = "approved", _("已审核")
    LOCKED = "locked", _("已锁定")


class FactState(models.TextChoices):
    UNMAPPED = "unmapped", _("未对应指标")
    AMBIGUOUS = "ambiguous", _("对应多个指标")
    MAPPED = "mapped", _("已对应,待确认")
    ACCEPTED = "accepted", _("已采用")
    REJECTED = "rejected", _("不采用")


class CheckKind(models.TextChoices):
    """Checks on values (校验规则 for indicators)."""

    GROWTH_IMPLAUSIBLE = "growth_implausible", _("较上年同期变化异常")
    SHARE_OVER_100 = "share_over_100", _("比重超过100%")
    PART_OVER_WHOLE = "part_over_whole", _("分项大于总量")
    NEGATIVE_LEVEL = "negative_level", _("总量为负数")


class TaskState(models.TextChoices):
    """A key task's state in a month: the colour a page shows."""

    DONE = "done", _("已完成")
    ON_TRACK = "on_track", _("正常推进")
    LATE = "late", _("逾期未完成")
    NOT_UPDATED = "not_updated", _("本期未更新")


STATE_COLOURS = {
    TaskState.DONE: "green", TaskState.ON_TRACK: "green", TaskState.LATE: "red", TaskState.NOT_UPDATED: "red",
}


class TaskOrigin(models.TextChoices):
    REAL = "real", _("真实")
    GENERATED = "generated", _("演示")
