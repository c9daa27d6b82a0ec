from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("catalog/", views.catalog_list, name="catalog"),
]
