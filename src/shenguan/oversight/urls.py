from django.urls import path

from . import views

app_name = "oversight"
urlpatterns = [
    path("", views.home, name="home"),
    path("accountability/<int:pk>/", views.record_detail, name="record"),
    path("accountability/<int:pk>/<slug:action>/", views.record_action, name="record-action"),
    path("alerts/<int:alert_id>/propose/", views.propose, name="propose"),
    path("report/", views.report, name="report"),
]
