"""Catalogues of parks, buildings and the 亩均效益评价."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    ENTERED = "entered", _("录入")
    IMPORTED = "imported", _("导入")
    REAL = "real", _("真实")  # named by a published document (the demo's seeds)
    GENERATED = "generated", _("演示")


class BuildingKind(models.TextChoices):
    FEATURED = "featured", _("特色楼宇")
    INDUSTRIAL = "industrial", _("工业楼宇")
    OFFICE = "office", _("商务楼宇")


class Department(models.TextChoices):
    """Who reports which of a firm's annual figures."""

    TAX = "tax", _("税务局")
    STATS = "stats", _("统计局")
    LAND = "land", _("自然资源局")
    POWER = "power", _("供电公司")
    ENV = "env", _("生态环境局")
    DRC = "drc", _("发展和改革局")
    OTHER = "other", _("其他")


class Metric(models.TextChoices):
    """A firm's annual figures the evaluation is computed from, with their units."""

    LAND_CERTIFICATE = "land_certificate", _("证载用地面积(亩)")
    LAND_LEASED = "land_leased", _("租赁用地面积(亩)")
    TAX = "tax", _("实缴税收(万元)")
    ADDED_VALUE = "added_value", _("工业增加值(万元)")
    REVENUE = "revenue", _("营业收入(万元)")
    RD = "rd", _("研发经费支出(万元)")
    ENERGY = "energy", _("综合能耗(吨标煤)")
    EMISSIONS = "emissions", _("主要污染物排放量(吨)")
    ELECTRICITY = "electricity", _("用电量(万千瓦时)")
    EMPLOYEES = "employees", _("年平均职工人数(人)")


class BatchStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待审核")
    REVIEWED = "reviewed", _("已审核")
    RETURNED = "returned", _("已退回")


class Pool(models.TextChoices):
    """The groups firms are ranked within."""

    ABOVE = "above", _("规上企业")
    BELOW_LARGE = "below_large", _("规下企业(用地≥3亩)")
    BELOW_SMALL = "below_small", _("规下企业(用地<3亩)")
    LEASED = "leased", _("租赁企业")


class Direction(models.TextChoices):
    HIGHER = "higher", _("越大越好")
    LOWER = "lower", _("越小越好")


class Benchmark(models.TextChoices):
    FIXED = "fixed", _("固定基准值")
    MAX = "max", _("组内最大值")
    AVERAGE_K = "average_k", _("组内平均值×系数")


class Missing(models.TextChoices):
    ZERO = "zero", _("缺数据该项不得分")
    POOL_AVERAGE = "pool_average", _("缺数据按组内该项平均得分赋分")


class ClassifyBy(models.TextChoices):
    THRESHOLDS = "thresholds", _("按得分线")
    SHARES = "shares", _("按比例")


class Klass(models.TextChoices):
    A = "A", _("A类")
    B = "B", _("B类")
    C = "C", _("C类")
    D = "D", _("D类")
    T = "T", _("T类(暂不评价)")


KLASS_COLORS = {"A": "green", "B": "blue", "C": "orange", "D": "red", "T": "grey"}


class EvaluationStatus(models.TextChoices):
    DRAFT = "draft", _("试算")
    PUBLISHED = "published", _("公示中")
    FINAL = "final", _("已公布")


class ExemptionKind(models.TextChoices):
    EXEMPT = "exempt", _("免评")
    TRANSITION = "transition", _("过渡期")


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("待审核")
    ACCEPTED = "accepted", _("已采纳")
    REJECTED = "rejected", _("不予采纳")
