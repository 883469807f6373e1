"""Read-only catalogues, limited to the user's region subtree (and its ancestors' names)."""

from rest_framework import viewsets

from taizhang.core.scope import region_scope_q

from ..models import IndustryChain, Region, Unit
from .serializers import IndustryChainSerializer, RegionSerializer, UnitSerializer


def _scoped(queryset, user, field):
    q = region_scope_q(user, field)
    return queryset if q is None else queryset.filter(q)


class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = RegionSerializer
    filterset_fields = ["level", "parent", "code"]

    def get_queryset(self):
        return _scoped(Region.objects.all(), self.request.user, "")


class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = UnitSerializer
    filterset_fields = ["region", "kind"]

    def get_queryset(self):
        return _scoped(Unit.objects.select_related("region"), self.request.user, "region__")


class IndustryChainViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = IndustryChainSerializer
    filterset_fields = ["region"]

    def get_queryset(self):
        return _scoped(IndustryChain.objects.all(), self.request.user, "region__")
