from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import ReportingPeriod, ReportingSettings, SupervisionOrder, ValidationRule


@admin.register(ReportingSettings)
class ReportingSettingsAdmin(SimpleHistoryAdmin):
    list_display = ("region", "deadline_day")


@admin.register(ValidationRule)
class ValidationRuleAdmin(SimpleHistoryAdmin):
    list_display = ("region", "kind", "severity", "threshold", "active")
    list_filter = ("region", "kind", "severity")


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(SimpleHistoryAdmin):
    """A month is submitted, locked and reopened only through the monthly cycle's services."""

    list_display = ("region", "year", "month", "status", "revision", "deadline")
    list_filter = ("status", "region")
    readonly_fields = ("region", "year", "month", "status", "revision")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SupervisionOrder)
class SupervisionOrderAdmin(SimpleHistoryAdmin):
    list_display = ("id", "unit", "status", "level", "deadline", "overdue")
    list_filter = ("status", "level", "overdue")
