"""One FilterSet per model: list pages, exports and the API filter the same way."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from taizhang.core.scope import districts_of, restrict_regions
from taizhang.regions.choices import RegionLevel
from taizhang.regions.models import IndustryChain, Region

from .choices import Category, DataSource, Level, Stage
from .models import OVER_100M_WAN, Problem, Project


def _regions(request):
    return districts_of(getattr(request, "user", None))


def _parks(request):
    return restrict_regions(Region.objects.filter(level=RegionLevel.PARK), getattr(request, "user", None))


def _chains(request):
    return restrict_regions(IndustryChain.objects.select_related("region"), getattr(request, "user", None), "region__")


TAGS = forms.CheckboxSelectMultiple(attrs={"class": "tags"})
_YES_NO = forms.Select(choices=[("", _("全部")), ("true", _("是")), ("false", _("否"))])


class ProjectFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="search")
    region = django_filters.ModelChoiceFilter(label=_("所属区"), queryset=_regions, empty_label=_("全部"))
    # several values at once: tags to tick, not a multi-select that needs Ctrl-click
    stage = django_filters.MultipleChoiceFilter(label=_("阶段"), choices=Stage.choices, distinct=False, widget=TAGS)
    level = django_filters.MultipleChoiceFilter(label=_("级别"), choices=Level.choices, distinct=False, widget=TAGS)
    category = django_filters.ChoiceFilter(label=_("类别"), choices=Category.choices, empty_label=_("全部"))
    park = django_filters.ModelChoiceFilter(label=_("园区"), queryset=_parks, empty_label=_("全部"))
    chain = django_filters.ModelChoiceFilter(label=_("产业链"), queryset=_chains, empty_label=_("全部"))
    over_100m = django_filters.BooleanFilter(label=_("过亿元"), method="filter_over_100m", widget=_YES_NO)
    overdue_problems = django_filters.BooleanFilter(label=_("有逾期问题"), method="filter_overdue", widget=_YES_NO)
    source = django_filters.ChoiceFilter(label=_("数据来源"), field_name="source", choices=DataSource.choices,
                                         empty_label=_("全部"))

    class Meta:
        model = Project
        fields = ["q", "region", "park", "stage", "level", "category", "chain", "over_100m", "overdue_problems"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value) | Q(builder__icontains=value) | Q(code__icontains=value)
            | Q(responsible_person__icontains=value)
        )

    def filter_over_100m(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(total_investment__gte=OVER_100M_WAN) if value else queryset.filter(
            total_investment__lt=OVER_100M_WAN
        )

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = Problem.objects.overdue().values("project_id")
        return queryset.filter(pk__in=overdue) if value else queryset.exclude(pk__in=overdue)
