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
    """Read only: a monthly figure is written by the one writer (reporting.progress), with its
    rules, its reason and, after locking, a numbered revision; the admin may only look."""

    list_display = ("project", "year", "month", "investment", "status")
    raw_id_fields = ("project",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Problem)
class ProblemAdmin(SimpleHistoryAdmin):
    list_display = ("project", "category", "status", "deadline")
    list_filter = ("status", "category")
    raw_id_fields = ("project",)
