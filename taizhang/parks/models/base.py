"""What the parks app's models share: bounded numbers and the district scope."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from taizhang.core.numbers import MAX_AMOUNT_WAN
from taizhang.core.scope import Action, can, region_scope_q

#: the largest area a unit, a building or a firm's land may have: 10 km² (a slip of unit beyond)
MAX_AREA_M2 = Decimal("10000000")
MAX_MU = Decimal("100000")
#: energy (吨标煤), emissions (吨), electricity (万千瓦时): the largest plants use some millions
MAX_QUANTITY = Decimal("1000000000")

area_bounds = [MinValueValidator(Decimal("0"), message=_("面积不能为负数")),
               MaxValueValidator(MAX_AREA_M2, message=_("面积过大:超过1000万平方米,请核对单位"))]
mu_bounds = [MinValueValidator(Decimal("0"), message=_("用地面积不能为负数")),
             MaxValueValidator(MAX_MU, message=_("用地面积过大:超过10万亩,请核对单位"))]
money_bounds = [MinValueValidator(-MAX_AMOUNT_WAN, message=_("金额过小,请核对")),
                MaxValueValidator(MAX_AMOUNT_WAN, message=_("金额过大:超过1万亿元,请核对单位"))]


class ScopedQuerySet(models.QuerySet):
    """Rows of a district: seen by everyone working in it (a 责任单位's staff too), changed by
    those whose role changes records. ``region_field`` leads to a Region whose path is the scope."""

    region_field = "region__"

    def restrict(self, user, action: Action | str = Action.VIEW):
        if not can(user, action):
            return self.none()
        q = region_scope_q(user, self.region_field)
        return self if q is None else self.filter(q)


def refuse_non_finite(obj) -> None:
    """NaN and infinities are refused with a message before any bound is compared (Decimal
    comparisons with NaN raise instead of answering)."""
    from django.core.exceptions import ValidationError

    errors = {}
    for f in obj._meta.concrete_fields:
        if isinstance(f, models.DecimalField):
            value = getattr(obj, f.attname)
            if isinstance(value, float | Decimal) and not Decimal(value).is_finite():
                errors[f.name] = _("“%(value)s”不是有效数字") % {"value": value}
    if errors:
        raise ValidationError(errors)
