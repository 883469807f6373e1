"""Catalogues of the ledger, each with the colour the pages show it in."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    LEAD = "lead", _("线索")
    NEGOTIATING = "negotiating", _("在谈")
    SIGNED = "signed", _("签约")
    REGISTERED = "registered", _("注册")
    STARTED = "started", _("开工")
    COMPLETED = "completed", _("竣工")
    OPERATING = "operating", _("投产")
    SUSPENDED = "suspended", _("暂停")
    TERMINATED = "terminated", _("终止")


#: the normal road a project travels; 暂停/终止 stand beside it
STAGE_ORDER = [
    Stage.LEAD,
    Stage.NEGOTIATING,
    Stage.SIGNED,
    Stage.REGISTERED,
    Stage.STARTED,
    Stage.COMPLETED,
    Stage.OPERATING,
]

STAGE_COLORS = {
    Stage.LEAD: "grey",
    Stage.NEGOTIATING: "cyan",
    Stage.SIGNED: "blue",
    Stage.REGISTERED: "indigo",
    Stage.STARTED: "orange",
    Stage.COMPLETED: "green",
    Stage.OPERATING: "teal",
    Stage.SUSPENDED: "yellow",
    Stage.TERMINATED: "red",
}


class Origin(models.TextChoices):
    DOMESTIC = "domestic", _("内资")
    FOREIGN = "foreign", _("外资")
    HMT = "hmt", _("港澳台")


class Nature(models.TextChoices):
    NEW = "new", _("新建")
    EXPANSION = "expansion", _("扩建")
    RENOVATION = "renovation", _("技改")
    RELOCATION = "relocation", _("迁建")
    CONTINUED = "continued", _("续建")
    OTHER = "other", _("其他")


class Level(models.TextChoices):
    PROVINCIAL = "provincial", _("省重点")
    MUNICIPAL = "municipal", _("市重点")
    DISTRICT = "district", _("区重点")
    ORDINARY = "ordinary", _("一般")


class Category(models.TextChoices):
    INDUSTRY = "industry", _("产业")
    URBAN_RENEWAL = "urban_renewal", _("城市更新")
    LIVELIHOOD = "livelihood", _("社会民生")
    INFRASTRUCTURE = "infrastructure", _("基础设施")


class DataSource(models.TextChoices):
    ENTERED = "entered", _("录入")
    SEED = "seed", _("真实(来自公开报道)")
    GENERATED = "generated", _("演示生成")
    IMPORTED = "imported", _("导入")


class ProblemCategory(models.TextChoices):
    LAND = "land", _("土地")
    FUNDS = "funds", _("资金")
    APPROVAL = "approval", _("手续审批")
    LABOUR = "labour", _("用工")
    UTILITIES = "utilities", _("水电气暖")
    DEMOLITION = "demolition", _("拆迁")
    OTHER = "other", _("其他")


class ProblemStatus(models.TextChoices):
    OPEN = "open", _("待解决")
    IN_PROGRESS = "in_progress", _("推进中")
    SOLVED = "solved", _("已解决")


PROBLEM_STATUS_COLORS = {
    ProblemStatus.OPEN: "red",
    ProblemStatus.IN_PROGRESS: "orange",
    ProblemStatus.SOLVED: "green",
}


class ReportStatus(models.TextChoices):
    """Where a monthly report stands in the approval cycle (see the reporting app)."""

    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    RETURNED = "returned", _("已退回")
    APPROVED = "approved", _("已审核")


class ImportStatus(models.TextChoices):
    PREVIEWED = "previewed", _("待确认")
    RUNNING = "running", _("导入中")
    DONE = "done", _("已导入")
    FAILED = "failed", _("未导入")
