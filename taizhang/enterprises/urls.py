from django.urls import path

from . import import_views, views

app_name = "enterprises"

urlpatterns = [
    path("", views.enterprise_list, name="enterprise_list"),
    path("add/", views.enterprise_add, name="enterprise_add"),
    path("tiers/", views.tier_dashboard, name="tiers"),
    path("import/", import_views.list_import, name="list_import"),
    path("import/figures/", import_views.figure_import, name="figure_import"),
    path("import/figures/<str:token>/", import_views.figure_preview, name="figure_preview"),
    path("import/<str:token>/", import_views.list_preview, name="list_preview"),
    path("demands/", views.demand_list, name="demand_list"),
    path("demands/<int:pk>/", views.demand_detail, name="demand_detail"),
    path("demands/<int:pk>/<str:step>/", views.demand_step, name="demand_step"),
    path("service-levels/", views.service_levels, name="service_levels"),
    path("service-levels/<int:pk>/", views.service_level_edit, name="service_level_edit"),
    path("strategies/<int:pk>/measures/", views.measure_add, name="measure_add"),
    path("measures/<int:pk>/", views.measure_edit, name="measure_edit"),
    path("visits/", views.visit_calendar, name="visits"),
    path("visits/<int:pk>/merge/", views.visit_merge, name="visit_merge"),
    path("<int:pk>/", views.enterprise_detail, name="enterprise_detail"),
    path("<int:pk>/edit/", views.enterprise_edit, name="enterprise_edit"),
    path("<int:pk>/recognitions/", views.recognition_add, name="recognition_add"),
    path("<int:pk>/visits/", views.visit_add, name="visit_add"),
    path("<int:pk>/demands/", views.demand_add, name="demand_add"),
    path("<int:pk>/strategies/", views.strategy_save, name="strategy_save"),
    path("<int:pk>/commissioner/", views.commissioner_set, name="commissioner_set"),
]
