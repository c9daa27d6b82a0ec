from django.urls import path

from . import views

app_name = "credit"
urlpatterns = [
    path("parties/<int:pk>/", views.archive, name="archive"),
]
