"""Forms of the indicator pages: they only shape input; the services validate and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _l

from taizhang.projects.forms import DateInput

from .models import Indicator


class ValueForm(forms.Form):
    indicator = forms.ModelChoiceField(label=_l("指标"), queryset=Indicator.objects.none())
    value = forms.CharField(label=_l("数值"), max_length=40)
    confirm = forms.BooleanField(label=_l("确认无误"), required=False)
    note = forms.CharField(label=_l("说明"), required=False, max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # derived and ledger indicators are computed, never typed
        self.fields["indicator"].queryset = Indicator.objects.filter(ledger_metric="", numerator__isnull=True)


class TargetForm(forms.Form):
    indicator = forms.ModelChoiceField(label=_l("指标"), queryset=Indicator.objects.all())
    target = forms.CharField(label=_l("年度目标"), max_length=40)


class UploadForm(forms.Form):
    file = forms.FileField(label=_l("报告文件(文本)"))
    public = forms.BooleanField(label=_l("公开发布的报告"), required=False, initial=True)


class TaskUpdateForm(forms.Form):
    progress = forms.CharField(label=_l("进展情况"), widget=forms.Textarea(attrs={"rows": 3}))
    percent = forms.IntegerField(label=_l("完成进度(%)"), min_value=0, max_value=100)
    evidence = forms.CharField(label=_l("佐证材料"), required=False, max_length=1000,
                               help_text=_l("文件名、文号或可核查的说明"))
    evidence_file = forms.FileField(label=_l("佐证文件"), required=False)


class EscalateForm(forms.Form):
    content = forms.CharField(label=_l("督办事项"), widget=forms.Textarea(attrs={"rows": 2}))
    deadline = forms.DateField(label=_l("办理时限"), widget=DateInput())
