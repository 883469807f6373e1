"""The admin (superusers only, see taizhang/urls.py): the catalogue is kept here; values, facts
and key tasks are written through the app's pages and services."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Indicator, IndicatorSystem


@admin.register(IndicatorSystem)
class IndicatorSystemAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "unit", "kind", "aggregation", "ledger_metric"]
    list_filter = ["kind", "aggregation", "systems"]
    search_fields = ["code", "name", "synonyms"]
    filter_horizontal = ["systems"]
    raw_id_fields = ["numerator", "denominator", "part_of"]
