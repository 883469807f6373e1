"""The ledger's REST API: the same scoping and the same services as the pages."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError
from django.http import Http404
from django.utils.translation import gettext, gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from taizhang.core.scope import Action

from .. import services
from ..filtersets import ProjectFilterSet
from ..models import AnnualPlan, Problem, Project, StageChange
from .serializers import (
    AnnualPlanSerializer,
    ProblemSerializer,
    ProjectSerializer,
    StageChangeSerializer,
    StageMoveSerializer,
)

_WRITE = {"POST": Action.CHANGE, "PUT": Action.CHANGE, "PATCH": Action.CHANGE, "DELETE": Action.DELETE}


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("该记录已被他人修改,请重新读取后再提交")
    default_code = "conflict"


def _service(call, *args, **kwargs):
    """Run a service, turning its Django errors into API errors."""
    try:
        return call(*args, **kwargs)
    except services.ConflictError as e:
        raise Conflict(" ".join(e.messages)) from e
    except DjangoValidationError as e:
        detail = e.message_dict if hasattr(e, "error_dict") else {"non_field_errors": e.messages}
        raise exceptions.ValidationError(detail) from e
    except DjangoPermissionDenied as e:
        raise exceptions.PermissionDenied(str(e) or None) from e
    except ProtectedError as e:
        raise exceptions.ValidationError({"non_field_errors": [gettext("该记录仍被引用,不能删除")]}) from e


def _project_for(request, project: Project, action: Action) -> Project:
    """The project named in a child record, if the user may take ``action`` on it."""
    visible = Project.objects.restrict(request.user, Action.VIEW).filter(pk=project.pk).exists()
    if not visible:
        raise exceptions.ValidationError({"project": [gettext("项目不存在或不在您的管理范围内")]})
    if not Project.objects.restrict(request.user, action).filter(pk=project.pk).exists():
        raise exceptions.PermissionDenied(gettext("您没有权限对该项目执行此操作"))
    return project


class ProjectViewSet(viewsets.ModelViewSet):
    """Projects in the user's scope. Stage moves go through ``move-stage``."""

    serializer_class = ProjectSerializer
    filterset_class = ProjectFilterSet

    def get_queryset(self):
        return Project.objects.restrict(self.request.user, Action.VIEW).select_related(
            "region", "park", "chain", "responsible_unit"
        ).order_by("id")

    def get_object(self):
        obj = super().get_object()
        action = _WRITE.get(self.request.method)
        if action and not Project.objects.restrict(self.request.user, action).filter(pk=obj.pk).exists():
            raise exceptions.PermissionDenied(gettext("您没有权限对该项目执行此操作"))
        return obj

    def perform_create(self, serializer):
        data = {k: v for k, v in serializer.validated_data.items() if k not in ("version", "stages")}
        stages = serializer.validated_data.get("stages") or None
        serializer.instance = _service(services.create_project, self.request.user, data,
                                       self.request.headers.get("X-Change-Reason", ""), stages)

    def perform_update(self, serializer):
        data = {k: v for k, v in serializer.validated_data.items() if k not in ("version", "stages")}
        serializer.instance = _service(
            services.update_project, self.request.user, serializer.instance, data,
            expected_version=serializer.validated_data.get("version"),
            reason=self.request.headers.get("X-Change-Reason", ""),
        )

    def perform_destroy(self, instance):
        _service(services.delete_project, self.request.user, instance,
                 self.request.headers.get("X-Change-Reason", "") or "通过接口删除")

    @extend_schema(request=StageMoveSerializer, responses=StageChangeSerializer)
    @action(detail=True, methods=["post"], url_path="move-stage")
    def move_stage(self, request, pk=None):
        project = self.get_object()
        move = StageMoveSerializer(data=request.data)
        move.is_valid(raise_exception=True)
        d = move.validated_data
        change = _service(services.move_stage, request.user, project, d["to_stage"], d["date"], d["reason"],
                          d["precision"])
        return Response(StageChangeSerializer(change).data, status=status.HTTP_201_CREATED)


class StageChangeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin,
                         mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """A project's stage history. Record a move with ``projects/{id}/move-stage``; correct
    (PATCH: to_stage, date, precision) or remove a wrong entry here, with the reason in the
    ``X-Change-Reason`` header. The old values stay in the entry's history."""

    serializer_class = StageChangeSerializer
    filterset_fields = ["project", "to_stage"]
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return StageChange.objects.restrict(self.request.user, Action.VIEW).order_by("id")

    def get_object(self):
        obj = super().get_object()
        if self.request.method in ("PATCH", "DELETE"):
            _project_for(self.request, obj.project, Action.CHANGE)
        return obj

    def perform_update(self, serializer):
        values = {k: v for k, v in serializer.validated_data.items() if k in ("to_stage", "date", "precision")}
        serializer.instance = _service(services.correct_stage_change, self.request.user, serializer.instance,
                                       self.request.headers.get("X-Change-Reason", ""), **values)

    def perform_destroy(self, instance):
        _service(services.remove_stage_change, self.request.user, instance,
                 self.request.headers.get("X-Change-Reason", ""))


class _ChildViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                    mixins.UpdateModelMixin, viewsets.GenericViewSet):
    model = None
    write_action = Action.CHANGE

    def get_queryset(self):
        return self.model.objects.restrict(self.request.user, Action.VIEW).order_by("id")

    def get_object(self):
        try:
            return super().get_object()
        except Http404:
            raise


class AnnualPlanViewSet(_ChildViewSet):
    model = AnnualPlan
    serializer_class = AnnualPlanSerializer
    filterset_fields = ["project", "year"]

    def perform_create(self, serializer):
        d = dict(serializer.validated_data)
        project = _project_for(self.request, d.pop("project"), Action.CHANGE)
        serializer.instance = _service(services.save_plan, self.request.user, project, d.pop("year"), d)

    def perform_update(self, serializer):
        d = dict(serializer.validated_data)
        d.pop("project", None)
        year = d.pop("year", serializer.instance.year)
        project = _project_for(self.request, serializer.instance.project, Action.CHANGE)
        serializer.instance = _service(services.save_plan, self.request.user, project, year, d)


class ProblemViewSet(_ChildViewSet):
    model = Problem
    serializer_class = ProblemSerializer
    filterset_fields = ["project", "status", "category", "solving_unit"]

    def perform_create(self, serializer):
        d = dict(serializer.validated_data)
        project = _project_for(self.request, d.pop("project"), Action.REPORT)
        d.pop("status", None)
        d.pop("resolution", None)
        serializer.instance = _service(services.raise_problem, self.request.user, project, d)

    def perform_update(self, serializer):
        d = dict(serializer.validated_data)
        d.pop("project", None)
        _project_for(self.request, serializer.instance.project, Action.REPORT)
        serializer.instance = _service(services.update_problem, self.request.user, serializer.instance, d,
                                       self.request.headers.get("X-Change-Reason", ""))
