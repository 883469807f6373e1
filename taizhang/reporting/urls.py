from django.urls import path

from . import views

app_name = "reporting"

urlpatterns = [
    path("", views.period, name="period"),
    path("reports/<int:pk>/", views.report, name="report"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("orders/", views.orders, name="orders"),
    path("orders/new/", views.order_new, name="order_new"),
    path("orders/<int:pk>/", views.order, name="order"),
    path("rules/", views.rules, name="rules"),
]
