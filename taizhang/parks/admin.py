"""The admin (superusers only, see taizhang/urls.py): parks, buildings and the 亩均 evaluation
are read here. Their writes have rules (overlapping tenancies, frozen scheme versions,
all-or-none imports, history with a reason) that live in the services the pages and the API
call, so the admin may look but not add, change or delete."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Building,
    DataBatch,
    Evaluation,
    Exemption,
    FirmMonthlyTax,
    Indicator,
    MujunFigure,
    Objection,
    ParkProfile,
    Publication,
    Result,
    Scheme,
    SchemePool,
    SpaceUnit,
    TaxImport,
    Tenancy,
)


class ReadOnlyAdmin(SimpleHistoryAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ParkProfile)
class ParkProfileAdmin(ReadOnlyAdmin):
    list_display = ["park", "chain", "managing_unit", "specialised", "planned_area_m2", "source"]
    list_filter = ["specialised", "source"]


@admin.register(Building)
class BuildingAdmin(ReadOnlyAdmin):
    list_display = ["name", "region", "park", "kind", "gross_area_m2", "floor_load_kn", "ceiling_m", "source"]
    list_filter = ["kind", "source", "region"]
    search_fields = ["name", "address", "theme"]


@admin.register(SpaceUnit)
class SpaceUnitAdmin(ReadOnlyAdmin):
    list_display = ["building", "floor", "code", "area_m2", "asking_rent"]
    search_fields = ["building__name", "code"]
    raw_id_fields = ["building"]


@admin.register(Tenancy)
class TenancyAdmin(ReadOnlyAdmin):
    list_display = ["unit", "enterprise", "area_m2", "start", "end", "rent", "source"]
    search_fields = ["enterprise__name", "enterprise__credit_code", "unit__building__name"]
    raw_id_fields = ["unit", "enterprise"]
    date_hierarchy = "start"


@admin.register(FirmMonthlyTax)
class FirmMonthlyTaxAdmin(ReadOnlyAdmin):
    list_display = ["enterprise", "year", "month", "amount", "source_doc"]
    list_filter = ["year", "month"]
    search_fields = ["enterprise__name", "enterprise__credit_code"]
    raw_id_fields = ["enterprise"]


@admin.register(TaxImport)
class TaxImportAdmin(admin.ModelAdmin):
    list_display = ["filename", "region", "year", "month", "user", "created", "applied"]
    exclude = ["rows"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DataBatch)
class DataBatchAdmin(ReadOnlyAdmin):
    list_display = ["region", "year", "department", "filename", "rows", "figures", "status", "submitted_by"]
    list_filter = ["status", "department", "year"]


@admin.register(MujunFigure)
class MujunFigureAdmin(ReadOnlyAdmin):
    list_display = ["enterprise", "year", "metric", "value", "batch"]
    list_filter = ["metric", "year"]
    search_fields = ["enterprise__name", "enterprise__credit_code"]
    raw_id_fields = ["enterprise", "batch"]


class SchemePoolInline(admin.TabularInline):
    model = SchemePool
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Scheme)
class SchemeAdmin(ReadOnlyAdmin):
    list_display = ["name", "version", "region", "classify_by", "frozen"]
    list_filter = ["classify_by", "frozen", "region"]
    inlines = [SchemePoolInline]


@admin.register(Indicator)
class IndicatorAdmin(ReadOnlyAdmin):
    list_display = ["pool", "key", "weight", "direction", "benchmark", "cap", "missing"]
    list_filter = ["key", "benchmark"]


@admin.register(Evaluation)
class EvaluationAdmin(ReadOnlyAdmin):
    list_display = ["region", "year", "scheme", "status", "computed_at", "runs"]
    list_filter = ["status", "year"]


@admin.register(Exemption)
class ExemptionAdmin(ReadOnlyAdmin):
    list_display = ["evaluation", "enterprise", "kind", "reason"]
    raw_id_fields = ["enterprise"]


@admin.register(Result)
class ResultAdmin(admin.ModelAdmin):
    list_display = ["evaluation", "enterprise", "pool", "score", "klass", "rank"]
    list_filter = ["klass", "pool"]
    raw_id_fields = ["enterprise"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Publication)
class PublicationAdmin(ReadOnlyAdmin):
    list_display = ["evaluation", "number", "final", "published_on", "objections_until", "published_by"]


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin):
    list_display = ["evaluation", "enterprise", "metric", "status", "reviewed_by"]
    list_filter = ["status"]
    raw_id_fields = ["enterprise"]
