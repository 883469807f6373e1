"""The monthly report in the API: written only through the one writer of monthly figures."""

from rest_framework import serializers

from taizhang.projects.api.serializers import ScopedProjectField
from taizhang.projects.models import MonthlyProgress


class MonthlyProgressSerializer(serializers.ModelSerializer):
    project = ScopedProjectField()
    reason = serializers.CharField(write_only=True, required=False, allow_blank=True, default="",
                                   help_text="更正已填报月份时必填")

    class Meta:
        model = MonthlyProgress
        fields = ["id", "project", "year", "month", "investment", "progress", "funds_domestic",
                  "funds_foreign", "exchange_rate", "explanation", "status", "reported_by", "reason",
                  "created", "updated"]
        read_only_fields = ["status", "reported_by", "created", "updated"]
        validators = []
