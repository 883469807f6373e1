"""The monthly report form: what a unit types on the project page, checked by the one writer."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from taizhang.projects.models import MonthlyProgress


class ProgressForm(forms.ModelForm):
    reason = forms.CharField(label=_("更正原因"), required=False, max_length=500,
                             help_text=_("修改已填报的月份时必填"))

    class Meta:
        model = MonthlyProgress
        fields = ["year", "month", "investment", "progress", "funds_domestic", "funds_foreign", "exchange_rate",
                  "explanation"]
        widgets = {"progress": forms.Textarea(attrs={"rows": 3}), "explanation": forms.Textarea(attrs={"rows": 2})}

    def validate_unique(self):
        # A second report for the same month is a correction; the service handles it.
        pass

    def model_data(self) -> dict:
        return {f: self.cleaned_data[f] for f in self.Meta.fields if f not in ("year", "month", "explanation")}
