"""API representations of the registry. Writes go through the services, like the pages."""

from rest_framework import serializers

from taizhang.projects.api.serializers import ScopedRelatedField
from taizhang.regions.models import IndustryChain, Region

from ..models import AnnualFigure, Demand, Enterprise, Measure, Recognition, Strategy


class RecognitionSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Recognition
        fields = ["id", "enterprise", "kind", "kind_display", "level", "year", "effective", "expiry", "batch",
                  "certificate_no", "body", "renewal", "ended", "end_reason", "board", "stock_code", "source",
                  "source_doc"]
        read_only_fields = ["enterprise", "ended", "end_reason", "source"]


class EnterpriseSerializer(serializers.ModelSerializer):
    region = ScopedRelatedField(queryset=Region.objects.all())
    park = ScopedRelatedField(queryset=Region.objects.all(), required=False, allow_null=True)
    chain = ScopedRelatedField(queryset=IndustryChain.objects.all(), scope_field="region__", required=False,
                               allow_null=True)

    class Meta:
        model = Enterprise
        fields = ["id", "credit_code", "name", "region", "park", "chain", "industry", "scale", "size",
                  "established", "address", "contact_person", "contact_phone", "commissioner", "source",
                  "source_doc", "created", "updated"]
        read_only_fields = ["commissioner", "source", "source_doc", "created", "updated"]
        validators = []  # the service checks uniqueness and names the twin


class DemandSerializer(serializers.ModelSerializer):
    class Meta:
        model = Demand
        fields = ["id", "enterprise", "region", "category", "content", "channel", "unit", "service_level",
                  "received_at", "acknowledge_due", "answer_due", "resolve_due", "status", "acknowledged_at",
                  "answered_at", "answer", "resolved_at", "rating", "order"]
        read_only_fields = fields


class AnnualFigureSerializer(serializers.ModelSerializer):
    metric_display = serializers.CharField(source="get_metric_display", read_only=True)

    class Meta:
        model = AnnualFigure
        fields = ["id", "enterprise", "year", "metric", "metric_display", "value", "department", "source_doc",
                  "updated"]
        read_only_fields = fields


class MeasureSerializer(serializers.ModelSerializer):
    class Meta:
        model = Measure
        fields = ["id", "strategy", "content", "unit", "deadline", "status", "progress", "done_on", "demands"]
        read_only_fields = fields


class StrategySerializer(serializers.ModelSerializer):
    class Meta:
        model = Strategy
        fields = ["id", "enterprise", "year", "goal"]
        read_only_fields = fields
