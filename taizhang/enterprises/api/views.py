"""The registry's REST API: the same scope and the same services as the pages."""

from __future__ import annotations

from django.utils.translation import gettext
from rest_framework import exceptions, mixins, viewsets

from taizhang.core.scope import Action, may
from taizhang.projects.api.views import _service

from .. import services
from ..filtersets import DemandFilterSet, EnterpriseFilterSet
from ..models import Demand, Enterprise, Recognition
from .serializers import DemandSerializer, EnterpriseSerializer, RecognitionSerializer


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
