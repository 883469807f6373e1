from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import IndustryChain, Region, Unit


@admin.register(Region)
class RegionAdmin(SimpleHistoryAdmin):
    list_display = ("name", "code", "level", "parent")
    list_filter = ("level",)
    search_fields = ("name", "code")
    autocomplete_fields = ("parent",)


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
    list_display = ("name", "region", "kind", "contact_person", "contact_phone")
    list_filter = ("kind", "region")
    search_fields = ("name",)


@admin.register(IndustryChain)
class IndustryChainAdmin(SimpleHistoryAdmin):
    list_display = ("name", "region")
    list_filter = ("region",)
    search_fields = ("name",)
