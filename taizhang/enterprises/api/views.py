"""The registry's REST API: the same scope and the same services as the pages."""

from __future__ import annotations

from django.utils.translation import gettext
from rest_framework import exceptions, mixins, viewsets

from taizhang.core.scope import Action, may
from taizhang.projects.api.views import _service

from .. import services
from ..filtersets import DemandFilterSet, EnterpriseFilterSet
from ..models import AnnualFigure, Demand, Enterprise, Measure, Recognition, Strategy
from .serializers import (
    AnnualFigureSerializer,
    DemandSerializer,
    EnterpriseSerializer,
    MeasureSerializer,
    RecognitionSerializer,
    StrategySerializer,
)


class EnterpriseViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Firms in the user's scope; created and changed through the registry's services."""

    serializer_class = EnterpriseSerializer
    filterset_class = EnterpriseFilterSet

    def get_queryset(self):
        return Enterprise.objects.restrict(self.request.user).select_related("region").order_by("id")

    def get_object(self):
        obj = super().get_object()
        if self.request.method in ("PUT", "PATCH") and not may(self.request.user, Action.CHANGE, obj):
            raise exceptions.PermissionDenied(gettext("您没有权限对该企业执行此操作"))
        return obj

    def perform_create(self, serializer):
        serializer.instance = _service(services.create_enterprise, self.request.user, dict(serializer.validated_data))

    def perform_update(self, serializer):
        serializer.instance = _service(services.update_enterprise, self.request.user, serializer.instance,
                                       dict(serializer.validated_data))


class RecognitionViewSet(viewsets.ReadOnlyModelViewSet):
    """Tier recognitions of the firms in the user's scope (their history included)."""

    serializer_class = RecognitionSerializer
    filterset_fields = ["enterprise", "kind", "level", "year"]

    def get_queryset(self):
        return Recognition.objects.filter(enterprise__in=Enterprise.objects.restrict(self.request.user)).order_by("id")


class DemandViewSet(viewsets.ReadOnlyModelViewSet):
    """诉求 the user may see: their district's, or those addressed to their unit."""

    serializer_class = DemandSerializer
    filterset_class = DemandFilterSet

    def get_queryset(self):
        return Demand.objects.restrict(self.request.user).order_by("id")


class AnnualFigureViewSet(viewsets.ReadOnlyModelViewSet):
    """Annual figures of the firms in the user's scope, with the department and file that reported
    them (written by the page's import, through the registry's one writer)."""

    serializer_class = AnnualFigureSerializer
    filterset_fields = ["enterprise", "year", "metric"]

    def get_queryset(self):
        return AnnualFigure.objects.filter(enterprise__in=Enterprise.objects.restrict(self.request.user)).order_by("id")


class StrategyViewSet(viewsets.ReadOnlyModelViewSet):
    """一企一策 the user may see (a 责任单位: those holding a measure it is responsible for)."""

    serializer_class = StrategySerializer
    filterset_fields = ["enterprise", "year"]

    def get_queryset(self):
        return Strategy.objects.restrict(self.request.user).order_by("id")


class MeasureViewSet(viewsets.ReadOnlyModelViewSet):
    """Measures of 一企一策 the user may see (a 责任单位: its own)."""

    serializer_class = MeasureSerializer
    filterset_fields = ["strategy", "unit", "status"]

    def get_queryset(self):
        return Measure.objects.restrict(self.request.user).prefetch_related("demands").order_by("id")
