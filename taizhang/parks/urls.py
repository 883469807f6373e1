from django.urls import path

from . import mujun_views, scheme_views, views

app_name = "parks"

urlpatterns = [
    path("", views.park_list, name="park_list"),
    path("buildings/<int:pk>/", views.building_detail, name="building_detail"),
    path("<int:pk>/edit/", views.park_edit, name="park_edit"),
    path("buildings/add/", views.building_add, name="building_add"),
    path("buildings/<int:pk>/edit/", views.building_edit, name="building_edit"),
    path("buildings/<int:pk>/units/add/", views.unit_add, name="unit_add"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("tenancies/<int:pk>/end/", views.tenancy_end, name="tenancy_end"),
    path("vacant/", views.vacant, name="vacant"),
    path("tax/", views.tax, name="tax"),
    path("tax/import/", views.tax_import, name="tax_import"),
    path("tax/import/<str:token>/", views.tax_preview, name="tax_preview"),
    path("mujun/", mujun_views.evaluation_list, name="evaluation_list"),
    path("mujun/import/", mujun_views.data_import, name="data_import"),
    path("mujun/batches/<int:pk>/review/", mujun_views.batch_review, name="batch_review"),
    path("mujun/schemes/", scheme_views.scheme_list, name="scheme_list"),
    path("mujun/schemes/<int:pk>/", scheme_views.scheme_detail, name="scheme_detail"),
    path("mujun/schemes/<int:pk>/version/", scheme_views.scheme_version, name="scheme_version"),
    path("mujun/indicators/<int:pk>/", scheme_views.indicator_edit, name="indicator_edit"),
    path("mujun/<int:pk>/exemptions/", scheme_views.exemptions, name="exemptions"),
    path("mujun/add/", mujun_views.evaluation_add, name="evaluation_add"),
    path("mujun/<int:pk>/", mujun_views.evaluation_detail, name="evaluation_detail"),
    path("mujun/<int:pk>/firms/<int:firm_pk>/", mujun_views.result_detail, name="result_detail"),
    path("mujun/<int:pk>/workbook.xlsx", mujun_views.evaluation_workbook, name="evaluation_workbook"),
    path("mujun/objections/<int:pk>/review/", mujun_views.objection_review, name="objection_review"),
]
