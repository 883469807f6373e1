"""The parks API, limited to the user's districts by the same ``restrict`` the pages use.
Buildings, units and tenancies are written through the same services as the pages; the
evaluation is read here and run on its pages."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from taizhang.core.scope import Action, may
from taizhang.projects.api.views import _service

from .. import services
from ..models import Building, Evaluation, IndicatorScore, Result, SpaceUnit, Tenancy
from .serializers import (
    BuildingSerializer,
    EndTenancySerializer,
    EvaluationSerializer,
    ResultSerializer,
    SpaceUnitSerializer,
    TenancySerializer,
)


class _Writable(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Read in the user's scope; changed only where :func:`may` allows it (403 otherwise)."""

    def get_object(self):
        obj = super().get_object()
        if self.request.method not in ("GET", "HEAD", "OPTIONS") and not may(self.request.user, Action.CHANGE, obj):
            raise exceptions.PermissionDenied(gettext("您没有权限修改该楼宇"))
        return obj


class BuildingViewSet(_Writable):
    serializer_class = BuildingSerializer
    filterset_fields = ["region", "park", "kind"]

    def get_queryset(self):
        return Building.objects.restrict(self.request.user).order_by("pk")

    def perform_create(self, serializer):
        serializer.instance = _service(services.create_building, self.request.user, dict(serializer.validated_data))

    def perform_update(self, serializer):
        serializer.instance = _service(services.update_building, self.request.user, serializer.instance,
                                       dict(serializer.validated_data))


class SpaceUnitViewSet(_Writable):
    serializer_class = SpaceUnitSerializer
    filterset_fields = ["building", "floor"]

    def get_queryset(self):
        return SpaceUnit.objects.restrict(self.request.user).select_related("building").order_by("pk")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        building = data.pop("building")
        serializer.instance = _service(services.add_unit, self.request.user, building, data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        building = data.pop("building", serializer.instance.building)
        if building.pk != serializer.instance.building_id:
            raise exceptions.ValidationError({"building": [gettext("单元不能移到其他楼宇")]})
        serializer.instance = _service(services.update_unit, self.request.user, serializer.instance, data)


class TenancyViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Tenancies; a new one through ``lease`` (an overlap is refused with the tenant named),
    a move-out through ``end``."""

    serializer_class = TenancySerializer
    filterset_fields = ["unit", "enterprise"]

    def get_queryset(self):
        return Tenancy.objects.restrict(self.request.user).select_related("unit", "enterprise").order_by("pk")

    def perform_create(self, serializer):
        d = serializer.validated_data
        serializer.instance = _service(services.lease, self.request.user, d["unit"], d["enterprise"], d["start"],
                                       d.get("end"), area_m2=d.get("area_m2"), rent=d.get("rent"))

    @extend_schema(request=EndTenancySerializer, responses=TenancySerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        tenancy = self.get_object()
        if not may(request.user, Action.CHANGE, tenancy):
            raise exceptions.PermissionDenied(gettext("您没有权限修改该楼宇"))
        body = EndTenancySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        tenancy = _service(services.end_tenancy, request.user, tenancy, body.validated_data["end"])
        return Response(TenancySerializer(tenancy, context=self.get_serializer_context()).data)


class EvaluationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = EvaluationSerializer
    filterset_fields = ["region", "year", "status"]

    def get_queryset(self):
        return Evaluation.objects.restrict(self.request.user).order_by("pk")


class ResultViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ResultSerializer
    filterset_fields = ["evaluation", "pool", "klass"]

    def get_queryset(self):
        scores = IndicatorScore.objects.select_related("indicator").order_by("indicator__order")
        return (Result.objects.restrict(self.request.user).select_related("enterprise")
                .prefetch_related(Prefetch("scores", queryset=scores)).order_by("pk"))
