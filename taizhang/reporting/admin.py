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
    list_display = ("region", "year", "month", "status", "revision", "deadline")
    list_filter = ("status", "region")


@admin.register(SupervisionOrder)
class SupervisionOrderAdmin(SimpleHistoryAdmin):
    list_display = ("id", "unit", "status", "level", "deadline", "overdue")
    list_filter = ("status", "level", "overdue")
