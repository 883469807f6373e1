"""Forms of the registry and its service record; choices come from the user's scope."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from taizhang.core.scope import districts_of, restrict_regions
from taizhang.regions.choices import RegionLevel
from taizhang.regions.models import IndustryChain, Region, Unit

from .models import Demand, Enterprise, Measure, Recognition, ServiceLevel, Strategy, Visit

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class EnterpriseForm(forms.ModelForm):
    class Meta:
        model = Enterprise
        fields = ["name", "credit_code", "region", "park", "chain", "industry", "scale", "size", "established",
                  "address", "contact_person", "contact_phone"]
        widgets = {"established": DATE}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = districts_of(user)
        self.fields["park"].queryset = restrict_regions(Region.objects.filter(level=RegionLevel.PARK), user)
        self.fields["chain"].queryset = restrict_regions(IndustryChain.objects.all(), user, "region__")

    def _post_clean(self):  # the service validates (and names a twin); the form only parses
        pass

    def model_data(self) -> dict:
        return {f: self.cleaned_data[f] for f in self.Meta.fields}


class RecognitionForm(forms.ModelForm):
    class Meta:
        model = Recognition
        fields = ["kind", "level", "year", "effective", "expiry", "batch", "certificate_no", "body", "renewal",
                  "board", "stock_code", "source_doc"]
        widgets = {"effective": DATE, "expiry": DATE}

    def _post_clean(self):
        pass

    def model_data(self) -> dict:
        return {f: self.cleaned_data[f] for f in self.Meta.fields}


class VisitForm(forms.ModelForm):
    class Meta:
        model = Visit
        fields = ["date", "done", "purpose", "notes"]
        widgets = {"date": DATE, "notes": forms.Textarea(attrs={"rows": 3})}

    def _post_clean(self):
        pass


class DemandForm(forms.ModelForm):
    class Meta:
        model = Demand
        fields = ["category", "content", "unit", "service_level", "channel"]
        widgets = {"content": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, firm=None, **kwargs):
        super().__init__(*args, **kwargs)
        if firm is not None:
            self.fields["unit"].queryset = Unit.objects.filter(region__path__startswith=firm.region.path)
            self.fields["service_level"].queryset = firm.region.service_levels.all()
        self.fields["service_level"].required = False

    def _post_clean(self):
        pass


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("答复内容"), widget=forms.Textarea(attrs={"rows": 3}))


class ResolveForm(forms.Form):
    rating = forms.TypedChoiceField(label=_("企业评价"), coerce=int, required=False, empty_value=None,
                                    choices=[("", "—")] + [(i, "★" * i) for i in range(5, 0, -1)])
    note = forms.CharField(label=_("评价说明"), required=False, max_length=200)


class CommissionerForm(forms.Form):
    commissioner = forms.ModelChoiceField(label=_("服务专员"), queryset=get_user_model().objects.none(),
                                          required=False)

    def __init__(self, *args, firm=None, **kwargs):
        super().__init__(*args, **kwargs)
        if firm is not None:
            path = firm.region.path  # the district's own staff and its units' (the service checks each)
            self.fields["commissioner"].queryset = get_user_model().objects.filter(is_active=True).filter(
                Q(region__path__startswith=path) | Q(unit__region__path__startswith=path)).order_by("username")


class StrategyForm(forms.ModelForm):
    class Meta:
        model = Strategy
        fields = ["year", "goal"]
        widgets = {"goal": forms.Textarea(attrs={"rows": 2})}

    def _post_clean(self):  # the service validates
        pass


class MeasureForm(forms.ModelForm):
    class Meta:
        model = Measure
        fields = ["content", "unit", "deadline", "status", "progress", "demands"]
        widgets = {"deadline": DATE, "progress": forms.Textarea(attrs={"rows": 2}),
                   "demands": forms.CheckboxSelectMultiple}

    def __init__(self, *args, firm=None, **kwargs):
        super().__init__(*args, **kwargs)
        if firm is not None:  # the firm's district's units, the firm's own 诉求
            self.fields["unit"].queryset = Unit.objects.filter(region__path__startswith=firm.region.path)
            self.fields["demands"].queryset = firm.demands.all()
        self.fields["demands"].required = False

    def _post_clean(self):
        pass


class ServiceLevelForm(forms.ModelForm):
    class Meta:
        model = ServiceLevel
        fields = ["name", "acknowledge_hours", "answer_days", "resolve_days"]

    def _post_clean(self):
        pass
