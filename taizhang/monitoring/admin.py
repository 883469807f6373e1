from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import MonitoringRules


@admin.register(MonitoringRules)
class MonitoringRulesAdmin(SimpleHistoryAdmin):
    list_display = ("region", "lag_mode", "lag_yellow", "lag_red", "start_red_months")
