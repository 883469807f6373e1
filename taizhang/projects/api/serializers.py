"""API representations. Writes are validated by the models and services, like the pages."""

from django.utils import timezone
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from taizhang.core.scope import Action, restrict_regions
from taizhang.regions.models import IndustryChain, Region, Unit

from ..choices import Stage
from ..models import AnnualPlan, DatePrecision, Problem, Project, StageChange


class ScopedRelatedField(serializers.PrimaryKeyRelatedField):
    """A related field that only accepts objects inside the requesting user's regions."""

    def __init__(self, *args, scope_field="", **kwargs):
        self.scope_field = scope_field
        super().__init__(*args, **kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        return restrict_regions(super().get_queryset(), getattr(request, "user", None), self.scope_field)


class ScopedProjectField(serializers.PrimaryKeyRelatedField):
    """A project named by id: one answer for "not there" and "not yours", so ids of other
    districts' projects cannot be told from ids that do not exist."""

    default_error_messages = {
        "does_not_exist": gettext_lazy("项目不存在或不在您的管理范围内"),
        "incorrect_type": gettext_lazy("项目编号应为整数"),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Project.objects.all())
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return Project.objects.restrict(user, Action.VIEW) if user is not None else Project.objects.none()


class StageEntrySerializer(serializers.Serializer):
    to_stage = serializers.ChoiceField(choices=Stage.choices)
    date = serializers.DateField(required=False, allow_null=True, default=None, help_text="不详时留空")
    precision = serializers.ChoiceField(choices=DatePrecision.choices, default=DatePrecision.DAY)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class ProjectSerializer(serializers.ModelSerializer):
    region = ScopedRelatedField(queryset=Region.objects.filter(level="district"))
    park = ScopedRelatedField(queryset=Region.objects.filter(level="park"), required=False, allow_null=True)
    chain = ScopedRelatedField(queryset=IndustryChain.objects.all(), scope_field="region__",
                               required=False, allow_null=True)
    responsible_unit = ScopedRelatedField(queryset=Unit.objects.all(), scope_field="region__",
                                          required=False, allow_null=True)
    is_over_100m = serializers.BooleanField(read_only=True)
    version = serializers.IntegerField(required=False, help_text="乐观锁:修改时传入读取到的版本号,版本不符返回 409")
    stages = StageEntrySerializer(many=True, write_only=True, required=False, max_length=50,
                                  help_text="新建时的阶段历史(按发生日期记录,如签约、开工),第一条为入库;"
                                            "不填则以线索入库、日期不详。修改时忽略,请用 move-stage")

    class Meta:
        model = Project
        fields = [
            "id", "code", "name", "region", "park", "chain", "builder", "credit_code", "origin", "nature",
            "level", "category", "total_investment", "foreign_investment", "contract_amount", "content",
            "planned_start", "planned_completion", "actual_start", "actual_completion", "responsible_unit",
            "responsible_person", "commissioner", "stage", "stage_date", "source", "source_doc",
            "is_over_100m", "version", "stages", "created", "updated",
        ]
        read_only_fields = ["actual_start", "actual_completion", "stage", "stage_date", "source",
                            "source_doc", "created", "updated"]
        extra_kwargs = {"code": {"validators": []}}


class StageMoveSerializer(serializers.Serializer):
    to_stage = serializers.ChoiceField(choices=Stage.choices)
    date = serializers.DateField(default=timezone.localdate, help_text="变更发生的日期,可为过去日期(按日期排入历史)")
    precision = serializers.ChoiceField(choices=DatePrecision.choices, default=DatePrecision.DAY)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class StageChangeSerializer(serializers.ModelSerializer):
    from_stage = serializers.ChoiceField(choices=Stage.choices, allow_blank=True, read_only=True,
                                         help_text="此前的阶段;项目的第一条阶段记录为空字符串")

    class Meta:
        model = StageChange
        fields = ["id", "project", "from_stage", "to_stage", "date", "precision", "reason", "user", "created"]
        read_only_fields = ["project", "from_stage", "reason", "user", "created"]


class AnnualPlanSerializer(serializers.ModelSerializer):
    project = ScopedProjectField()

    class Meta:
        model = AnnualPlan
        fields = ["id", "project", "year", "planned_investment", "planned_start_month",
                  "planned_completion_month", "milestones"]
        validators = []


class ProblemSerializer(serializers.ModelSerializer):
    project = ScopedProjectField()
    solving_unit = ScopedRelatedField(queryset=Unit.objects.all(), scope_field="region__",
                                      required=False, allow_null=True)

    class Meta:
        model = Problem
        fields = ["id", "project", "category", "description", "raised_on", "solving_unit", "deadline",
                  "status", "resolution", "resolved_on", "raised_by", "created", "updated"]
        read_only_fields = ["raised_by", "resolved_on", "created", "updated"]
