from django.urls import path

from . import mujun_views, views

app_name = "parks"

urlpatterns = [
    path("", views.park_list, name="park_list"),
    path("buildings/<int:pk>/", views.building_detail, name="building_detail"),
    path("vacant/", views.vacant, name="vacant"),
    path("tax/", views.tax, name="tax"),
    path("mujun/", mujun_views.evaluation_list, name="evaluation_list"),
    path("mujun/import/", mujun_views.data_import, name="data_import"),
    path("mujun/batches/<int:pk>/review/", mujun_views.batch_review, name="batch_review"),
    path("mujun/add/", mujun_views.evaluation_add, name="evaluation_add"),
    path("mujun/<int:pk>/", mujun_views.evaluation_detail, name="evaluation_detail"),
    path("mujun/<int:pk>/firms/<int:firm_pk>/", mujun_views.result_detail, name="result_detail"),
    path("mujun/<int:pk>/workbook.xlsx", mujun_views.evaluation_workbook, name="evaluation_workbook"),
    path("mujun/objections/<int:pk>/review/", mujun_views.objection_review, name="objection_review"),
]
