"""Forms of the parks pages: each validates what a person types; the services decide."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from taizhang.core.scope import districts_of, restrict_regions
from taizhang.regions.choices import RegionLevel
from taizhang.regions.models import IndustryChain, Region, Unit

from .choices import Department, ExemptionKind, Metric
from .models import Building, Indicator, ParkProfile, Scheme, SchemePool, SpaceUnit
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


# ---------------------------------------------------------------- edits through the services


class ServiceForm(forms.ModelForm):
    """A model's fields as a form that only reads what was typed: the model's rules run once,
    in the service the view calls (the one door), and its errors come back to the fields."""

    def _post_clean(self):
        pass

    def service_errors(self, error) -> None:
        if hasattr(error, "error_dict"):
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        else:
            for message in error.messages:
                self.add_error(None, message)


_date = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ParkProfileForm(ServiceForm):
    class Meta:
        model = ParkProfile
        fields = ["chain", "managing_unit", "specialised", "planned_area_m2", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, park=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chain"].queryset = IndustryChain.objects.filter(region=park.parent)
        self.fields["managing_unit"].queryset = Unit.objects.filter(region=park.parent)


class BuildingForm(ServiceForm):
    class Meta:
        model = Building
        fields = ["region", "park", "name", "kind", "theme", "address", "gross_area_m2", "floors",
                  "floor_load_kn", "ceiling_m", "freight_lifts", "freight_lift_kg", "opened"]
        widgets = {"opened": _date}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = districts_of(user)
        self.fields["park"].queryset = restrict_regions(Region.objects.filter(level=RegionLevel.PARK), user)


class UnitForm(ServiceForm):
    class Meta:
        model = SpaceUnit
        fields = ["floor", "code", "area_m2", "floor_load_kn", "ceiling_m", "asking_rent"]


class EndTenancyForm(forms.Form):
    end = forms.DateField(label=_("退租日期"), widget=_date, help_text=_("租期最后一天"))


class TaxImportForm(forms.Form):
    region = forms.ModelChoiceField(label=_("所属区"), queryset=None, empty_label=None)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    month = forms.IntegerField(label=_("月份"), min_value=1, max_value=12)
    file = forms.FileField(label=_("税收表(Excel 或 CSV)"),
                           help_text=_("须有“统一社会信用代码”和“税收”列;金额单位按表头,未注明为万元"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = districts_of(user)


class SchemeForm(ServiceForm):
    source_url = forms.URLField(label=_("依据文件网址"), required=False, assume_scheme="https")

    class Meta:
        model = Scheme
        fields = ["name", "source_doc", "source_url", "classify_by", "small_land_mu", "transition_years",
                  "min_pool_for_d", "d_surcharge_1", "d_surcharge_2", "d_surcharge_3", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}


class NewSchemeForm(SchemeForm):
    region = forms.ModelChoiceField(label=_("所属区"), queryset=None, empty_label=None)

    class Meta(SchemeForm.Meta):
        fields = ["region", *SchemeForm.Meta.fields]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = districts_of(user)


class PoolForm(ServiceForm):
    class Meta:
        model = SchemePool
        fields = ["pool", "a_min", "b_min", "c_min", "a_share", "ab_share", "d_share"]


class IndicatorForm(ServiceForm):
    class Meta:
        model = Indicator
        fields = ["key", "direction", "weight", "benchmark", "factor", "fixed_value", "cap", "missing", "order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["order"].required = False  # new indicators go last


class ExemptionForm(forms.Form):
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=18)
    kind = forms.ChoiceField(label=_("类型"), choices=ExemptionKind.choices)
    reason = forms.CharField(label=_("原因"), max_length=200)
