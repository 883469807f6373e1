"""One FilterSet for the registry: the list page, its export and the API filter alike."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from taizhang.core.scope import districts_of, restrict_regions
from taizhang.core.text import name_key
from taizhang.regions.choices import RegionLevel
from taizhang.regions.models import IndustryChain, Region

from .choices import Scale, Source, TierKind
from .models import Demand, Enterprise, FormerName, Recognition
from .tiers import holders


def _regions(request):
    return districts_of(getattr(request, "user", None))


def _parks(request):
    return restrict_regions(Region.objects.filter(level=RegionLevel.PARK), getattr(request, "user", None))


def _chains(request):
    return restrict_regions(IndustryChain.objects.select_related("region"), getattr(request, "user", None), "region__")


class YesNo(django_filters.widgets.BooleanWidget):
    """django-filter's yes/no menu, its words translated when a page shows it (django-filter
    translates them once, in the language of the moment the filter set is defined)."""

    WORDS = (("", "Unknown"), ("true", "Yes"), ("false", "No"))  # django-filter's own messages

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [(value, gettext_lazy(word)) for value, word in self.WORDS]


class EnterpriseFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="search")
    region = django_filters.ModelChoiceFilter(label=_("所属区"), queryset=_regions, empty_label=_("全部"))
    tier = django_filters.ChoiceFilter(label=_("当前梯度"), choices=TierKind.choices, method="by_tier",
                                       empty_label=_("全部"))
    chain = django_filters.ModelChoiceFilter(label=_("产业链"), queryset=_chains, empty_label=_("全部"))
    park = django_filters.ModelChoiceFilter(label=_("园区"), queryset=_parks, empty_label=_("全部"))
    scale = django_filters.ChoiceFilter(label=_("规模以上"), choices=Scale.choices[:2], empty_label=_("全部"))
    expiring = django_filters.BooleanFilter(label=_("半年内有认定到期"), method="by_expiry",
                                            widget=YesNo(attrs={"class": "yes-no"}))
    source = django_filters.ChoiceFilter(label=_("数据来源"), choices=Source.choices, empty_label=_("全部"))

    class Meta:
        model = Enterprise
        fields = ["q", "region", "tier", "chain", "park", "scale", "expiring", "source"]

    def search(self, queryset, name, value):
        text = (value or "").strip()
        if not text:
            return queryset
        key = name_key(text)
        # former names by a subquery, not a join: a join needs DISTINCT over every firm it finds
        former = FormerName.objects.filter(name_key__contains=key).values("enterprise_id")
        return queryset.filter(Q(name_key__contains=key) | Q(credit_code=text.upper()) | Q(pk__in=former))

    def by_tier(self, queryset, name, value):
        # the holders of the tier, read once from the index on (kind, expiry, …), then each firm looked
        # up in them: asking each firm in turn (EXISTS) cost the city 50,000 lookups
        return queryset.filter(holders(timezone.localdate(), value))

    def by_expiry(self, queryset, name, value):
        from .tiers import _add_months

        today = timezone.localdate()
        soon = Exists(Recognition.objects.filter(expiry__range=(today, _add_months(today, 6)), ended__isnull=True,
                                                 enterprise=OuterRef("pk")))
        return queryset.filter(soon) if value else queryset.exclude(soon)


class DemandFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("状态"), choices=Demand._meta.get_field("status").choices,
                                         empty_label=_("全部"))
    category = django_filters.ChoiceFilter(label=_("类别"), choices=Demand._meta.get_field("category").choices,
                                           empty_label=_("全部"))

    class Meta:
        model = Demand
        fields = ["status", "category"]
