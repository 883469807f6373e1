"""API viewsets: scoped by the same ``restrict`` as the pages, writing through the same services."""

from __future__ import annotations

from rest_framework import mixins, viewsets

from taizhang.core.scope import Action
from taizhang.projects.api.views import _service

from .. import services
from ..models import Indicator, IndicatorValue, KeyTask
from .serializers import IndicatorSerializer, IndicatorValueSerializer, KeyTaskSerializer


class IndicatorViewSet(viewsets.ReadOnlyModelViewSet):
    """The catalogue (shared by every region)."""

    queryset = Indicator.objects.all()
    serializer_class = IndicatorSerializer
    filterset_fields = ["code", "kind"]


class IndicatorValueViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Values the user may see (their region subtree, and public figures from reports). Posting
    enters a value through the one writer: the same checks as the page."""

    serializer_class = IndicatorValueSerializer
    filterset_fields = ["indicator", "region", "year", "period_kind", "period_no", "source"]

    def get_queryset(self):
        return IndicatorValue.objects.restrict(self.request.user).select_related("fact")

    def perform_create(self, serializer):
        d = serializer.validated_data
        serializer.instance = _service(services.save_value, self.request.user, d["indicator"], d["region"], d["year"],
                                       d["period_kind"], d.get("period_no", 0), d["value"],
                                       note=d.get("note", ""), confirm=d.get("confirm", False))


class KeyTaskViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = KeyTaskSerializer
    filterset_fields = ["region", "year", "responsible_unit"]

    def get_queryset(self):
        return KeyTask.objects.restrict(self.request.user, Action.VIEW).prefetch_related(
            "cooperating_units", "indicators", "projects")
