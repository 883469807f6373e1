"""Read-only catalogues, limited to the user's region subtree (and its ancestors' names)."""

from rest_framework import viewsets

from taizhang.core.scope import restrict_regions

from ..models import IndustryChain, Region, Unit
from .serializers import IndustryChainSerializer, RegionSerializer, UnitSerializer


class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = RegionSerializer
    filterset_fields = ["level", "parent", "code"]

    def get_queryset(self):
        return restrict_regions(Region.objects.all(), self.request.user, "")


class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = UnitSerializer
    filterset_fields = ["region", "kind"]

    def get_queryset(self):
        return restrict_regions(Unit.objects.select_related("region"), self.request.user, "region__")


class IndustryChainViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = IndustryChainSerializer
    filterset_fields = ["region"]

    def get_queryset(self):
        return restrict_regions(IndustryChain.objects.all(), self.request.user, "region__")
