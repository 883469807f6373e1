"""Monthly reports through the API: the same scoping as the ledger's API and the one writer
of monthly figures (``reporting.progress``) as the page and the import."""

from __future__ import annotations

from django.utils.translation import gettext
from rest_framework import exceptions

from taizhang.core.scope import Action
from taizhang.projects.api.views import _ChildViewSet, _project_for, _service
from taizhang.projects.models import MonthlyProgress

from .. import progress
from .serializers import MonthlyProgressSerializer


class MonthlyProgressViewSet(_ChildViewSet):
    """Monthly progress. Posting a month already reported corrects it (give a ``reason``)."""

    model = MonthlyProgress
    serializer_class = MonthlyProgressSerializer
    filterset_fields = ["project", "year", "month"]

    def perform_create(self, serializer):
        d = dict(serializer.validated_data)
        project = _project_for(self.request, d.pop("project"), Action.REPORT)
        reason = d.pop("reason", "")
        explanation = d.pop("explanation", "")
        serializer.instance = _service(progress.save_progress, self.request.user, project,
                                       d.pop("year"), d.pop("month"), d, reason, explanation=explanation)

    def perform_update(self, serializer):
        d = dict(serializer.validated_data)
        d.pop("project", None)
        instance = serializer.instance
        project = _project_for(self.request, instance.project, Action.REPORT)
        reason = d.pop("reason", "")
        explanation = d.pop("explanation", "")
        year, month = d.pop("year", instance.year), d.pop("month", instance.month)
        if (year, month) != (instance.year, instance.month):
            raise exceptions.ValidationError({"month": [gettext("不能修改报告所属的年月;请为正确的月份另行填报")]})
        serializer.instance = _service(progress.save_progress, self.request.user, project, year, month, d, reason,
                                       explanation=explanation)
