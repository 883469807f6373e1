"""One FilterSet for the registry: the list page, its export and the API filter alike."""

from __future__ import annotations

import datetime as dt

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from taizhang.core.scope import districts_of, restrict_regions
from taizhang.core.text import name_key
from taizhang.regions.choices import RegionLevel
from taizhang.regions.models import IndustryChain, Region

from .choices import Scale, Source, TierKind
from .models import Demand, Enterprise, Recognition


def _regions(request):
    return districts_of(getattr(request, "user", None))


def _parks(request):
    return restrict_regions(Region.objects.filter(level=RegionLevel.PARK), getattr(request, "user", None))


def _chains(request):
    return restrict_regions(IndustryChain.objects.select_related("region"), getattr(request, "user", None), "region__")


def holding(day: dt.date, kind: str | None = None) -> Q:
    """Recognitions that hold on ``day`` (as :meth:`Recognition.holds_on` decides), as a filter."""
    started = Q(effective__lte=day) | Q(effective__isnull=True, year__lt=day.year)
    if (day.month, day.day) == (12, 31):
        started |= Q(effective__isnull=True, year=day.year)
    q = started & (Q(expiry__isnull=True) | Q(expiry__gte=day)) & (Q(ended__isnull=True) | Q(ended__gt=day))
    return q & Q(kind=kind) if kind else q


class EnterpriseFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="search")
    region = django_filters.ModelChoiceFilter(label=_("所属区"), queryset=_regions, empty_label=_("全部"))
    tier = django_filters.ChoiceFilter(label=_("当前梯度"), choices=TierKind.choices, method="by_tier",
                                       empty_label=_("全部"))
    chain = django_filters.ModelChoiceFilter(label=_("产业链"), queryset=_chains, empty_label=_("全部"))
    park = django_filters.ModelChoiceFilter(label=_("园区"), queryset=_parks, empty_label=_("全部"))
    scale = django_filters.ChoiceFilter(label=_("规模以上"), choices=Scale.choices[:2], empty_label=_("全部"))
    expiring = django_filters.BooleanFilter(
        label=_("半年内有认定到期"), method="by_expiry",
        widget=django_filters.widgets.BooleanWidget(
            attrs={"class": "yes-no"}))
    source = django_filters.ChoiceFilter(label=_("数据来源"), choices=Source.choices, empty_label=_("全部"))

    class Meta:
        model = Enterprise
        fields = ["q", "region", "tier", "chain", "park", "scale", "expiring", "source"]

    def search(self, queryset, name, value):
        text = (value or "").strip()
        if not text:
            return queryset
        key = name_key(text)
        return queryset.filter(Q(name_key__contains=key) | Q(credit_code=text.upper())
                               | Q(former_names__name_key__contains=key)).distinct()

    def by_tier(self, queryset, name, value):
        today = timezone.localdate()
        return queryset.filter(pk__in=Recognition.objects.filter(holding(today, value)).values("enterprise_id"))

    def by_expiry(self, queryset, name, value):
        from .tiers import _add_months

        today = timezone.localdate()
        soon = Recognition.objects.filter(expiry__range=(today, _add_months(today, 6)), ended__isnull=True)
        ids = soon.values("enterprise_id")
        return queryset.filter(pk__in=ids) if value else queryset.exclude(pk__in=ids)


class DemandFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("状态"), choices=Demand._meta.get_field("status").choices,
                                         empty_label=_("全部"))
    category = django_filters.ChoiceFilter(label=_("类别"), choices=Demand._meta.get_field("category").choices,
                                           empty_label=_("全部"))

    class Meta:
        model = Demand
        fields = ["status", "category"]
