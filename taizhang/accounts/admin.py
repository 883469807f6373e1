from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "full_name", "role", "region", "unit", "is_active")
    list_filter = ("role", "region", "is_active")
    search_fields = ("username", "full_name")
    fieldsets = BaseUserAdmin.fieldsets + (
        (_("角色与范围"), {"fields": ("full_name", "role", "region", "unit", "phone")}),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        (_("角色与范围"), {"fields": ("full_name", "role", "region", "unit")}),
    )
