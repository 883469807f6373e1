from django.urls import path

from . import views

app_name = "monitoring"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("drill/", views.drill, name="drill"),
    path("monthly.xlsx", views.monthly_workbook, name="monthly_workbook"),
    path("rules/", views.rules, name="rules"),
]
