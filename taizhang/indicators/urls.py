from django.urls import path

from . import views

app_name = "indicators"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("period/", views.period, name="period"),
    path("compare/", views.compare, name="compare"),
    path("cross-check/", views.crosscheck, name="crosscheck"),
    path("documents/", views.documents, name="documents"),
    path("documents/<int:pk>/", views.document, name="document"),
    path("review/", views.review, name="review"),
    path("tasks/", views.task_list, name="tasks"),
    path("tasks/<int:pk>/", views.task, name="task"),
    path("tasks/evidence/<int:pk>/", views.evidence, name="evidence"),
]
