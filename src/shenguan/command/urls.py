from django.urls import path

from . import views

app_name = "command"
urlpatterns = [
    path("", views.centre, name="centre"),
    path("records/<slug:kind>/", views.records, name="records"),
]
