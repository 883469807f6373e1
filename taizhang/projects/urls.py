from django.urls import path

from taizhang.reporting import views as reporting_views

from . import import_views, views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="project_list"),
    path("export.<str:fmt>", views.project_export, name="project_export"),
    path("add/", views.project_add, name="project_add"),
    path("import/", import_views.project_import, name="project_import"),
    path("import/<str:token>/", import_views.import_batch, name="import_batch"),
    path("import/<str:token>/confirm/", import_views.import_confirm, name="import_confirm"),
    path("import/template.xlsx", import_views.template, name="import_template"),
    path("<int:pk>/", views.project_detail, name="project_detail"),
    path("<int:pk>/edit/", views.project_edit, name="project_edit"),
    path("<int:pk>/delete/", views.project_delete, name="project_delete"),
    path("<int:pk>/stage/", views.stage_move, name="stage_move"),
    path("<int:pk>/stage/<int:change_pk>/", views.stage_correct, name="stage_correct"),
    path("<int:pk>/progress/", reporting_views.progress_add, name="progress_add"),  # the cycle's own view
    path("<int:pk>/plan/", views.plan_save, name="plan_save"),
    path("<int:pk>/problems/add/", views.problem_add, name="problem_add"),
    path("<int:pk>/problems/<int:problem_pk>/", views.problem_edit, name="problem_edit"),
]
