"""The parks API's shapes: buildings with their 入驻率 today, tenancies, evaluations and each
firm's result with its breakdown."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from taizhang.enterprises.models import Enterprise
from taizhang.projects.api.serializers import ScopedRelatedField
from taizhang.regions.models import Region

from .. import occupancy
from ..models import Building, Evaluation, IndicatorScore, Result, SpaceUnit, Tenancy


class RestrictedField(serializers.PrimaryKeyRelatedField):
    """A record named by id among those the user may see: one answer for "not there" and
    "not yours", so other districts' ids cannot be told from ids that do not exist."""

    default_error_messages = {
        "does_not_exist": gettext_lazy("记录不存在或不在您的管理范围内"),
        "incorrect_type": gettext_lazy("编号应为整数"),
    }

    def __init__(self, model, **kwargs):
        self.model = model
        kwargs.setdefault("queryset", model.objects.all())
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return self.model.objects.restrict(user) if user is not None else self.model.objects.none()


class BuildingSerializer(serializers.ModelSerializer):
    """A building; written through the parks services (create_building, update_building)."""

    region = ScopedRelatedField(queryset=Region.objects.all())
    park = ScopedRelatedField(queryset=Region.objects.all(), required=False, allow_null=True)
    occupancy_by_area = serializers.SerializerMethodField(help_text="入驻率(按面积,%),今日")
    occupancy_by_units = serializers.SerializerMethodField(help_text="入驻率(按单元,%),今日")

    class Meta:
        model = Building
        fields = ["id", "region", "park", "name", "kind", "theme", "address", "gross_area_m2", "floors",
                  "floor_load_kn", "ceiling_m", "freight_lifts", "freight_lift_kg", "opened", "source",
                  "occupancy_by_area", "occupancy_by_units"]
        read_only_fields = ["source"]
        validators = []  # the service checks the name is unique in the district and says so

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


class SpaceUnitSerializer(serializers.ModelSerializer):
    """A unit of a building; written through add_unit and update_unit (a unit stays in its building)."""

    building = RestrictedField(Building)

    class Meta:
        model = SpaceUnit
        fields = ["id", "building", "floor", "code", "area_m2", "floor_load_kn", "ceiling_m", "asking_rent"]
        validators = []  # the service names a duplicate 房号


class TenancySerializer(serializers.ModelSerializer):
    """A tenancy; made through lease (overlaps refused), ended through end_tenancy."""

    unit = RestrictedField(SpaceUnit)
    enterprise = RestrictedField(Enterprise)
    building = serializers.IntegerField(source="unit.building_id", read_only=True)
    credit_code = serializers.CharField(source="enterprise.credit_code", read_only=True)
    area_m2 = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True,
                                       help_text="租赁面积(平方米);留空为整个单元")

    class Meta:
        model = Tenancy
        fields = ["id", "unit", "building", "enterprise", "credit_code", "area_m2", "start", "end", "rent"]


class EndTenancySerializer(serializers.Serializer):
    end = serializers.DateField(help_text="退租日期(租期最后一天)")


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
