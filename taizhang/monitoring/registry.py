"""Every figure a page can show and open: one list of key → label and how to get it.

The dashboard's cards, the drill-down's title and the list of projects behind a number
all come from here, so a figure cannot have a label in one place and a definition in
another. Families of figures (a warning colour, a stage of the funnel, one district or
chain of the ranking, one health check) are matched by their prefix.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from taizhang.projects.choices import Stage

from .checks import HEALTH_LABELS
from .metrics import Figure, Snapshot


@dataclass(frozen=True)
class Metric:
    key: str
    label: object  # a lazy translation
    compute: Callable[[Snapshot], Figure]


METRICS = [
    Metric("key_projects", _l("重点项目"), lambda s: s.key_projects()),
    Metric("total_investment", _l("总投资"), lambda s: s.total_investment()),
    Metric("planned", _l("年度计划投资"), lambda s: s.planned()),
    Metric("completed", _l("累计完成投资"), lambda s: s.completed()),
    Metric("completion_rate", _l("年度投资完成率"), lambda s: s.completion_rate()),
    Metric("month_completed", _l("本月完成投资"), lambda s: s.month_completed()),
    Metric("quarter_completed", _l("本季度完成投资"), lambda s: s.quarter_completed()),
    Metric("new_starts", _l("新开工项目"), lambda s: s.new_starts()),
    Metric("completions", _l("竣工投用项目"), lambda s: s.completions()),
    Metric("planned_starts", _l("计划开工项目"), lambda s: s.planned_starts()),
    Metric("on_time_starts", _l("按期开工项目"), lambda s: s.on_time_starts()),
    Metric("new_over_100m", _l("新落地过亿元项目"), lambda s: s.new_over_100m()),
    Metric("funds_rate", _l("资金到位率"), lambda s: s.funds_rate()),
    Metric("start_rate", _l("已开工项目(开工率)"), lambda s: s.start_rate()),
    Metric("owed", _l("本月应报送的项目"), lambda s: s.owed()),
    Metric("not_reported", _l("本月应报未报送的项目"), lambda s: s.not_reported()),
    Metric("open_problems", _l("有待解决问题的项目"), lambda s: s.open_problems()),
    Metric("overdue_problems", _l("有逾期问题的项目"), lambda s: s.overdue_problems()),
    Metric("warn_red", _l("进度红色预警"), lambda s: s.warnings("red")),
    Metric("warn_yellow", _l("进度黄色预警"), lambda s: s.warnings("yellow")),
    Metric("warn_green", _l("进度正常"), lambda s: s.warnings("green")),
    Metric("start_red", _l("开工红色预警"), lambda s: s.start_warnings("red")),
    Metric("start_yellow", _l("开工黄色预警"), lambda s: s.start_warnings("yellow")),
]
BY_KEY = {m.key: m for m in METRICS}


class UnknownMetric(LookupError):
    pass


def figure(snap: Snapshot, metric: str) -> Figure:
    """The Figure a metric key names, with the projects behind it."""
    if metric in BY_KEY:
        return BY_KEY[metric].compute(snap)
    if metric.startswith("stage_"):
        for stage, _label, fig, _total in snap.funnel():
            if stage == metric[6:]:
                return fig
    for by in ("region", "chain"):
        if metric.startswith(f"{by}_"):
            for group, _rate, _done, _plan, ids in snap.ranking(by):
                if str(group.pk if group else 0) == metric[len(by) + 1:]:
                    return Figure(len(ids), ids)
    if metric.startswith("health_") and metric[7:] in HEALTH_LABELS:
        ids = sorted({p.pk for rule, p, _ in snap.health_checks() if rule == metric[7:]})
        return Figure(len(ids), ids)
    raise UnknownMetric(metric)


def label(metric: str) -> str:
    if metric in BY_KEY:
        return str(BY_KEY[metric].label)
    if metric.startswith("health_") and metric[7:] in HEALTH_LABELS:
        return str(HEALTH_LABELS[metric[7:]])
    if metric.startswith("stage_") and metric[6:] in Stage.values:
        return _("已到%(stage)s阶段的项目") % {"stage": Stage(metric[6:]).label}
    if metric.startswith("region_"):
        return _("该区项目")
    if metric.startswith("chain_"):
        return _("该产业链项目")
    return metric
