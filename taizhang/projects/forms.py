"""Forms that validate the pages (and later, imported rows) with messages in Chinese.

Choice fields are limited to the user's scope, so a user cannot even name a region,
unit or chain outside it.
"""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from taizhang.core.scope import restrict_regions
from taizhang.regions.choices import RegionLevel
from taizhang.regions.models import IndustryChain, Region, Unit

from .choices import Stage
from .models import AnnualPlan, DatePrecision, Problem, Project
from .validators import normalize_project_code


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ProjectForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(label=_("修改说明"), required=False, max_length=500)

    class Meta:
        model = Project
        fields = [
            "name", "code", "region", "park", "chain", "builder", "credit_code", "origin", "nature",
            "level", "category", "total_investment", "foreign_investment", "contract_amount",
            "content", "planned_start", "planned_completion", "responsible_unit",
            "responsible_person", "commissioner",
        ]
        widgets = {
            "planned_start": DateInput(),
            "planned_completion": DateInput(),
            "content": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        regions = restrict_regions(Region.objects.all(), user, "")
        self.fields["region"].queryset = regions.filter(level=RegionLevel.DISTRICT)
        self.fields["park"].queryset = regions.filter(level=RegionLevel.PARK)
        self.fields["chain"].queryset = restrict_regions(IndustryChain.objects.select_related("region"), user, "region__")
        self.fields["responsible_unit"].queryset = restrict_regions(Unit.objects.select_related("region"), user, "region__")
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        else:
            del self.fields["reason"]
            if user is not None and user.region and user.region.level == RegionLevel.DISTRICT:
                self.fields["region"].initial = user.region

    def clean_code(self):
        code = self.cleaned_data.get("code")
        return normalize_project_code(code) if code else None

    def clean_credit_code(self):
        return (self.cleaned_data.get("credit_code") or "").strip().upper()

    def model_data(self) -> dict:
        return {f: self.cleaned_data[f] for f in self.Meta.fields}


class StageMoveForm(forms.Form):
    to_stage = forms.ChoiceField(label=_("新阶段"), choices=Stage.choices)
    date = forms.DateField(label=_("日期"), widget=DateInput(), initial=timezone.localdate)
    reason = forms.CharField(
        label=_("原因"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("跳过阶段、回退、暂停或终止时必填"),
    )


class StageCorrectForm(forms.Form):
    """Correct or remove a wrong entry of the stage history; the old values stay in its history."""

    to_stage = forms.ChoiceField(label=_("阶段"), choices=Stage.choices)
    date = forms.DateField(label=_("日期"), widget=DateInput(), required=False, help_text=_("不详时留空"))
    precision = forms.ChoiceField(label=_("日期精度"), choices=DatePrecision.choices, initial=DatePrecision.DAY,
                                  required=False)
    reason = forms.CharField(label=_("更正原因"), widget=forms.Textarea(attrs={"rows": 2}))


class PlanForm(forms.ModelForm):
    class Meta:
        model = AnnualPlan
        fields = ["year", "planned_investment", "planned_start_month", "planned_completion_month", "milestones"]
        widgets = {"milestones": forms.Textarea(attrs={"rows": 2})}

    def validate_unique(self):
        pass

    def model_data(self) -> dict:
        return {f: self.cleaned_data[f] for f in self.Meta.fields if f != "year"}


class ProblemForm(forms.ModelForm):
    class Meta:
        model = Problem
        fields = ["category", "description", "raised_on", "solving_unit", "deadline"]
        widgets = {
            "raised_on": DateInput(),
            "deadline": DateInput(),
            "description": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["solving_unit"].queryset = restrict_regions(Unit.objects.select_related("region"), user, "region__")

    def model_data(self) -> dict:
        return {f: self.cleaned_data[f] for f in self.Meta.fields}


class ProblemUpdateForm(forms.ModelForm):
    class Meta:
        model = Problem
        fields = ["status", "resolution", "deadline"]
        widgets = {"resolution": forms.Textarea(attrs={"rows": 2}), "deadline": DateInput()}

    def model_data(self) -> dict:
        return {f: self.cleaned_data[f] for f in self.Meta.fields}
