"""Catalogues of the enterprise registry: tiers a firm is recognised in, and the service record."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Scale(models.TextChoices):
    ABOVE = "above", _("规上")
    BELOW = "below", _("规下")
    UNKNOWN = "", _("不详")


class Size(models.TextChoices):
    LARGE = "large", _("大型")
    MEDIUM = "medium", _("中型")
    SMALL = "small", _("小型")
    MICRO = "micro", _("微型")
    UNKNOWN = "", _("不详")


class Source(models.TextChoices):
    ENTERED = "entered", _("录入")
    IMPORTED = "imported", _("导入")
    SEED = "seed", _("真实(来自公开报道)")
    GENERATED = "generated", _("演示")


class TierKind(models.TextChoices):
    """The lists a district cultivates firms into. Their order is the order pages list them in."""

    TECH_SME = "tech_sme", _("科技型中小企业")
    INNOVATIVE_SME = "innovative_sme", _("创新型中小企业")
    SRDI_SME = "srdi_sme", _("专精特新中小企业")
    LITTLE_GIANT = "little_giant", _("专精特新“小巨人”企业")
    SEEDLING = "seedling", _("高企育苗库")
    HIGH_TECH = "high_tech", _("高新技术企业")
    IPO_POOL = "ipo_pool", _("高企上市培育库")
    LISTED = "listed", _("上市/挂牌企业")
    EAGLET = "eaglet", _("雏鹰企业")
    GAZELLE = "gazelle", _("瞪羚企业")
    QUASI_UNICORN = "quasi_unicorn", _("准独角兽企业")
    UNICORN = "unicorn", _("独角兽企业")
    CHAMPION = "champion", _("制造业单项冠军")


#: tiers recognised by a certificate with a term: 高企 for three years (《高新技术企业认定管理办法》
#: 第十条); the others are yearly or have no term, and their expiry is whatever the list says
TERM_YEARS = {TierKind.HIGH_TECH: 3, TierKind.LITTLE_GIANT: 3, TierKind.SRDI_SME: 3,
              TierKind.INNOVATIVE_SME: 3, TierKind.TECH_SME: 1}

#: the ladders firms climb (市北区's 高企育苗—高企认定—高企上市, the 专精特新 ladder of the
#: 《优质中小企业梯度培育管理暂行办法》, and the growth ladder 雏鹰—瞪羚—准独角兽—独角兽)
LADDERS = {
    "high_tech": (TierKind.SEEDLING, TierKind.HIGH_TECH, TierKind.IPO_POOL, TierKind.LISTED),
    "srdi": (TierKind.TECH_SME, TierKind.INNOVATIVE_SME, TierKind.SRDI_SME, TierKind.LITTLE_GIANT),
    "growth": (TierKind.EAGLET, TierKind.GAZELLE, TierKind.QUASI_UNICORN, TierKind.UNICORN),
}
LADDER_NAMES = {"high_tech": _("高企育苗—认定—上市"), "srdi": _("科技型—创新型—专精特新—小巨人"),
                "growth": _("雏鹰—瞪羚—准独角兽—独角兽")}


class TierLevel(models.TextChoices):
    NATIONAL = "national", _("国家级")
    PROVINCIAL = "provincial", _("省级")
    CITY = "city", _("市级")
    DISTRICT = "district", _("区级")
    UNKNOWN = "unknown", _("级别不详")  # the source does not say who recognised it


class EndReason(models.TextChoices):
    EXPIRED = "expired", _("到期未复审")
    REVOKED = "revoked", _("取消资格")
    GRADUATED = "graduated", _("晋级")
    MOVED = "moved", _("迁出")
    OTHER = "other", _("其他")


class Metric(models.TextChoices):
    """Annual figures a firm reports, and tier rules are written over. Money in 万元."""

    REVENUE = "revenue", _("营业收入(万元)")
    TAX = "tax", _("纳税总额(万元)")
    RD_EXPENSE = "rd_expense", _("研发费用(万元)")
    RD_INTENSITY = "rd_intensity", _("研发费用占营业收入比重(%)")
    REVENUE_GROWTH = "revenue_growth", _("营业收入增长率(%)")
    EMPLOYEES = "employees", _("从业人员(人)")
    RD_STAFF_SHARE = "rd_staff_share", _("研发人员占比(%)")
    INVENTION_PATENTS = "invention_patents", _("发明专利(件)")
    IP_RIGHTS = "ip_rights", _("知识产权(件)")
    VALUATION = "valuation", _("估值(亿美元)")
    MAIN_SHARE = "main_share", _("主营业务收入占比(%)")
    YEARS = "years", _("成立年限(年)")


#: metrics computed from others, never typed: intensity = R&D / revenue, growth year on year
DERIVED_METRICS = {Metric.RD_INTENSITY, Metric.REVENUE_GROWTH, Metric.YEARS}


class Op(models.TextChoices):
    GTE = "gte", "≥"
    LTE = "lte", "≤"


class DemandStatus(models.TextChoices):
    RECEIVED = "received", _("已受理")
    ACKNOWLEDGED = "acknowledged", _("已响应")
    ANSWERED = "answered", _("已答复")
    RESOLVED = "resolved", _("已办结")


class DemandCategory(models.TextChoices):
    POLICY = "policy", _("政策咨询")
    FINANCE = "finance", _("融资")
    TALENT = "talent", _("人才")
    LAND = "land", _("用地用房")
    PERMIT = "permit", _("审批")
    MARKET = "market", _("市场")
    INFRA = "infra", _("水电路气")
    OTHER = "other", _("其他")


class MeasureStatus(models.TextChoices):
    """Where a measure of a firm's 一企一策 stands."""

    PLANNED = "planned", _("未开始")
    ACTIVE = "active", _("推进中")
    DONE = "done", _("已完成")
    DROPPED = "dropped", _("已取消")
