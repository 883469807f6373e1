"""The parks API's shapes: buildings with their 入驻率 today, tenancies, evaluations and each
firm's result with its breakdown."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .. import occupancy
from ..models import Building, Evaluation, IndicatorScore, Result, Tenancy


class BuildingSerializer(serializers.ModelSerializer):
    occupancy_by_area = serializers.SerializerMethodField(help_text="入驻率(按面积,%),今日")
    occupancy_by_units = serializers.SerializerMethodField(help_text="入驻率(按单元,%),今日")

    class Meta:
        model = Building
        fields = ["id", "region", "park", "name", "kind", "theme", "address", "gross_area_m2", "floors",
                  "floor_load_kn", "ceiling_m", "freight_lifts", "freight_lift_kg", "opened", "source",
                  "occupancy_by_area", "occupancy_by_units"]

    def _now(self, obj):
        cache = self.context.setdefault("_occupancy", {})
        if obj.pk not in cache:
            cache[obj.pk] = occupancy.occupancy([obj], timezone.localdate())[0]
        return cache[obj.pk]

    @extend_schema_field(serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True))
    def get_occupancy_by_area(self, obj):
        return self._now(obj).by_area

    @extend_schema_field(serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True))
    def get_occupancy_by_units(self, obj):
        return self._now(obj).by_units


class TenancySerializer(serializers.ModelSerializer):
    building = serializers.IntegerField(source="unit.building_id", read_only=True)
    credit_code = serializers.CharField(source="enterprise.credit_code", read_only=True)

    class Meta:
        model = Tenancy
        fields = ["id", "unit", "building", "enterprise", "credit_code", "area_m2", "start", "end", "rent"]


class EvaluationSerializer(serializers.ModelSerializer):
    # declared: a model's PositiveIntegerField has a different range on each database, and the
    # schema snapshot must not depend on which one generated it
    runs = serializers.IntegerField(read_only=True, min_value=0, help_text="计算次数")

    class Meta:
        model = Evaluation
        fields = ["id", "region", "year", "scheme", "status", "computed_at", "runs"]


class IndicatorScoreSerializer(serializers.ModelSerializer):
    key = serializers.CharField(source="indicator.key", read_only=True)
    weight = serializers.DecimalField(source="indicator.weight", max_digits=6, decimal_places=2, read_only=True)

    class Meta:
        model = IndicatorScore
        fields = ["key", "weight", "value", "benchmark", "score", "by_rule"]


class ResultSerializer(serializers.ModelSerializer):
    credit_code = serializers.CharField(source="enterprise.credit_code", read_only=True)
    scores = IndicatorScoreSerializer(many=True, read_only=True)
    rank = serializers.IntegerField(read_only=True, allow_null=True, min_value=1, help_text="组内排名")

    class Meta:
        model = Result
        fields = ["id", "evaluation", "enterprise", "credit_code", "pool", "land_mu", "score", "klass", "rank",
                  "reason", "scores"]
