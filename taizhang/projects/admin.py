from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import AnnualPlan, MonthlyProgress, Problem, Project, StageChange


@admin.register(Project)
class ProjectAdmin(SimpleHistoryAdmin):
    list_display = ("name", "region", "stage", "level", "total_investment", "source")
    list_filter = ("stage", "level", "category", "source", "region")
    search_fields = ("name", "code", "builder")
    readonly_fields = ("stage", "stage_date", "actual_start", "actual_completion", "version")


@admin.register(StageChange)
class StageChangeAdmin(admin.ModelAdmin):
    list_display = ("project", "from_stage", "to_stage", "date", "user")
    list_filter = ("to_stage",)
    raw_id_fields = ("project",)


@admin.register(AnnualPlan)
class AnnualPlanAdmin(SimpleHistoryAdmin):
    list_display = ("project", "year", "planned_investment")
    raw_id_fields = ("project",)


@admin.register(MonthlyProgress)
class MonthlyProgressAdmin(SimpleHistoryAdmin):
    list_display = ("project", "year", "month", "investment")
    raw_id_fields = ("project",)


@admin.register(Problem)
class ProblemAdmin(SimpleHistoryAdmin):
    list_display = ("project", "category", "status", "deadline")
    list_filter = ("status", "category")
    raw_id_fields = ("project",)
