"""Public pages of the credit app, mounted at the site root."""

from django.urls import path

from . import views

urlpatterns = [
    path("credit/lookup", views.lookup, name="credit_lookup"),
]
