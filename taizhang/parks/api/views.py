"""The parks API: read-only, limited to the user's districts by the same ``restrict`` the pages
use. Writes go through the pages (and their services) for now."""

from __future__ import annotations

from django.db.models import Prefetch
from rest_framework import viewsets

from ..models import Building, Evaluation, IndicatorScore, Result, Tenancy
from .serializers import (
    BuildingSerializer,
    EvaluationSerializer,
    ResultSerializer,
    TenancySerializer,
)


class BuildingViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = BuildingSerializer
    filterset_fields = ["region", "park", "kind"]

    def get_queryset(self):
        return Building.objects.restrict(self.request.user).order_by("pk")


class TenancyViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TenancySerializer
    filterset_fields = ["unit", "enterprise"]

    def get_queryset(self):
        return Tenancy.objects.restrict(self.request.user).select_related("unit", "enterprise").order_by("pk")


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
