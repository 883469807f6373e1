"""Forms of the parks pages: each validates what a person types; the services decide."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from .choices import Department, Metric
from .models.base import MAX_AREA_M2


def _number(label, high, **kw):
    return forms.DecimalField(label=label, required=False, min_value=Decimal("0"), max_value=high,
                              max_digits=14, decimal_places=2, **kw)


class NeedForm(forms.Form):
    """A lead's space need."""

    area_min = _number(_("面积不小于(平方米)"), MAX_AREA_M2)
    area_max = _number(_("面积不大于(平方米)"), MAX_AREA_M2)
    load_min = _number(_("楼面荷载不低于(kN/㎡)"), Decimal("100"))
    height_min = _number(_("层高不低于(米)"), Decimal("50"))
    rent_max = _number(_("租金预算不高于(元/㎡·月)"), Decimal("100000"))
    day = forms.DateField(label=_("日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class LeaseForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("单元"), queryset=None)
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=18)
    start = forms.DateField(label=_("入驻日期"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("退租日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    rent = _number(_("租金(元/㎡·月)"), Decimal("100000"))

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class ImportForm(forms.Form):
    region = forms.ModelChoiceField(label=_("所属区"), queryset=None)
    year = forms.IntegerField(label=_("数据年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    department = forms.ChoiceField(label=_("报送部门"), choices=Department.choices)
    file = forms.FileField(label=_("数据表(Excel)"))

    def __init__(self, *args, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions


class EvaluationForm(forms.Form):
    region = forms.ModelChoiceField(label=_("所属区"), queryset=None)
    year = forms.IntegerField(label=_("评价年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    scheme = forms.ModelChoiceField(label=_("评价办法"), queryset=None)

    def __init__(self, *args, regions=None, schemes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
        self.fields["scheme"].queryset = schemes


class PublishForm(forms.Form):
    published_on = forms.DateField(label=_("发布日期"), widget=forms.DateInput(attrs={"type": "date"}))
    objections_until = forms.DateField(label=_("异议截止日期"), required=False,
                                       widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class ObjectionForm(forms.Form):
    metric = forms.ChoiceField(label=_("异议数据项"), choices=[("", "---------"), *Metric.choices], required=False)
    claimed_value = forms.DecimalField(label=_("企业主张的数值"), required=False, max_digits=20, decimal_places=4,
                                       min_value=Decimal("-1000000000"), max_value=Decimal("1000000000"))
    content = forms.CharField(label=_("异议内容"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    contact = forms.CharField(label=_("联系人及电话"), max_length=64, required=False)


class ReviewForm(forms.Form):
    accept = forms.TypedChoiceField(label=_("审核结论"), choices=[("1", _("采纳")), ("0", _("不予采纳"))],
                                    coerce=lambda v: v == "1")
    corrected_value = forms.DecimalField(label=_("核定数值"), required=False, max_digits=20, decimal_places=4,
                                         min_value=Decimal("-1000000000"), max_value=Decimal("1000000000"))
    review_note = forms.CharField(label=_("审核意见"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
